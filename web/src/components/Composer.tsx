import { useEffect, useRef, useState } from 'preact/hooks';
import { sendMessage, sendTyping, startUpload, type PendingUpload } from '../actions';
import { P } from '../perms';
import { store } from '../store';
import type { Channel, PublicUser } from '../types';
import { Avatar, formatSize, Icon } from './common';
import { myPermissions } from './Sidebar';

const MAX_LEN = 2000;

function candidates(channel: Channel): PublicUser[] {
  if (channel.space_id) {
    const s = store.spaces.get(channel.space_id);
    return s ? [...s.members.values()].map((m) => ({ ...m.user, display_name: m.nick ?? m.user.display_name })) : [];
  }
  return (channel.recipients ?? []).map((id) => store.users.get(id)).filter((u): u is PublicUser => !!u);
}

// The text box shows @username; the server wants <@id>.
function encodeMentions(text: string, users: PublicUser[]): string {
  const byName = new Map(users.map((u) => [u.username.toLowerCase(), u.id]));
  return text.replace(/(^|[\s(])@([A-Za-z0-9_.-]{2,32})(?![A-Za-z0-9_-])/g, (all, pre: string, name: string) => {
    const id = byName.get(name.toLowerCase());
    return id ? `${pre}<@${id}>` : all;
  });
}

export function Composer({ channel, dropped, onDroppedTaken }: { channel: Channel; dropped?: File[] | null; onDroppedTaken?: () => void }) {
  const [text, setText] = useState('');
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const [mention, setMention] = useState<{ query: string; start: number; index: number } | null>(null);
  const [, force] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const drafts = useRef(new Map<string, string>());

  useEffect(() => {
    setText(drafts.current.get(channel.id) ?? '');
    setUploads([]);
    setMention(null);
    if (window.matchMedia('(min-width: 700px)').matches) ref.current?.focus();
  }, [channel.id]);

  const addFiles = (files: File[]) => {
    const rerender = () => force((n) => n + 1);
    setUploads((u) => [...u, ...files.map((f) => startUpload(f, rerender))]);
  };

  useEffect(() => {
    if (dropped?.length) {
      addFiles(dropped);
      onDroppedTaken?.();
    }
  }, [dropped]);

  const spaceId = channel.space_id;
  const perms = spaceId ? myPermissions(spaceId, channel.type === 'thread' ? store.channels.get(channel.parent_id ?? '') : channel) : null;
  const member = spaceId ? store.spaces.get(spaceId)?.members.get(store.me!.id) : undefined;
  const timedOut = !!member?.communication_disabled_until && new Date(member.communication_disabled_until) > new Date();
  const sendBit = channel.type === 'thread' ? P.send_messages_in_threads : P.send_messages;
  const canSend = !timedOut && (perms === null || (perms & sendBit) !== 0n);
  const canAttach = perms === null || (perms & P.attach_files) !== 0n;
  const replyTo = store.replyTo.get(channel.id);
  const replied = replyTo ? store.findMessage(channel.id, replyTo) : undefined;
  const users = candidates(channel);
  const matches = mention
    ? users
        .filter((u) => u.id !== store.me?.id && (u.username.toLowerCase().startsWith(mention.query) || u.display_name.toLowerCase().startsWith(mention.query)))
        .slice(0, 8)
    : [];
  const typing = store.typingIn(channel.id).filter((u) => u !== store.me?.id);
  const uploading = uploads.some((u) => !u.attachment && !u.error);
  const title = channel.type === 'dm' || channel.type === 'group_dm' ? '@' + store.channelTitle(channel) : '#' + channel.name;

  const update = (value: string, caret: number) => {
    setText(value);
    drafts.current.set(channel.id, value);
    const before = value.slice(0, caret);
    const m = /(^|\s)@([A-Za-z0-9_.-]{0,32})$/.exec(before);
    setMention(m ? { query: m[2].toLowerCase(), start: caret - m[2].length - 1, index: 0 } : null);
    if (value.trim()) sendTyping(channel.id);
  };

  const pick = (u: PublicUser) => {
    if (!mention) return;
    const el = ref.current!;
    const caret = el.selectionStart ?? text.length;
    const value = text.slice(0, mention.start) + '@' + u.username + ' ' + text.slice(caret);
    // Set the box and its caret now: keys typed before the next render must
    // land after the inserted name.
    const at = mention.start + u.username.length + 2;
    el.value = value;
    el.setSelectionRange(at, at);
    setText(value);
    drafts.current.set(channel.id, value);
    setMention(null);
  };

  const submit = () => {
    const content = encodeMentions(text.trim(), users);
    const ready = uploads.filter((u) => u.attachment).map((u) => u.attachment!);
    if (uploading || (!content && ready.length === 0) || content.length > MAX_LEN) return;
    void sendMessage(channel.id, content, ready);
    setText('');
    drafts.current.delete(channel.id);
    for (const u of uploads) if (u.preview) URL.revokeObjectURL(u.preview);
    setUploads([]);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (mention && matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setMention({ ...mention, index: (mention.index + d + matches.length) % matches.length });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(matches[mention.index] ?? matches[0]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      if (replyTo) {
        store.replyTo.delete(channel.id);
        store.emit();
      } else if (uploads.length) {
        for (const u of uploads) u.abort();
        setUploads([]);
      }
    } else if (e.key === 'ArrowUp' && !text) {
      const mine = [...store.history(channel.id).list].reverse().find((m) => m.author.id === store.me?.id && !m.pending);
      if (mine) {
        e.preventDefault();
        store.editing = mine.id;
        store.emit();
      }
    }
  };

  if (!canSend) {
    return (
      <div class="composer disabled" role="note">
        {timedOut ? 'You are timed out in this space and cannot send messages for now.' : 'You do not have permission to send messages here.'}
      </div>
    );
  }

  return (
    <div class="composer-wrap">
      {replied && (
        <div class="reply-bar">
          Replying to <strong>{store.displayName(replied.author.id, spaceId)}</strong>
          <button
            class="icon-button"
            aria-label="Cancel reply"
            onClick={() => {
              store.replyTo.delete(channel.id);
              store.emit();
            }}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {uploads.length > 0 && (
        <ul class="upload-list" aria-label="Attachments">
          {uploads.map((u) => (
            <li key={u.id} class={'upload' + (u.error ? ' error' : '')}>
              {u.preview ? <img src={u.preview} alt={u.file.name} class="upload-thumb" /> : <Icon name="attach" size={32} />}
              <div class="upload-info">
                <div class="upload-name">{u.file.name}</div>
                <div class="muted small">{u.error ?? (u.attachment ? 'Ready' : `Uploading… ${Math.round(u.progress * 100)}%`) + ' · ' + formatSize(u.file.size)}</div>
                {!u.error && (
                  <div class="progress" role="progressbar" aria-label={`Upload of ${u.file.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(u.progress * 100)}>
                    <div class="progress-bar" style={{ width: `${Math.round(u.progress * 100)}%` }} />
                  </div>
                )}
              </div>
              <button
                class="icon-button"
                aria-label={`Remove ${u.file.name}`}
                onClick={() => {
                  u.abort();
                  if (u.preview) URL.revokeObjectURL(u.preview);
                  setUploads(uploads.filter((x) => x !== u));
                }}
              >
                <Icon name="close" size={16} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {mention && matches.length > 0 && (
        <ul class="autocomplete" role="listbox" aria-label="Members matching">
          {matches.map((u, i) => (
            <li
              key={u.id}
              role="option"
              aria-selected={i === mention.index}
              class={i === mention.index ? 'selected' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(u);
              }}
            >
              <Avatar userId={u.id} name={u.display_name || u.username} size={24} />
              <span>{u.display_name || u.username}</span>
              <span class="muted small">@{u.username}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="composer">
        {canAttach && (
          <>
            <button class="icon-button attach-button" aria-label="Upload a file" title="Upload a file" onClick={() => fileRef.current?.click()}>
              <Icon name="attach" />
            </button>
            <input
              ref={fileRef}
              type="file"
              multiple
              hidden
              aria-label="Choose files to upload"
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                addFiles([...(input.files ?? [])]);
                input.value = '';
              }}
            />
          </>
        )}
        <textarea
          ref={ref}
          data-channel-id={channel.id}
          aria-label={`Message ${title}`}
          placeholder={`Message ${title}`}
          rows={1}
          maxLength={MAX_LEN * 2}
          value={text}
          aria-expanded={!!mention && matches.length > 0}
          aria-autocomplete="list"
          onInput={(e) => {
            const el = e.target as HTMLTextAreaElement;
            update(el.value, el.selectionStart ?? el.value.length);
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length && canAttach) {
              e.preventDefault();
              addFiles(files);
            }
          }}
        />
        <button class="send-button" aria-label="Send message" onClick={submit} disabled={uploading}>
          Send
        </button>
      </div>
      <div class="typing" aria-live="polite">
        {typing.length > 0 && (
          <>
            <span class="typing-dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            <strong>{typing.map((u) => store.displayName(u, spaceId)).join(', ')}</strong> {typing.length === 1 ? 'is' : 'are'} typing…
          </>
        )}
        {text.length > MAX_LEN && <span class="form-error"> {text.length}/{MAX_LEN}</span>}
      </div>
    </div>
  );
}

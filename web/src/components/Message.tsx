import { useEffect, useRef, useState } from 'preact/hooks';
import { downloadAttachment } from '../api';
import { deleteMessage, discardFailed, editMessage, jumpTo, openThread, toggleReaction, togglePin } from '../actions';
import { renderMarkdown } from '../markdown';
import { P } from '../perms';
import { store, type LocalMessage } from '../store';
import type { Attachment, Message } from '../types';
import { AuthImage, Avatar, formatSize, formatTime, Icon, roleColor } from './common';
import { EmojiPicker } from './EmojiPicker';
import { myPermissions } from './Sidebar';

export function mentionContext(spaceId: string | null) {
  return {
    mentionName: (id: string) => (store.users.has(id) ? store.displayName(id, spaceId) : null),
    meId: store.me?.id,
  };
}

function authorColor(userId: string, spaceId: string | null): string | undefined {
  if (!spaceId) return undefined;
  const s = store.spaces.get(spaceId);
  const m = s?.members.get(userId);
  if (!s || !m) return undefined;
  const roles = s.roles.filter((r) => m.roles.includes(r.id) && r.color).sort((a, b) => b.position - a.position);
  return roles[0] ? roleColor(roles[0].color) : undefined;
}

export function MessageItem({ message: m, compact }: { message: LocalMessage; compact: boolean }) {
  const channel = store.channels.get(m.channel_id);
  const spaceId = channel?.space_id ?? null;
  const mine = m.author.id === store.me?.id;
  const editing = store.editing === m.id;
  const [picker, setPicker] = useState(false);
  const perms = spaceId ? myPermissions(spaceId, channel?.type === 'thread' ? store.channels.get(channel.parent_id ?? '') : channel) : null;
  const canManage = perms === null ? true : (perms & P.manage_messages) !== 0n;
  const canThread = channel?.type === 'text' && perms !== null && (perms & P.create_threads) !== 0n;
  const name = store.displayName(m.author.id, spaceId);
  const mentionsMe = !!store.me && (m.mentions.includes(store.me.id) || m.mention_everyone);
  const ctx = mentionContext(spaceId);
  const thread = m.thread_id ? store.channels.get(m.thread_id) : undefined;

  const classes = ['message', compact ? 'compact' : '', m.pending ? 'pending' : '', m.failed ? 'failed' : '', mentionsMe ? 'mentions-me' : '', store.highlight === m.id ? 'highlight' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <li class={classes} data-message-id={m.id} aria-label={`${name}, ${formatTime(m.created_at)}`} tabIndex={-1}>
      {m.reply_to && <ReplyPreview channelId={m.channel_id} id={m.reply_to} spaceId={spaceId} />}
      <div class="message-row">
        <div class="message-gutter">
          {compact ? (
            <time class="hover-time" dateTime={m.created_at}>
              {new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            </time>
          ) : (
            <Avatar userId={m.author.id} name={name} avatar={m.author.avatar} />
          )}
        </div>
        <div class="message-main">
          {!compact && (
            <div class="message-header">
              <span class="author" style={{ color: authorColor(m.author.id, spaceId) }}>
                {name}
              </span>
              <time class="timestamp" dateTime={m.created_at}>
                {formatTime(m.created_at)}
              </time>
              {m.pinned && (
                <span class="pinned-tag" title="Pinned">
                  <Icon name="pin" size={12} /> pinned
                </span>
              )}
            </div>
          )}
          {editing ? (
            <EditBox message={m} />
          ) : (
            m.content && (
              <div class="message-content">
                {renderMarkdown(m.content, ctx)}
                {m.edited_at && (
                  <span class="edited" title={'Edited ' + formatTime(m.edited_at)}>
                    {' '}
                    (edited)
                  </span>
                )}
              </div>
            )
          )}
          {m.attachments.length > 0 && (
            <div class="attachments">
              {m.attachments.map((a) => (
                <AttachmentView key={a.id} a={a} />
              ))}
            </div>
          )}
          {m.reactions.length > 0 && (
            <div class="reactions" role="group" aria-label="Reactions">
              {m.reactions.map((r) => (
                <button
                  key={r.emoji}
                  class={'reaction' + (r.me ? ' me' : '')}
                  aria-pressed={r.me}
                  aria-label={`${r.emoji} ${r.count} ${r.count === 1 ? 'reaction' : 'reactions'}${r.me ? ', including yours' : ''}`}
                  onClick={() => void toggleReaction(m, r.emoji)}
                  disabled={m.pending}
                >
                  <span class="reaction-emoji">{r.emoji}</span> <span class="reaction-count">{r.count}</span>
                </button>
              ))}
            </div>
          )}
          {thread && (
            <button class="thread-link" onClick={() => void openThread(m)}>
              <Icon name="thread" size={14} /> {thread.name}
            </button>
          )}
          {m.failed && (
            <div class="failed-note" role="alert">
              Not sent.{' '}
              <button class="link" onClick={() => discardFailed(m.channel_id, m.id)}>
                Dismiss
              </button>
            </div>
          )}
        </div>
      </div>
      {!m.pending && !editing && (
        <div class="message-actions" role="toolbar" aria-label="Message actions">
          <button class="icon-button" aria-label="Add reaction" title="Add reaction" onClick={() => setPicker(!picker)}>
            <Icon name="smile" size={18} />
          </button>
          <button
            class="icon-button"
            aria-label="Reply"
            title="Reply"
            onClick={() => {
              store.replyTo.set(m.channel_id, m.id);
              store.emit();
              document.querySelector<HTMLTextAreaElement>(`textarea[data-channel-id="${m.channel_id}"]`)?.focus();
            }}
          >
            <Icon name="reply" size={18} />
          </button>
          {(canThread || thread) && (
            <button class="icon-button" aria-label={thread ? 'Open thread' : 'Create thread'} title={thread ? 'Open thread' : 'Create thread'} onClick={() => void openThread(m)}>
              <Icon name="thread" size={18} />
            </button>
          )}
          {canManage && (
            <button class="icon-button" aria-label={m.pinned ? 'Unpin message' : 'Pin message'} title={m.pinned ? 'Unpin' : 'Pin'} onClick={() => void togglePin(m)}>
              <Icon name="pin" size={18} />
            </button>
          )}
          {mine && (
            <button
              class="icon-button"
              aria-label="Edit message"
              title="Edit"
              onClick={() => {
                store.editing = m.id;
                store.emit();
              }}
            >
              <Icon name="edit" size={18} />
            </button>
          )}
          {(mine || canManage) && (
            <button
              class="icon-button danger"
              aria-label="Delete message"
              title="Delete"
              onClick={(e) => {
                if ((e as MouseEvent).shiftKey || confirm('Delete this message?')) void deleteMessage(m);
              }}
            >
              <Icon name="trash" size={18} />
            </button>
          )}
          {picker && <EmojiPicker onPick={(e) => void toggleReaction(m, e)} onClose={() => setPicker(false)} />}
        </div>
      )}
    </li>
  );
}

function ReplyPreview({ channelId, id, spaceId }: { channelId: string; id: string; spaceId: string | null }) {
  const target = store.findMessage(channelId, id);
  return (
    <button class="reply-preview" onClick={() => void jumpTo(channelId, id)} aria-label="Jump to the replied message">
      <Icon name="reply" size={14} />
      {target ? (
        <>
          <span class="reply-author">{store.displayName(target.author.id, spaceId)}</span>
          <span class="reply-text">{target.content.slice(0, 120) || 'attachment'}</span>
        </>
      ) : (
        <span class="reply-text muted">Click to see the replied message</span>
      )}
    </button>
  );
}

function AttachmentView({ a }: { a: Attachment }) {
  const isImage = /^image\/(png|jpeg|gif|webp)$/.test(a.content_type);
  if (isImage) {
    return (
      <figure class="attachment-image">
        <AuthImage url={a.url} alt={a.filename} class="preview" />
        <figcaption class="sr-only">{a.filename}</figcaption>
      </figure>
    );
  }
  return (
    <div class="attachment-file">
      <Icon name="attach" />
      <button class="link" onClick={() => void downloadAttachment(a.url, a.filename)}>
        {a.filename}
      </button>
      <span class="muted small">{formatSize(a.size)}</span>
    </div>
  );
}

function EditBox({ message }: { message: Message }) {
  const [text, setText] = useState(message.content);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el) {
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    }
  }, []);
  const cancel = () => {
    store.editing = null;
    store.emit();
    document.querySelector<HTMLTextAreaElement>(`textarea[data-channel-id="${message.channel_id}"]`)?.focus();
  };
  return (
    <div class="edit-box">
      <textarea
        ref={ref}
        aria-label="Edit message"
        value={text}
        rows={Math.min(10, text.split('\n').length)}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            cancel();
          } else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            if (text.trim() === message.content) cancel();
            else if (text.trim() || message.attachments.length) void editMessage(message, text.trim());
          }
        }}
      />
      <div class="muted small">
        Escape to <button class="link" onClick={cancel}>cancel</button> · Enter to{' '}
        <button class="link" onClick={() => void editMessage(message, text.trim())}>
          save
        </button>
      </div>
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { createSpace, explain, inviteCodeFrom, joinInvite, openDm } from '../actions';
import { channelPath, navigate } from '../router';
import { store } from '../store';
import type { Channel, Invite } from '../types';
import { Avatar, Modal } from './common';
import { InstanceSettings, SpaceSettings, UserSettings } from './Settings';

function close() {
  store.modal = null;
  store.emit();
}

export function Modals() {
  const m = store.modal;
  if (!m) return null;
  switch (m.kind) {
    case 'create-space':
      return <CreateSpace />;
    case 'join-space':
      return <JoinSpace />;
    case 'create-channel':
      return <CreateChannel spaceId={m.spaceId} type={m.type} parentId={m.parentId ?? null} />;
    case 'invite':
      return <InviteModal spaceId={m.spaceId} />;
    case 'new-dm':
      return <NewDm />;
    case 'user-settings':
      return <UserSettings onClose={close} />;
    case 'space-settings':
      return <SpaceSettings spaceId={m.spaceId} onClose={close} />;
    case 'instance-settings':
      return <InstanceSettings onClose={close} />;
  }
}

function useForm() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

function CreateSpace() {
  const [name, setName] = useState(`${store.me?.display_name || store.me?.username}'s space`);
  const f = useForm();
  return (
    <Modal title="Create a space" onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(async () => {
            await createSpace(name.trim());
            close();
          });
        }}
      >
        <p class="muted">A space is where you and your friends hang out.</p>
        <label for="space-name">Space name</label>
        <input id="space-name" value={name} maxLength={100} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        {f.error && <p class="form-error" role="alert">{f.error}</p>}
        <div class="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button class="primary" type="submit" disabled={f.busy || !name.trim()}>Create</button>
        </div>
      </form>
    </Modal>
  );
}

function JoinSpace() {
  const [code, setCode] = useState('');
  const f = useForm();
  return (
    <Modal title="Join a space" onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(async () => {
            await joinInvite(inviteCodeFrom(code));
            close();
          });
        }}
      >
        <p class="muted">Enter an invite link or code.</p>
        <label for="invite-code">Invite link</label>
        <input id="invite-code" value={code} placeholder="https://…/invite/aZ3kP9qL or aZ3kP9qL" required onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
        {f.error && <p class="form-error" role="alert">{f.error}</p>}
        <div class="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button class="primary" type="submit" disabled={f.busy || !code.trim()}>Join space</button>
        </div>
      </form>
    </Modal>
  );
}

function CreateChannel({ spaceId, type: initial, parentId }: { spaceId: string; type?: 'text' | 'voice' | 'category'; parentId: string | null }) {
  const [type, setType] = useState<'text' | 'voice' | 'category'>(initial ?? 'text');
  const [name, setName] = useState('');
  const [parent, setParent] = useState<string>(parentId ?? '');
  const [priv, setPriv] = useState(false);
  const f = useForm();
  const categories = store.spaceChannels(spaceId).filter((c) => c.type === 'category');
  return (
    <Modal title={type === 'category' ? 'Create category' : 'Create channel'} onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(async () => {
            const body: Record<string, unknown> = { name: name.trim(), type };
            if (type !== 'category' && parent) body.parent_id = parent;
            if (priv) body.private = true;
            const c = await api<Channel>('POST', `/spaces/${spaceId}/channels`, body);
            store.channels.set(c.id, c);
            close();
            if (c.type === 'text') navigate(channelPath(spaceId, c.id));
          });
        }}
      >
        {initial !== 'category' && (
          <fieldset class="radio-group">
            <legend>Channel type</legend>
            {(['text', 'voice'] as const).map((t) => (
              <label key={t} class="radio">
                <input type="radio" name="ctype" value={t} checked={type === t} onChange={() => setType(t)} /> {t === 'text' ? 'Text' : 'Voice'}
              </label>
            ))}
          </fieldset>
        )}
        <label for="channel-name">{type === 'category' ? 'Category name' : 'Channel name'}</label>
        <input id="channel-name" value={name} maxLength={100} required placeholder={type === 'text' ? 'new-channel' : ''} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        {type !== 'category' && categories.length > 0 && (
          <>
            <label for="channel-parent">Category</label>
            <select id="channel-parent" value={parent} onChange={(e) => setParent((e.target as HTMLSelectElement).value)}>
              <option value="">No category</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </>
        )}
        <label class="checkbox">
          <input type="checkbox" checked={priv} onChange={(e) => setPriv((e.target as HTMLInputElement).checked)} /> Private (only you and those you allow can see it)
        </label>
        {f.error && <p class="form-error" role="alert">{f.error}</p>}
        <div class="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button class="primary" type="submit" disabled={f.busy || !name.trim()}>Create</button>
        </div>
      </form>
    </Modal>
  );
}

function InviteModal({ spaceId }: { spaceId: string }) {
  const [invite, setInvite] = useState<Invite | null>(null);
  const [maxAge, setMaxAge] = useState('86400');
  const [maxUses, setMaxUses] = useState('0');
  const [copied, setCopied] = useState(false);
  const f = useForm();
  const create = () =>
    f.run(async () => {
      setInvite(await api<Invite>('POST', `/spaces/${spaceId}/invites`, { max_age: Number(maxAge), max_uses: Number(maxUses) }));
      setCopied(false);
    });
  useEffect(() => {
    void create();
  }, []);
  const link = invite ? `${location.origin}/invite/${invite.code}` : '';
  return (
    <Modal title={`Invite people to ${store.spaces.get(spaceId)?.name ?? 'the space'}`} onClose={close}>
      <label for="invite-link">Send this invite link to a friend</label>
      <div class="copy-row">
        <input id="invite-link" readOnly value={link} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button
          class="primary"
          disabled={!invite}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(link);
              setCopied(true);
            } catch {
              (document.getElementById('invite-link') as HTMLInputElement | null)?.select();
            }
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div class="row">
        <label>
          Expire after{' '}
          <select value={maxAge} onChange={(e) => setMaxAge((e.target as HTMLSelectElement).value)}>
            <option value="1800">30 minutes</option>
            <option value="3600">1 hour</option>
            <option value="86400">1 day</option>
            <option value="604800">7 days</option>
            <option value="0">Never</option>
          </select>
        </label>
        <label>
          Max uses{' '}
          <select value={maxUses} onChange={(e) => setMaxUses((e.target as HTMLSelectElement).value)}>
            <option value="0">No limit</option>
            <option value="1">1 use</option>
            <option value="5">5 uses</option>
            <option value="25">25 uses</option>
            <option value="100">100 uses</option>
          </select>
        </label>
        <button onClick={() => void create()} disabled={f.busy}>
          New link
        </button>
      </div>
      {f.error && <p class="form-error" role="alert">{f.error}</p>}
    </Modal>
  );
}

function NewDm() {
  const [q, setQ] = useState('');
  const people = new Map<string, { id: string; name: string; username: string }>();
  for (const s of store.spaces.values()) {
    for (const m of s.members.values()) {
      if (m.user.id !== store.me?.id) people.set(m.user.id, { id: m.user.id, name: m.user.display_name || m.user.username, username: m.user.username });
    }
  }
  const shown = [...people.values()].filter((p) => (p.name + ' ' + p.username).toLowerCase().includes(q.toLowerCase())).slice(0, 50);
  return (
    <Modal title="New direct message" onClose={close}>
      <input type="search" aria-label="Find people" placeholder="Find people in your spaces" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <ul class="people">
        {shown.map((p) => (
          <li key={p.id}>
            <button
              class="member-button"
              onClick={() => {
                close();
                void openDm(p.id);
              }}
            >
              <Avatar userId={p.id} name={p.name} size={32} /> {p.name} <span class="muted small">@{p.username}</span>
            </button>
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p class="muted">Nobody found. People you share a space with appear here.</p>}
    </Modal>
  );
}

import { useState } from 'preact/hooks';
import { api, signOut, upload } from '../../api';
import { gateway } from '../../actions';
import { store } from '../../store';
import type { ApiKey, Attachment, PrivateUser, Status } from '../../types';
import { AuthImage, Avatar, formatTime, Modal, statusLabel } from '../common';
import { Tabs, useAction, useLoad } from './shared';
import { VoiceSettings } from '../../voice/VoiceSettings';

export function UserSettings({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="User settings" onClose={onClose} wide>
      <Tabs
        tabs={[
          ['profile', 'Profile'],
          ['status', 'Status'],
          ['voice', 'Voice'],
          ['keys', 'API keys'],
          ['account', 'Log out'],
        ]}
      >
        {(tab) => (tab === 'profile' ? <Profile /> : tab === 'status' ? <StatusTab /> : tab === 'voice' ? <VoiceSettings /> : tab === 'keys' ? <ApiKeys /> : <Account />)}
      </Tabs>
    </Modal>
  );
}

function Profile() {
  const me = store.me!;
  const [name, setName] = useState(me.display_name);
  const [progress, setProgress] = useState<number | null>(null);
  const a = useAction();
  const save = (changes: Record<string, unknown>) =>
    a.run(async () => {
      store.me = await api<PrivateUser>('PATCH', '/users/@me', changes);
      store.rememberUser(store.me);
      store.emit();
    }, 'Profile saved');
  const avatarUrl = me.preferences?.avatar_url as string | undefined;
  return (
    <div class="form-stack">
      <h3>Profile</h3>
      <div class="profile-card">
        <Avatar userId={me.id} name={me.display_name || me.username} size={80} />
        <div>
          <div class="user-panel-name">{me.display_name || me.username}</div>
          <div class="muted">@{me.username}</div>
          <div class="muted small">{me.email}</div>
        </div>
      </div>
      <label for="display-name">Display name</label>
      <input id="display-name" value={name} maxLength={32} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <div>
        <button class="primary" disabled={a.busy} onClick={() => void save({ display_name: name.trim() || null })}>
          Save
        </button>
      </div>
      <label for="avatar-file">Avatar</label>
      {avatarUrl && <AuthImage url={avatarUrl} alt="Your avatar" class="avatar-preview" />}
      <input
        id="avatar-file"
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp"
        onChange={(e) => {
          const file = (e.target as HTMLInputElement).files?.[0];
          if (!file) return;
          setProgress(0);
          void a.run(async () => {
            const att = await upload<Attachment>(file, setProgress).promise;
            await save({ avatar: att.id, preferences: { ...me.preferences, avatar_url: att.url } });
            setProgress(null);
          });
        }}
      />
      {progress !== null && (
        <div class="progress" role="progressbar" aria-label="Avatar upload" aria-valuenow={Math.round(progress * 100)} aria-valuemin={0} aria-valuemax={100}>
          <div class="progress-bar" style={{ width: `${Math.round(progress * 100)}%` }} />
        </div>
      )}
      {me.avatar && (
        <div>
          <button onClick={() => void save({ avatar: null, preferences: { ...me.preferences, avatar_url: undefined } })}>Remove avatar</button>
        </div>
      )}
      <a.Err />
    </div>
  );
}

function StatusTab() {
  const me = store.me!;
  const a = useAction();
  const set = (status: Status) =>
    a.run(async () => {
      store.me = await api<PrivateUser>('PATCH', '/users/@me', { status });
      gateway.send('presence', { status });
      store.emit();
    });
  return (
    <fieldset class="radio-group">
      <legend>Your status</legend>
      {(['online', 'idle', 'dnd', 'invisible'] as Status[]).map((s) => (
        <label key={s} class="radio">
          <input type="radio" name="status" checked={me.status === s} onChange={() => void set(s)} /> <span class={'presence-inline presence-' + s} /> {statusLabel(s)}
        </label>
      ))}
      <a.Err />
    </fieldset>
  );
}

function ApiKeys() {
  const [keys, reload] = useLoad(() => api<ApiKey[]>('GET', '/api-keys'));
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<string>>(new Set(['read']));
  const [created, setCreated] = useState<ApiKey | null>(null);
  const a = useAction();
  return (
    <div class="form-stack">
      <h3>API keys</h3>
      <p class="muted small">Keys let bots and scripts act as you, limited to their scopes.</p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void a.run(async () => {
            setCreated(await api<ApiKey>('POST', '/api-keys', { name: name.trim(), scopes: [...scopes] }));
            setName('');
            reload();
          });
        }}
      >
        <input aria-label="Key name" placeholder="Key name" value={name} required maxLength={64} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        {['read', 'write', 'gateway'].map((s) => (
          <label key={s} class="checkbox">
            <input
              type="checkbox"
              checked={scopes.has(s)}
              onChange={() => {
                const n = new Set(scopes);
                if (n.has(s)) n.delete(s);
                else n.add(s);
                setScopes(n);
              }}
            />{' '}
            {s}
          </label>
        ))}
        <button class="primary" type="submit" disabled={a.busy || !name.trim() || scopes.size === 0}>
          Create key
        </button>
      </form>
      {created?.key && (
        <div class="notice" role="status">
          Copy the key now, it is not shown again: <code class="secret">{created.key}</code>
        </div>
      )}
      <a.Err />
      <table class="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Scopes</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys?.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>{k.scopes.join(', ')}</td>
              <td>{k.last_used ? formatTime(k.last_used) : 'never'}</td>
              <td>
                <button class="danger" onClick={() => void a.run(async () => (await api('DELETE', `/api-keys/${k.id}`), reload()))}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Account() {
  return (
    <div class="form-stack">
      <h3>Log out</h3>
      <p class="muted">Signs this browser out and revokes its session.</p>
      <div>
        <button
          class="danger"
          onClick={() => {
            store.modal = null;
            void signOut();
          }}
        >
          Log out
        </button>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- space

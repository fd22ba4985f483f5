import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, signOut, upload } from '../api';
import { explain, gateway, toast } from '../actions';
import { P, bits, type PermName } from '../perms';
import { store } from '../store';
import type { ApiKey, Attachment, AuditEntry, Ban, Channel, Instance, Invite, Member, PrivateUser, Role, Status } from '../types';
import { AuthImage, Avatar, formatTime, Modal, roleColor, statusLabel } from './common';

function Tabs({ tabs, children }: { tabs: [string, string][]; children: (tab: string) => ComponentChildren }) {
  const [tab, setTab] = useState(tabs[0][0]);
  return (
    <div class="settings">
      <div class="settings-tabs" role="tablist" aria-orientation="vertical">
        {tabs.map(([id, label]) => (
          <button key={id} role="tab" id={'tab-' + id} aria-selected={tab === id} aria-controls={'panel-' + id} class={tab === id ? 'active' : ''} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div class="settings-panel" role="tabpanel" id={'panel-' + tab} aria-labelledby={'tab-' + tab}>
        {children(tab)}
      </div>
    </div>
  );
}

function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<void>, done?: string) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      if (done) toast(done);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, Err: () => (error ? <p class="form-error" role="alert">{error}</p> : null) };
}

function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): [T | null, () => void, string | null] {
  const [v, setV] = useState<T | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    load().then(setV, (e) => setErr(explain(e)));
  }, [...deps, n]);
  return [v, () => setN(n + 1), err];
}

// ---------------------------------------------------------------- user

export function UserSettings({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="User settings" onClose={onClose} wide>
      <Tabs
        tabs={[
          ['profile', 'Profile'],
          ['status', 'Status'],
          ['keys', 'API keys'],
          ['account', 'Log out'],
        ]}
      >
        {(tab) => (tab === 'profile' ? <Profile /> : tab === 'status' ? <StatusTab /> : tab === 'keys' ? <ApiKeys /> : <Account />)}
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

const PERM_LABELS: [PermName, string][] = [
  ['administrator', 'Administrator'],
  ['view_channel', 'View channels'],
  ['send_messages', 'Send messages'],
  ['send_messages_in_threads', 'Send messages in threads'],
  ['create_threads', 'Create threads'],
  ['read_message_history', 'Read message history'],
  ['add_reactions', 'Add reactions'],
  ['attach_files', 'Attach files'],
  ['embed_links', 'Embed links'],
  ['mention_everyone', 'Mention @everyone'],
  ['manage_messages', 'Manage messages'],
  ['manage_threads', 'Manage threads'],
  ['manage_channels', 'Manage channels'],
  ['manage_roles', 'Manage roles'],
  ['manage_space', 'Manage space'],
  ['view_audit_log', 'View audit log'],
  ['create_invite', 'Create invites'],
  ['change_nickname', 'Change nickname'],
  ['manage_nicknames', 'Manage nicknames'],
  ['kick_members', 'Kick members'],
  ['ban_members', 'Ban members'],
  ['moderate_members', 'Time out members'],
  ['connect', 'Connect (voice)'],
  ['speak', 'Speak (voice)'],
];

export function SpaceSettings({ spaceId, onClose }: { spaceId: string; onClose: () => void }) {
  const s = store.spaces.get(spaceId);
  if (!s) return null;
  return (
    <Modal title={`${s.name} — settings`} onClose={onClose} wide>
      <Tabs
        tabs={[
          ['overview', 'Overview'],
          ['channels', 'Channels'],
          ['roles', 'Roles'],
          ['members', 'Members'],
          ['invites', 'Invites'],
          ['bans', 'Bans'],
          ['audit', 'Audit log'],
        ]}
      >
        {(tab) =>
          ({
            overview: <Overview spaceId={spaceId} onClose={onClose} />,
            channels: <ChannelsTab spaceId={spaceId} />,
            roles: <RolesTab spaceId={spaceId} />,
            members: <MembersTab spaceId={spaceId} />,
            invites: <InvitesTab spaceId={spaceId} />,
            bans: <BansTab spaceId={spaceId} />,
            audit: <AuditTab spaceId={spaceId} />,
          })[tab]
        }
      </Tabs>
    </Modal>
  );
}

function Overview({ spaceId, onClose }: { spaceId: string; onClose: () => void }) {
  const s = store.spaces.get(spaceId)!;
  const [name, setName] = useState(s.name);
  const a = useAction();
  return (
    <div class="form-stack">
      <h3>Overview</h3>
      <label for="space-rename">Space name</label>
      <input id="space-rename" value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <div>
        <button class="primary" disabled={a.busy} onClick={() => void a.run(async () => void (await api('PATCH', `/spaces/${spaceId}`, { name: name.trim() })), 'Saved')}>
          Save
        </button>
      </div>
      {s.owner_id === store.me?.id && (
        <>
          <h3>Danger zone</h3>
          <div>
            <button
              class="danger"
              onClick={() => {
                if (confirm(`Delete ${s.name} and everything in it?`)) void a.run(async () => (await api('DELETE', `/spaces/${spaceId}`), onClose()));
              }}
            >
              Delete space
            </button>
          </div>
        </>
      )}
      <a.Err />
    </div>
  );
}

function ChannelsTab({ spaceId }: { spaceId: string }) {
  const channels = store.spaceChannels(spaceId);
  const [selected, setSelected] = useState<string | null>(channels[0]?.id ?? null);
  const c = selected ? store.channels.get(selected) : undefined;
  return (
    <div class="split">
      <ul class="pick-list" aria-label="Channels">
        {channels.map((ch) => (
          <li key={ch.id}>
            <button class={selected === ch.id ? 'active' : ''} aria-pressed={selected === ch.id} onClick={() => setSelected(ch.id)}>
              {ch.type === 'category' ? ch.name.toUpperCase() : (ch.type === 'voice' ? '🔊 ' : '# ') + ch.name}
            </button>
          </li>
        ))}
      </ul>
      {c && <ChannelEditor key={c.id} channel={c} />}
    </div>
  );
}

function ChannelEditor({ channel }: { channel: Channel }) {
  const s = store.spaces.get(channel.space_id!)!;
  const [name, setName] = useState(channel.name);
  const [topic, setTopic] = useState(channel.topic);
  const [target, setTarget] = useState<string>(s.id);
  const a = useAction();
  const ow = channel.permission_overwrites.find((o) => o.id === target);
  const targetType = s.roles.some((r) => r.id === target) ? 'role' : 'member';
  const setBit = (bit: bigint, state: 'allow' | 'deny' | 'inherit') =>
    a.run(async () => {
      let allow = bits(ow?.allow) & ~bit;
      let deny = bits(ow?.deny) & ~bit;
      if (state === 'allow') allow |= bit;
      if (state === 'deny') deny |= bit;
      if (allow === 0n && deny === 0n && ow) await api('DELETE', `/channels/${channel.id}/permissions/${target}`);
      else await api('PUT', `/channels/${channel.id}/permissions/${target}`, { type: targetType, allow: allow.toString(), deny: deny.toString() });
      store.channels.set(channel.id, await api<Channel>('GET', `/channels/${channel.id}`));
      store.emit();
    });
  return (
    <div class="form-stack">
      <h3>{channel.name}</h3>
      <label for="ch-name">Name</label>
      <input id="ch-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      {channel.type !== 'category' && (
        <>
          <label for="ch-topic">Topic</label>
          <input id="ch-topic" value={topic} maxLength={1024} onInput={(e) => setTopic((e.target as HTMLInputElement).value)} />
        </>
      )}
      <div class="row">
        <button
          class="primary"
          disabled={a.busy}
          onClick={() =>
            void a.run(async () => {
              const body: Record<string, string> = { name: name.trim() };
              if (channel.type !== 'category') body.topic = topic;
              store.channels.set(channel.id, await api<Channel>('PATCH', `/channels/${channel.id}`, body));
              store.emit();
            }, 'Channel saved')
          }
        >
          Save
        </button>
        <button
          class="danger"
          onClick={() => {
            if (confirm(`Delete ${channel.name}?`)) void a.run(async () => void (await api('DELETE', `/channels/${channel.id}`)));
          }}
        >
          Delete channel
        </button>
      </div>
      {channel.type !== 'category' && (
        <>
          <h3>Permission overwrites</h3>
          <label for="ow-target">For</label>
          <select id="ow-target" value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
            {[...s.roles].reverse().map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
                {channel.permission_overwrites.some((o) => o.id === r.id) ? ' •' : ''}
              </option>
            ))}
            {[...s.members.values()].map((m) => (
              <option key={m.user.id} value={m.user.id}>
                @{m.user.username}
                {channel.permission_overwrites.some((o) => o.id === m.user.id) ? ' •' : ''}
              </option>
            ))}
          </select>
          <table class="table perm-table">
            <tbody>
              {PERM_LABELS.filter(([p]) => p !== 'administrator').map(([p, label]) => {
                const bit = P[p];
                const state = bits(ow?.allow) & bit ? 'allow' : bits(ow?.deny) & bit ? 'deny' : 'inherit';
                return (
                  <tr key={p}>
                    <td>{label}</td>
                    <td>
                      <div class="tri" role="radiogroup" aria-label={label}>
                        {(['deny', 'inherit', 'allow'] as const).map((st) => (
                          <button key={st} role="radio" aria-checked={state === st} class={'tri-' + st + (state === st ? ' on' : '')} onClick={() => void setBit(bit, st)} disabled={a.busy}>
                            {st === 'deny' ? '✕' : st === 'allow' ? '✓' : '/'}
                            <span class="sr-only">{st}</span>
                          </button>
                        ))}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      <a.Err />
    </div>
  );
}

function RolesTab({ spaceId }: { spaceId: string }) {
  const s = store.spaces.get(spaceId)!;
  const roles = [...s.roles].sort((a, b) => b.position - a.position);
  const [selected, setSelected] = useState<string>(roles[0]?.id);
  const a = useAction();
  const role = s.roles.find((r) => r.id === selected);
  return (
    <div class="split">
      <div>
        <button
          class="primary wide"
          onClick={() =>
            void a.run(async () => {
              const r = await api<Role>('POST', `/spaces/${spaceId}/roles`, { name: 'new role' });
              s.roles = [...s.roles.filter((x) => x.id !== r.id), r];
              setSelected(r.id);
              store.emit();
            })
          }
        >
          Create role
        </button>
        <ul class="pick-list" aria-label="Roles">
          {roles.map((r) => (
            <li key={r.id}>
              <button class={selected === r.id ? 'active' : ''} aria-pressed={selected === r.id} style={{ color: roleColor(r.color) }} onClick={() => setSelected(r.id)}>
                {r.name}
              </button>
            </li>
          ))}
        </ul>
        <a.Err />
      </div>
      {role && <RoleEditor key={role.id} role={role} everyone={role.id === spaceId} />}
    </div>
  );
}

function RoleEditor({ role, everyone }: { role: Role; everyone: boolean }) {
  const [name, setName] = useState(role.name);
  const [color, setColor] = useState('#' + role.color.toString(16).padStart(6, '0'));
  const [perms, setPerms] = useState(bits(role.permissions));
  const [hoist, setHoist] = useState(role.hoist);
  const [mentionable, setMentionable] = useState(role.mentionable);
  const a = useAction();
  const s = store.spaces.get(role.space_id)!;
  return (
    <div class="form-stack">
      <h3>Edit role — {role.name}</h3>
      {!everyone && (
        <>
          <label for="role-name">Role name</label>
          <input id="role-name" value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label for="role-color">Color</label>
          <input id="role-color" type="color" value={color} onInput={(e) => setColor((e.target as HTMLInputElement).value)} />
          <label class="checkbox">
            <input type="checkbox" checked={hoist} onChange={(e) => setHoist((e.target as HTMLInputElement).checked)} /> Show members apart in the member list
          </label>
          <label class="checkbox">
            <input type="checkbox" checked={mentionable} onChange={(e) => setMentionable((e.target as HTMLInputElement).checked)} /> Anyone may mention this role
          </label>
        </>
      )}
      <fieldset class="perm-grid">
        <legend>Permissions</legend>
        {PERM_LABELS.map(([p, label]) => (
          <label key={p} class="checkbox">
            <input type="checkbox" checked={(perms & P[p]) !== 0n} onChange={(e) => setPerms((e.target as HTMLInputElement).checked ? perms | P[p] : perms & ~P[p])} /> {label}
          </label>
        ))}
      </fieldset>
      <div class="row">
        <button
          class="primary"
          disabled={a.busy}
          onClick={() =>
            void a.run(async () => {
              const body: Record<string, unknown> = { permissions: perms.toString() };
              if (!everyone) Object.assign(body, { name: name.trim(), color: parseInt(color.slice(1), 16) || 0, hoist, mentionable });
              const r = await api<Role>('PATCH', `/spaces/${role.space_id}/roles/${role.id}`, body);
              s.roles = [...s.roles.filter((x) => x.id !== r.id), r];
              store.emit();
            }, 'Role saved')
          }
        >
          Save
        </button>
        {!everyone && (
          <button
            class="danger"
            onClick={() => {
              if (confirm(`Delete the role ${role.name}?`))
                void a.run(async () => {
                  await api('DELETE', `/spaces/${role.space_id}/roles/${role.id}`);
                  s.roles = s.roles.filter((x) => x.id !== role.id);
                  store.emit();
                });
            }}
          >
            Delete role
          </button>
        )}
      </div>
      <a.Err />
    </div>
  );
}

function MembersTab({ spaceId }: { spaceId: string }) {
  const s = store.spaces.get(spaceId)!;
  const a = useAction();
  const roles = s.roles.filter((r) => r.id !== spaceId).sort((x, y) => y.position - x.position);
  const update = (m: Member, body: Record<string, unknown>, done: string) =>
    a.run(async () => {
      const updated = await api<Member>('PATCH', `/spaces/${spaceId}/members/${m.user.id}`, body);
      s.members.set(updated.user.id, updated);
      store.emit();
    }, done);
  return (
    <div class="form-stack">
      <h3>Members — {s.members.size}</h3>
      <a.Err />
      <table class="table">
        <thead>
          <tr>
            <th>Member</th>
            <th>Roles</th>
            <th>Moderation</th>
          </tr>
        </thead>
        <tbody>
          {[...s.members.values()].map((m) => {
            const timedOut = m.communication_disabled_until && new Date(m.communication_disabled_until) > new Date();
            const self = m.user.id === store.me?.id;
            return (
              <tr key={m.user.id}>
                <td>
                  <strong>{m.nick ?? m.user.display_name}</strong> <span class="muted small">@{m.user.username}</span>
                  {timedOut && <div class="muted small">timed out until {formatTime(m.communication_disabled_until!)}</div>}
                </td>
                <td>
                  {roles.map((r) => (
                    <label key={r.id} class="checkbox small">
                      <input
                        type="checkbox"
                        checked={m.roles.includes(r.id)}
                        onChange={(e) => {
                          const on = (e.target as HTMLInputElement).checked;
                          void update(m, { roles: on ? [...m.roles, r.id] : m.roles.filter((x) => x !== r.id) }, 'Roles updated');
                        }}
                      />{' '}
                      {r.name}
                    </label>
                  ))}
                </td>
                <td class="actions">
                  {!self && s.owner_id !== m.user.id && (
                    <>
                      {timedOut ? (
                        <button onClick={() => void update(m, { communication_disabled_until: null }, 'Timeout lifted')}>Lift timeout</button>
                      ) : (
                        <button onClick={() => void update(m, { communication_disabled_until: new Date(Date.now() + 3600_000).toISOString() }, 'Timed out for an hour')}>Time out 1 h</button>
                      )}
                      <button
                        class="danger"
                        onClick={() => {
                          if (confirm(`Kick ${m.user.username}?`)) void a.run(async () => void (await api('DELETE', `/spaces/${spaceId}/members/${m.user.id}`)), 'Kicked');
                        }}
                      >
                        Kick
                      </button>
                      <button
                        class="danger"
                        onClick={() => {
                          const reason = prompt(`Ban ${m.user.username}? Reason:`);
                          if (reason !== null) void a.run(async () => void (await api('PUT', `/spaces/${spaceId}/bans/${m.user.id}`, reason ? { reason } : {})), 'Banned');
                        }}
                      >
                        Ban
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function InvitesTab({ spaceId }: { spaceId: string }) {
  const [invites, reload, err] = useLoad(() => api<Invite[]>('GET', `/spaces/${spaceId}/invites`));
  const a = useAction();
  return (
    <div class="form-stack">
      <h3>Invites</h3>
      {err && <p class="form-error">{err}</p>}
      <a.Err />
      {invites?.length === 0 && <p class="muted">No live invites.</p>}
      <table class="table">
        <tbody>
          {invites?.map((i) => (
            <tr key={i.code}>
              <td>
                <code>{i.code}</code>
              </td>
              <td>@{store.user(i.creator_id)?.username ?? i.creator_id}</td>
              <td>
                {i.uses}
                {i.max_uses ? '/' + i.max_uses : ''} uses
              </td>
              <td>{i.expires_at ? 'expires ' + formatTime(i.expires_at) : 'never expires'}</td>
              <td>
                <button class="danger" onClick={() => void a.run(async () => (await api('DELETE', `/invites/${i.code}`), reload()))}>
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

function BansTab({ spaceId }: { spaceId: string }) {
  const [bans, reload, err] = useLoad(() => api<Ban[]>('GET', `/spaces/${spaceId}/bans`));
  const a = useAction();
  return (
    <div class="form-stack">
      <h3>Bans</h3>
      {err && <p class="form-error">{err}</p>}
      <a.Err />
      {bans?.length === 0 && <p class="muted">Nobody is banned.</p>}
      <table class="table">
        <tbody>
          {bans?.map((b) => (
            <tr key={b.user.id}>
              <td>@{b.user.username}</td>
              <td>{b.reason ?? <span class="muted">no reason</span>}</td>
              <td>{formatTime(b.created_at)}</td>
              <td>
                <button onClick={() => void a.run(async () => (await api('DELETE', `/spaces/${spaceId}/bans/${b.user.id}`), reload()))}>Unban</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AuditTab({ spaceId }: { spaceId: string }) {
  const [entries, , err] = useLoad(() => api<AuditEntry[]>('GET', `/spaces/${spaceId}/audit-log?limit=100`));
  return (
    <div class="form-stack">
      <h3>Audit log</h3>
      {err && <p class="form-error">{err}</p>}
      <ol class="audit">
        {entries?.map((e) => (
          <li key={e.id}>
            <strong>{store.displayName(e.actor_id, spaceId)}</strong> <code>{e.action}</code>
            {e.target_id && <span class="muted"> on {store.users.get(e.target_id)?.username ?? store.channels.get(e.target_id)?.name ?? e.target_id}</span>}
            {e.reason && <span> — “{e.reason}”</span>}
            <div class="muted small">
              {formatTime(e.created_at)} {Object.keys(e.changes).length > 0 && <code class="changes">{JSON.stringify(e.changes)}</code>}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

// ---------------------------------------------------------------- instance

export function InstanceSettings({ onClose }: { onClose: () => void }) {
  const [inst, setInst] = useState<Instance | null>(null);
  const a = useAction();
  useEffect(() => {
    api<Instance>('GET', '/instance').then(setInst, () => {});
  }, []);
  return (
    <Modal title="Instance settings" onClose={onClose}>
      {inst && (
        <form
          class="form-stack"
          onSubmit={(e) => {
            e.preventDefault();
            void a.run(async () => setInst(await api<Instance>('PATCH', '/instance', { name: inst.name, registration: inst.registration, max_upload_bytes: inst.max_upload_bytes })), 'Instance saved');
          }}
        >
          <label for="inst-name">Instance name</label>
          <input id="inst-name" value={inst.name} maxLength={64} onInput={(e) => setInst({ ...inst, name: (e.target as HTMLInputElement).value })} />
          <label for="inst-reg">Registration</label>
          <select id="inst-reg" value={inst.registration} onChange={(e) => setInst({ ...inst, registration: (e.target as HTMLSelectElement).value as Instance['registration'] })}>
            <option value="open">Open: anyone may register</option>
            <option value="invite">Invite only: a space invite is needed</option>
            <option value="closed">Closed: nobody may register</option>
          </select>
          <label for="inst-upload">Upload limit (MiB)</label>
          <input
            id="inst-upload"
            type="number"
            min={1}
            value={Math.round(inst.max_upload_bytes / 1048576)}
            onInput={(e) => setInst({ ...inst, max_upload_bytes: Math.max(1, Number((e.target as HTMLInputElement).value)) * 1048576 })}
          />
          <p class="muted small">Version {inst.version}</p>
          <a.Err />
          <div class="modal-actions">
            <button class="primary" type="submit" disabled={a.busy}>
              Save
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

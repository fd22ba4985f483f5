import { api } from '../../api';
import { store } from '../../store';
import type { AuditEntry, Ban, Invite, Member } from '../../types';
import { formatTime } from '../common';
import { useAction, useLoad } from './shared';

export function MembersTab({ spaceId }: { spaceId: string }) {
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

export function InvitesTab({ spaceId }: { spaceId: string }) {
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

export function BansTab({ spaceId }: { spaceId: string }) {
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

export function AuditTab({ spaceId }: { spaceId: string }) {
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

import { openDm } from '../actions';
import { store } from '../store';
import type { Member, Role } from '../types';
import { Avatar, roleColor, statusLabel } from './common';

export function MemberList({ spaceId }: { spaceId: string }) {
  const s = store.spaces.get(spaceId);
  if (!s) return null;
  const roles = [...s.roles].sort((a, b) => b.position - a.position);
  const hoisted = roles.filter((r) => r.hoist && r.id !== s.id);
  const groups = new Map<string, { title: string; members: Member[]; role?: Role }>();
  for (const r of hoisted) groups.set(r.id, { title: r.name, members: [], role: r });
  groups.set('online', { title: 'Online', members: [] });
  groups.set('offline', { title: 'Offline', members: [] });
  for (const m of s.members.values()) {
    const status = store.status(m.user.id);
    if (status === 'offline' || status === 'invisible') {
      groups.get('offline')!.members.push(m);
      continue;
    }
    const top = hoisted.find((r) => m.roles.includes(r.id));
    groups.get(top ? top.id : 'online')!.members.push(m);
  }
  const name = (m: Member) => m.nick ?? (m.user.display_name || m.user.username);
  const colorOf = (m: Member) => roleColor(roles.find((r) => m.roles.includes(r.id) && r.color)?.color ?? 0);
  return (
    <aside class="member-list" aria-label="Members">
      {[...groups.values()]
        .filter((g) => g.members.length)
        .map((g) => (
          <section key={g.title} aria-label={`${g.title}, ${g.members.length}`}>
            <h3 class="member-group">
              {g.title} — {g.members.length}
            </h3>
            <ul>
              {g.members
                .sort((a, b) => name(a).localeCompare(name(b)))
                .map((m) => {
                  const status = store.status(m.user.id);
                  const me = m.user.id === store.me?.id;
                  return (
                    <li key={m.user.id} class={'member' + (status === 'offline' ? ' offline' : '')} data-user-id={m.user.id} data-status={status}>
                      <button
                        class="member-button"
                        aria-label={`${name(m)}, ${statusLabel(status)}${me ? ' (you)' : ', send a direct message'}`}
                        title={me ? 'You' : `Message ${name(m)}`}
                        onClick={() => !me && void openDm(m.user.id)}
                      >
                        <Avatar userId={m.user.id} name={name(m)} size={32} status={status} avatar={m.user.avatar} />
                        <span class="member-name" style={{ color: colorOf(m) }}>
                          {name(m)}
                        </span>
                        {s.owner_id === m.user.id && (
                          <span class="owner-crown" title="Space owner" aria-label="owner">
                            ♛
                          </span>
                        )}
                      </button>
                    </li>
                  );
                })}
            </ul>
          </section>
        ))}
    </aside>
  );
}

import { useState } from 'preact/hooks';
import { api } from '../../api';
import { P, bits, type PermName } from '../../perms';
import { store } from '../../store';
import type { Channel, Role } from '../../types';
import { Modal, roleColor } from '../common';
import { Tabs, useAction } from './shared';
import { AuditTab, BansTab, InvitesTab, MembersTab } from './SpaceModeration';

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

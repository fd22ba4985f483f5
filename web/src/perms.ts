// Permission bits of docs/openapi.yaml (PermissionSet), as BigInt.
import type { Channel, Member, Role } from './types';

export const P = {
  create_invite: 1n << 0n,
  kick_members: 1n << 1n,
  ban_members: 1n << 2n,
  administrator: 1n << 3n,
  manage_channels: 1n << 4n,
  manage_space: 1n << 5n,
  add_reactions: 1n << 6n,
  view_audit_log: 1n << 7n,
  priority_speaker: 1n << 8n,
  stream: 1n << 9n,
  view_channel: 1n << 10n,
  send_messages: 1n << 11n,
  manage_messages: 1n << 13n,
  embed_links: 1n << 14n,
  attach_files: 1n << 15n,
  read_message_history: 1n << 16n,
  mention_everyone: 1n << 17n,
  connect: 1n << 20n,
  speak: 1n << 21n,
  mute_members: 1n << 22n,
  deafen_members: 1n << 23n,
  move_members: 1n << 24n,
  use_vad: 1n << 25n,
  change_nickname: 1n << 26n,
  manage_nicknames: 1n << 27n,
  manage_roles: 1n << 28n,
  manage_threads: 1n << 34n,
  create_threads: 1n << 35n,
  send_messages_in_threads: 1n << 38n,
  moderate_members: 1n << 40n,
} as const;

export type PermName = keyof typeof P;
export const ALL = Object.values(P).reduce((a, b) => a | b, 0n);

export function bits(s: string | undefined): bigint {
  try {
    return BigInt(s ?? '0');
  } catch {
    return 0n;
  }
}

// Discord's order: @everyone, then the member's roles, then channel
// overwrites (@everyone's, the roles' together, the member's).
export function computePermissions(
  userId: string,
  ownerId: string,
  spaceId: string,
  roles: Role[],
  member: Member | undefined,
  channel?: Channel,
): bigint {
  if (userId === ownerId) return ALL;
  const byId = new Map(roles.map((r) => [r.id, r]));
  let p = bits(byId.get(spaceId)?.permissions);
  for (const rid of member?.roles ?? []) p |= bits(byId.get(rid)?.permissions);
  if (p & P.administrator) return ALL;
  if (channel && channel.type !== 'thread') {
    const ow = channel.permission_overwrites ?? [];
    const everyone = ow.find((o) => o.id === spaceId);
    if (everyone) p = (p & ~bits(everyone.deny)) | bits(everyone.allow);
    let allow = 0n;
    let deny = 0n;
    for (const o of ow) {
      if (o.type === 'role' && o.id !== spaceId && member?.roles.includes(o.id)) {
        allow |= bits(o.allow);
        deny |= bits(o.deny);
      }
    }
    p = (p & ~deny) | allow;
    const mine = ow.find((o) => o.type === 'member' && o.id === userId);
    if (mine) p = (p & ~bits(mine.deny)) | bits(mine.allow);
  }
  return p;
}

// Application state: what the gateway and REST told us, and the view. One
// store, mutated in place by events and actions; every change bumps a
// version and re-renders the app (small enough that this stays fast).
import { idCmp, newer } from './ids';
import type {
  Channel,
  Id,
  Member,
  Message,
  PrivateUser,
  PublicUser,
  ReadState,
  Ready,
  Role,
  Space,
  SpaceDetail,
  Status,
  VoiceState,
} from './types';

export interface LocalMessage extends Message {
  pending?: boolean;
  failed?: boolean;
}

export interface History {
  list: LocalMessage[]; // oldest first
  hasMoreBefore: boolean;
  hasMoreAfter: boolean; // a window away from the present (after a jump)
  loading: boolean;
}

export interface SpaceState extends Space {
  roles: Role[];
  members: Map<Id, Member>;
  membersLoaded: boolean;
}

export type Modal =
  | { kind: 'create-space' }
  | { kind: 'join-space' }
  | { kind: 'create-channel'; spaceId: Id; type?: 'text' | 'voice' | 'category'; parentId?: Id | null }
  | { kind: 'invite'; spaceId: Id }
  | { kind: 'user-settings' }
  | { kind: 'space-settings'; spaceId: Id }
  | { kind: 'instance-settings' }
  | { kind: 'new-dm' };

export type Connection = 'connecting' | 'online' | 'offline';

// This tab's own voice session, as the UI shows it (voice/session.ts owns it).
export interface VoiceView {
  channelId: Id;
  spaceId: Id;
  status: 'connecting' | 'connected' | 'reconnecting' | 'failed';
  detail: string | null; // why it failed, when it did
  muted: boolean;
  deafened: boolean;
  quality: 'good' | 'fair' | 'poor' | null; // from getStats, null until measured
  rttMs: number | null;
  lossPct: number | null;
}

class Store {
  version = 0;
  me: PrivateUser | null = null;
  ready = false;
  connection: Connection = 'connecting';
  everOnline = false;
  spaces = new Map<Id, SpaceState>();
  channels = new Map<Id, Channel>();
  readStates = new Map<Id, ReadState>();
  histories = new Map<Id, History>();
  presences = new Map<Id, Status>();
  users = new Map<Id, PublicUser>();
  typing = new Map<Id, Map<Id, number>>();
  // The read marker shown in a channel: last_read_id when it was opened.
  markers = new Map<Id, Id | null>();
  // Voice: user -> the channel they are in (a user is in one at a time).
  voiceStates = new Map<Id, VoiceState>();
  speaking = new Set<Id>();
  voice: VoiceView | null = null;

  // View state.
  spaceId: Id | '@me' | null = null;
  channelId: Id | null = null;
  threadId: Id | null = null;
  searchOpen = false;
  pinsOpen = false;
  membersOpen = true;
  navOpen = false; // phone width: the sidebar drawer
  highlight: Id | null = null;
  modal: Modal | null = null;
  replyTo: Map<Id, Id> = new Map(); // channel -> message replied to
  editing: Id | null = null;
  toast: string | null = null;

  private listeners = new Set<() => void>();

  subscribe(f: () => void) {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  emit() {
    this.version++;
    for (const f of this.listeners) f();
  }

  reset() {
    this.me = null;
    this.ready = false;
    this.spaces.clear();
    this.channels.clear();
    this.readStates.clear();
    this.histories.clear();
    this.presences.clear();
    this.users.clear();
    this.typing.clear();
    this.markers.clear();
    this.voiceStates.clear();
    this.speaking.clear();
    this.spaceId = null;
    this.channelId = null;
    this.threadId = null;
    this.modal = null;
    this.everOnline = false;
    this.emit();
  }

  // ---------------------------------------------------------------- queries

  privateChannels(): Channel[] {
    return [...this.channels.values()]
      .filter((c) => c.type === 'dm' || c.type === 'group_dm')
      .sort((a, b) => idCmp(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
  }

  spaceChannels(spaceId: Id): Channel[] {
    return [...this.channels.values()]
      .filter((c) => c.space_id === spaceId && c.type !== 'thread')
      .sort((a, b) => a.position - b.position || idCmp(a.id, b.id));
  }

  threadsOf(channelId: Id): Channel[] {
    return [...this.channels.values()].filter((c) => c.type === 'thread' && c.parent_id === channelId);
  }

  unread(channelId: Id): boolean {
    const c = this.channels.get(channelId);
    if (!c?.last_message_id) return false;
    const rs = this.readStates.get(channelId);
    return newer(c.last_message_id, rs?.last_read_id ?? null);
  }

  mentions(channelId: Id): number {
    return this.readStates.get(channelId)?.mention_count ?? 0;
  }

  spaceUnread(spaceId: Id): { unread: boolean; mentions: number } {
    let unread = false;
    let mentions = 0;
    for (const c of this.channels.values()) {
      if (c.space_id !== spaceId || c.type === 'voice' || c.type === 'category') continue;
      if (this.unread(c.id)) unread = true;
      mentions += this.mentions(c.id);
    }
    return { unread, mentions };
  }

  user(id: Id): PublicUser | undefined {
    return this.users.get(id);
  }

  displayName(userId: Id, spaceId?: Id | null): string {
    if (spaceId) {
      const m = this.spaces.get(spaceId)?.members.get(userId);
      if (m?.nick) return m.nick;
    }
    const u = this.users.get(userId);
    return u?.display_name || u?.username || 'unknown user';
  }

  channelTitle(c: Channel): string {
    if (c.type === 'dm' || c.type === 'group_dm') {
      const others = (c.recipients ?? []).filter((r) => r !== this.me?.id);
      return others.map((r) => this.displayName(r)).join(', ') || c.name || 'Direct message';
    }
    return c.name;
  }

  status(userId: Id): Status {
    if (userId === this.me?.id) {
      return this.me.status === 'invisible' ? 'offline' : this.me.status;
    }
    return this.presences.get(userId) ?? 'offline';
  }

  history(channelId: Id): History {
    let h = this.histories.get(channelId);
    if (!h) {
      h = { list: [], hasMoreBefore: true, hasMoreAfter: false, loading: false };
      this.histories.set(channelId, h);
    }
    return h;
  }

  findMessage(channelId: Id, id: Id): LocalMessage | undefined {
    return this.histories.get(channelId)?.list.find((m) => m.id === id);
  }

  voiceMembers(channelId: Id): VoiceState[] {
    return [...this.voiceStates.values()].filter((v) => v.channel_id === channelId).sort((a, b) => idCmp(a.user_id, b.user_id));
  }

  typingIn(channelId: Id): Id[] {
    const now = Date.now();
    const t = this.typing.get(channelId);
    if (!t) return [];
    return [...t.entries()].filter(([, until]) => until > now).map(([u]) => u);
  }

  // ---------------------------------------------------------------- updates

  putVoiceState(v: VoiceState) {
    if (v.channel_id) {
      this.voiceStates.set(v.user_id, v);
    } else if (this.voiceStates.get(v.user_id)?.space_id === v.space_id) {
      this.voiceStates.delete(v.user_id);
      this.speaking.delete(v.user_id);
    }
  }

  rememberUser(u: PublicUser | undefined) {
    if (u?.id) this.users.set(u.id, { ...this.users.get(u.id), ...u });
  }

  putSpace(d: SpaceDetail) {
    const prev = this.spaces.get(d.id);
    const members = prev?.members ?? new Map<Id, Member>();
    for (const m of d.members ?? []) {
      members.set(m.user.id, m);
      this.rememberUser(m.user);
    }
    for (const p of d.presences ?? []) this.presences.set(p.user_id, p.status);
    this.spaces.set(d.id, {
      id: d.id,
      name: d.name,
      icon: d.icon,
      owner_id: d.owner_id,
      created_at: d.created_at,
      member_count: d.member_count,
      roles: d.roles ?? prev?.roles ?? [],
      members,
      membersLoaded: (prev?.membersLoaded ?? false) || d.members !== undefined,
    });
    if (d.voice_states) {
      for (const v of [...this.voiceStates.values()]) if (v.space_id === d.id) this.voiceStates.delete(v.user_id);
      for (const v of d.voice_states) this.putVoiceState({ ...v, space_id: d.id });
    }
    if (d.channels) {
      for (const c of [...this.channels.values()]) {
        if (c.space_id === d.id && !d.channels.some((x) => x.id === c.id)) this.channels.delete(c.id);
      }
      for (const c of d.channels) this.channels.set(c.id, c);
    }
  }

  applyReady(r: Ready) {
    this.me = r.user;
    this.rememberUser(r.user);
    this.spaces.clear();
    for (const c of [...this.channels.values()]) this.channels.delete(c.id);
    this.presences.clear();
    this.voiceStates.clear();
    for (const s of r.spaces) this.putSpace(s);
    for (const c of r.private_channels) this.channels.set(c.id, c);
    this.readStates.clear();
    for (const rs of r.read_states) this.readStates.set(rs.channel_id, rs);
    for (const id of [...this.histories.keys()]) {
      if (!this.channels.has(id)) this.histories.delete(id);
    }
    this.ready = true;
  }

  addMessage(m: Message) {
    this.rememberUser(m.author);
    const c = this.channels.get(m.channel_id);
    if (c && newer(m.id, c.last_message_id)) c.last_message_id = m.id;
    const h = this.histories.get(m.channel_id);
    if (!h) return;
    const at = h.list.findIndex((x) => x.id === m.id || (m.nonce && x.pending && x.nonce === m.nonce));
    if (at >= 0) {
      h.list[at] = { ...m, reactions: mergeReactions(h.list[at].reactions, m.reactions) };
      return;
    }
    // A window away from the present gets new messages when it scrolls there.
    if (h.hasMoreAfter) return;
    h.list.push(m);
    h.list.sort((a, b) => (a.pending ? 1 : 0) - (b.pending ? 1 : 0) || idCmp(a.id, b.id));
  }

  updateMessage(m: Message) {
    this.rememberUser(m.author);
    const h = this.histories.get(m.channel_id);
    const at = h?.list.findIndex((x) => x.id === m.id) ?? -1;
    if (h && at >= 0) h.list[at] = { ...m, reactions: mergeReactions(h.list[at].reactions, m.reactions) };
  }

  removeMessage(channelId: Id, id: Id) {
    const h = this.histories.get(channelId);
    if (h) h.list = h.list.filter((m) => m.id !== id);
    if (this.editing === id) this.editing = null;
    if (this.replyTo.get(channelId) === id) this.replyTo.delete(channelId);
  }

  react(channelId: Id, messageId: Id, emoji: string, userId: Id, add: boolean) {
    const m = this.findMessage(channelId, messageId);
    if (!m) return;
    const mine = userId === this.me?.id;
    const r = m.reactions.find((x) => x.emoji === emoji);
    if (add) {
      if (r) {
        if (mine && r.me) return;
        r.count += 1;
        if (mine) r.me = true;
      } else {
        m.reactions = [...m.reactions, { emoji, count: 1, me: mine }];
      }
    } else if (r) {
      if (mine && !r.me) return;
      r.count -= 1;
      if (mine) r.me = false;
      if (r.count <= 0) m.reactions = m.reactions.filter((x) => x !== r);
    }
    m.reactions = [...m.reactions];
  }
}

// Events carry reactions with me=false: keep what this client knows.
function mergeReactions(prev: Message['reactions'], next: Message['reactions']) {
  return next.map((r) => ({ ...r, me: r.me || (prev.find((p) => p.emoji === r.emoji)?.me ?? false) }));
}

export const store = new Store();

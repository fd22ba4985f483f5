// What the app does: the gateway's events applied to the store, history
// loading, sending and the other message operations.
import { api, ApiError, forgetSession, hasSession, upload, whenSignedOut } from './api';
import { Gateway } from './gateway';
import { idCmp, newer, nonce } from './ids';
import { channelPath, navigate, onRoute, route, type Route } from './router';
import { store, type LocalMessage } from './store';
import type { Attachment, Channel, Id, Member, Message, PrivateUser, Ready, ReadState, Role, SpaceDetail, VoiceState } from './types';

const PAGE = 50;
const TYPING_SHOWN_MS = 10_000;
const TYPING_SEND_EVERY_MS = 8_000;

export const gateway = new Gateway({
  dispatch: (t, d) => {
    onDispatch(t, d);
    store.emit();
  },
  state: (s) => {
    store.connection = s;
    if (s === 'online') store.everOnline = true;
    store.emit();
  },
  resync: () => void resync(),
});

export function toast(text: string) {
  store.toast = text;
  store.emit();
  setTimeout(() => {
    if (store.toast === text) {
      store.toast = null;
      store.emit();
    }
  }, 5000);
}

export function explain(e: unknown): string {
  if (e instanceof ApiError) {
    const fields = Object.entries(e.fields).map(([k, v]) => `${k} ${v}`);
    return fields.length ? `${e.message}: ${fields.join(', ')}` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------- session

export function startSession() {
  store.connection = 'connecting';
  gateway.start();
}

whenSignedOut(() => {
  gateway.stop();
  store.reset();
  const r = route();
  if (r.name !== 'login' && r.name !== 'register' && r.name !== 'invite') navigate('/login', true);
});

export function endSession() {
  gateway.stop();
  forgetSession();
  store.reset();
}

// ---------------------------------------------------------------- events

function onDispatch(t: string, d: any) {
  switch (t) {
    case 'READY':
      store.applyReady(d as Ready);
      applyRoute(route());
      break;
    case 'MESSAGE_CREATE': {
      const m = d as Message;
      store.addMessage(m);
      const t2 = store.typing.get(m.channel_id);
      t2?.delete(m.author.id);
      const mine = m.author.id === store.me?.id;
      if (mine) {
        markRead(m.channel_id, m.id, false);
      } else if (isVisible(m.channel_id)) {
        maybeAck(m.channel_id);
      } else if (store.me && (m.mentions.includes(store.me.id) || m.mention_everyone)) {
        const rs = readState(m.channel_id);
        rs.mention_count += 1;
      }
      break;
    }
    case 'MESSAGE_UPDATE':
      store.updateMessage(d as Message);
      break;
    case 'MESSAGE_DELETE':
      store.removeMessage(d.channel_id, d.id);
      break;
    case 'REACTION_ADD':
    case 'REACTION_REMOVE':
      store.react(d.channel_id, d.message_id, d.emoji, d.user_id, t === 'REACTION_ADD');
      break;
    case 'PIN_UPDATE': {
      const m = store.findMessage(d.channel_id, d.message_id);
      if (m) m.pinned = d.pinned;
      break;
    }
    case 'TYPING_START': {
      if (d.user_id === store.me?.id) break;
      let t2 = store.typing.get(d.channel_id);
      if (!t2) store.typing.set(d.channel_id, (t2 = new Map()));
      t2.set(d.user_id, Date.now() + TYPING_SHOWN_MS);
      break;
    }
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
    case 'THREAD_CREATE': {
      const c = d as Channel;
      const prev = store.channels.get(c.id);
      store.channels.set(c.id, { ...c, last_message_id: newer(prev?.last_message_id, c.last_message_id) ? prev!.last_message_id : c.last_message_id });
      break;
    }
    case 'CHANNEL_DELETE':
      store.channels.delete(d.id);
      store.histories.delete(d.id);
      if (store.threadId === d.id) store.threadId = null;
      if (store.channelId === d.id) navigate(channelPath(d.space_id ?? null), true);
      break;
    case 'SPACE_CREATE':
      store.putSpace(d as SpaceDetail);
      break;
    case 'SPACE_UPDATE': {
      const s = store.spaces.get(d.id);
      if (s) Object.assign(s, { name: d.name, icon: d.icon, owner_id: d.owner_id, member_count: d.member_count });
      break;
    }
    case 'SPACE_DELETE': {
      store.spaces.delete(d.id);
      for (const c of [...store.channels.values()]) if (c.space_id === d.id) store.channels.delete(c.id);
      if (store.spaceId === d.id) navigate('/channels/@me', true);
      break;
    }
    case 'MEMBER_ADD':
    case 'MEMBER_UPDATE': {
      const m = d as Member;
      store.rememberUser(m.user);
      const s = store.spaces.get(m.space_id);
      if (s) {
        if (t === 'MEMBER_ADD' && !s.members.has(m.user.id)) s.member_count += 1;
        s.members.set(m.user.id, m);
      }
      break;
    }
    case 'MEMBER_REMOVE': {
      const s = store.spaces.get(d.space_id);
      if (s?.members.delete(d.user.id)) s.member_count = Math.max(0, s.member_count - 1);
      break;
    }
    case 'ROLE_CREATE':
    case 'ROLE_UPDATE': {
      const s = store.spaces.get(d.space_id);
      const r = d.role as Role;
      if (s) s.roles = [...s.roles.filter((x) => x.id !== r.id), r].sort((a, b) => a.position - b.position);
      break;
    }
    case 'ROLE_DELETE': {
      const s = store.spaces.get(d.space_id);
      if (s) {
        s.roles = s.roles.filter((x) => x.id !== d.role_id);
        for (const m of s.members.values()) m.roles = m.roles.filter((r) => r !== d.role_id);
      }
      break;
    }
    case 'READ_STATE_UPDATE': {
      const rs = d as ReadState;
      const prev = store.readStates.get(rs.channel_id);
      if (!prev || !newer(prev.last_read_id, rs.last_read_id)) store.readStates.set(rs.channel_id, rs);
      break;
    }
    case 'PRESENCE_UPDATE':
      store.presences.set(d.user_id, d.status);
      break;
    case 'VOICE_STATE_UPDATE':
      store.putVoiceState(d as VoiceState);
      break;
    case 'MEMBERS_CHUNK': {
      const s = store.spaces.get(d.space_id);
      if (!s) break;
      for (const m of d.members as Member[]) {
        s.members.set(m.user.id, m);
        store.rememberUser(m.user);
      }
      for (const p of d.presences) store.presences.set(p.user_id, p.status);
      s.membersLoaded = true;
      break;
    }
  }
}

// Events may have been missed (the server forgot the session, e.g. after a
// restart): fetch what came after the newest message of each open history.
async function resync() {
  const jobs = [...store.histories.entries()].map(async ([channelId, h]) => {
    if (!store.channels.has(channelId)) {
      store.histories.delete(channelId);
      return;
    }
    if (h.hasMoreAfter) return;
    const known = h.list.filter((m) => !m.pending);
    if (known.length === 0) {
      h.hasMoreBefore = true;
      h.list = h.list.filter((m) => m.pending);
      await loadInitial(channelId);
      return;
    }
    let after = known[known.length - 1].id;
    for (let i = 0; i < 20; i++) {
      const page = await api<Message[]>('GET', `/channels/${channelId}/messages?after=${after}&limit=100`);
      for (const m of page) store.addMessage(m);
      if (page.length < 100) break;
      after = page[page.length - 1].id;
    }
    // Edits and deletes of what is on screen may also have been missed.
    const recent = await api<Message[]>('GET', `/channels/${channelId}/messages?limit=${PAGE}`);
    const ids = new Set(recent.map((m) => m.id));
    const oldestRecent = recent.length ? recent[recent.length - 1].id : null;
    h.list = h.list.filter((m) => m.pending || !oldestRecent || idCmp(m.id, oldestRecent) < 0 || ids.has(m.id));
    for (const m of recent) store.updateMessage(m);
  });
  await Promise.allSettled(jobs);
  store.emit();
  if (store.channelId) maybeAck(store.channelId);
}

// ---------------------------------------------------------------- routes

export function applyRoute(r: Route) {
  if (r.name !== 'app' || !store.ready) return;
  store.navOpen = false;
  let spaceId = r.spaceId;
  let channelId = r.channelId;
  if (!spaceId) {
    const first = [...store.spaces.keys()][0];
    navigate(first ? channelPath(first) : '/channels/@me', true);
    return;
  }
  if (spaceId !== '@me' && !store.spaces.has(spaceId)) {
    navigate('/channels/@me', true);
    return;
  }
  if (!channelId && spaceId !== '@me') {
    const first = store.spaceChannels(spaceId).find((c) => c.type === 'text');
    if (first) {
      navigate(channelPath(spaceId, first.id), true);
      return;
    }
  }
  if (store.spaceId !== spaceId || store.channelId !== channelId) store.threadId = null;
  store.spaceId = spaceId;
  store.channelId = channelId;
  if (spaceId !== '@me') void ensureMembers(spaceId);
  if (channelId) {
    const c = store.channels.get(channelId);
    if (c && c.type !== 'voice' && c.type !== 'category') openHistory(channelId);
  }
}

onRoute(applyRoute);

export function openHistory(channelId: Id) {
  const h = store.history(channelId);
  // The "new" line sits where reading stopped when the channel was opened.
  store.markers.set(channelId, store.unread(channelId) ? (store.readStates.get(channelId)?.last_read_id ?? '0') : null);
  if (h.list.length === 0 && !h.loading) void loadInitial(channelId).then(() => maybeAck(channelId));
  else maybeAck(channelId);
}

async function ensureMembers(spaceId: Id) {
  const s = store.spaces.get(spaceId);
  if (!s || s.membersLoaded) return;
  s.membersLoaded = true;
  try {
    let after = '';
    for (let i = 0; i < 10; i++) {
      const page = await api<Member[]>('GET', `/spaces/${spaceId}/members?limit=1000${after ? '&after=' + after : ''}`);
      for (const m of page) {
        s.members.set(m.user.id, m);
        store.rememberUser(m.user);
      }
      if (page.length < 1000) break;
      after = page[page.length - 1].user.id;
    }
    gateway.send('request_members', { space_id: spaceId, limit: 1000 });
  } catch {
    s.membersLoaded = false;
  }
  store.emit();
}

// ---------------------------------------------------------------- history

async function loadPage(channelId: Id, query: string): Promise<Message[]> {
  const page = await api<Message[]>('GET', `/channels/${channelId}/messages?${query}`);
  for (const m of page) store.rememberUser(m.author);
  return page;
}

export async function loadInitial(channelId: Id) {
  const h = store.history(channelId);
  if (h.loading) return;
  h.loading = true;
  store.emit();
  try {
    const page = await loadPage(channelId, `limit=${PAGE}`);
    const pending = h.list.filter((m) => m.pending);
    h.list = [...page.reverse(), ...pending];
    h.hasMoreBefore = page.length === PAGE;
    h.hasMoreAfter = false;
  } catch (e) {
    toast(explain(e));
  } finally {
    h.loading = false;
    store.emit();
  }
}

export async function loadOlder(channelId: Id): Promise<boolean> {
  const h = store.history(channelId);
  const oldest = h.list.find((m) => !m.pending);
  if (h.loading || !h.hasMoreBefore || !oldest) return false;
  h.loading = true;
  try {
    const page = await loadPage(channelId, `before=${oldest.id}&limit=${PAGE}`);
    const have = new Set(h.list.map((m) => m.id));
    h.list = [...page.reverse().filter((m) => !have.has(m.id)), ...h.list];
    h.hasMoreBefore = page.length === PAGE;
    return page.length > 0;
  } catch (e) {
    toast(explain(e));
    return false;
  } finally {
    h.loading = false;
    store.emit();
  }
}

export async function loadNewer(channelId: Id): Promise<boolean> {
  const h = store.history(channelId);
  const known = h.list.filter((m) => !m.pending);
  if (h.loading || !h.hasMoreAfter || known.length === 0) return false;
  h.loading = true;
  try {
    const page = await loadPage(channelId, `after=${known[known.length - 1].id}&limit=${PAGE}`);
    const have = new Set(h.list.map((m) => m.id));
    h.list = [...h.list, ...page.filter((m) => !have.has(m.id))];
    h.hasMoreAfter = page.length === PAGE;
    return page.length > 0;
  } catch (e) {
    toast(explain(e));
    return false;
  } finally {
    h.loading = false;
    store.emit();
    maybeAck(channelId);
  }
}

// Shows a message: in the loaded history when it is there, else a window of
// history around it (scrolling down then walks back to the present).
export async function jumpTo(channelId: Id, messageId: Id) {
  const c = store.channels.get(channelId);
  if (!c) {
    toast('That channel is not available');
    return;
  }
  const inThread = c.type === 'thread';
  if (inThread) {
    if (store.channelId !== c.parent_id) navigate(channelPath(c.space_id, c.parent_id));
    store.threadId = channelId;
  } else {
    navigate(channelPath(c.space_id, channelId));
  }
  const h = store.history(channelId);
  if (!h.list.some((m) => m.id === messageId)) {
    h.loading = true;
    try {
      const page = await loadPage(channelId, `around=${messageId}&limit=${PAGE}`);
      h.list = page;
      h.hasMoreBefore = page.length > 0;
      const newest = page.length ? page[page.length - 1].id : null;
      // `around` returns half the page before the message and the rest from
      // it on: a full newer half means there may be more.
      const at = page.findIndex((m) => m.id === messageId);
      const newerShown = at >= 0 ? page.length - at - 1 : 0;
      h.hasMoreAfter = !!newest && (newerShown >= PAGE - Math.floor(PAGE / 2) - 1 || newer(c.last_message_id, newest));
    } catch (e) {
      toast(explain(e));
    } finally {
      h.loading = false;
    }
  }
  store.highlight = messageId;
  store.emit();
  setTimeout(() => {
    if (store.highlight === messageId) {
      store.highlight = null;
      store.emit();
    }
  }, 4000);
}

export async function jumpToPresent(channelId: Id) {
  const h = store.history(channelId);
  h.list = h.list.filter((m) => m.pending);
  h.hasMoreAfter = false;
  h.hasMoreBefore = true;
  await loadInitial(channelId);
}

// ---------------------------------------------------------------- read state

function readState(channelId: Id): ReadState {
  let rs = store.readStates.get(channelId);
  if (!rs) {
    rs = { channel_id: channelId, last_read_id: null, mention_count: 0 };
    store.readStates.set(channelId, rs);
  }
  return rs;
}

function isVisible(channelId: Id): boolean {
  return document.visibilityState === 'visible' && (store.channelId === channelId || store.threadId === channelId);
}

const ackTimers = new Map<Id, ReturnType<typeof setTimeout>>();

function markRead(channelId: Id, messageId: Id, send: boolean) {
  const rs = readState(channelId);
  if (newer(messageId, rs.last_read_id) || rs.mention_count) {
    if (newer(messageId, rs.last_read_id)) rs.last_read_id = messageId;
    rs.mention_count = 0;
    if (send) {
      clearTimeout(ackTimers.get(channelId));
      ackTimers.set(
        channelId,
        setTimeout(() => {
          ackTimers.delete(channelId);
          void api('POST', `/channels/${channelId}/messages/${rs.last_read_id}/ack`, {}).catch(() => {});
        }, 300),
      );
    }
  }
}

export function maybeAck(channelId: Id) {
  if (!isVisible(channelId)) return;
  const h = store.histories.get(channelId);
  if (!h || h.hasMoreAfter) return;
  const last = [...h.list].reverse().find((m) => !m.pending);
  const rs = store.readStates.get(channelId);
  if (last && (newer(last.id, rs?.last_read_id) || (rs?.mention_count ?? 0) > 0)) {
    markRead(channelId, newer(last.id, rs?.last_read_id) ? last.id : rs!.last_read_id!, true);
    store.emit();
  }
}

document.addEventListener('visibilitychange', () => {
  if (store.channelId) maybeAck(store.channelId);
  if (store.threadId) maybeAck(store.threadId);
});

// ---------------------------------------------------------------- typing

const typingSent = new Map<Id, number>();

export function sendTyping(channelId: Id) {
  const last = typingSent.get(channelId) ?? 0;
  if (Date.now() - last < TYPING_SEND_EVERY_MS) return;
  typingSent.set(channelId, Date.now());
  gateway.send('typing', { channel_id: channelId });
}

// Expired typing indicators disappear without an event.
setInterval(() => {
  const now = Date.now();
  let changed = false;
  for (const t of store.typing.values()) {
    for (const [u, until] of t) {
      if (until <= now) {
        t.delete(u);
        changed = true;
      }
    }
  }
  if (changed) store.emit();
}, 1000);

// ---------------------------------------------------------------- messages

export interface PendingUpload {
  id: string;
  file: File;
  progress: number;
  preview: string | null;
  attachment?: Attachment;
  error?: string;
  abort: () => void;
}

export function startUpload(file: File, onChange: () => void): PendingUpload {
  const u: PendingUpload = {
    id: nonce(),
    file,
    progress: 0,
    preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null,
    abort: () => {},
  };
  const job = upload<Attachment>(file, (f) => {
    u.progress = f;
    onChange();
  });
  u.abort = job.abort;
  job.promise.then(
    (a) => {
      u.attachment = a;
      onChange();
    },
    (e) => {
      u.error = explain(e);
      onChange();
    },
  );
  return u;
}

export async function sendMessage(channelId: Id, content: string, attachments: Attachment[] = []) {
  const n = nonce();
  const me = store.me as PrivateUser;
  const replyTo = store.replyTo.get(channelId) ?? null;
  store.replyTo.delete(channelId);
  const local: LocalMessage = {
    id: 'pending-' + n,
    channel_id: channelId,
    author: { id: me.id, username: me.username, display_name: me.display_name, avatar: me.avatar },
    content,
    created_at: new Date().toISOString(),
    edited_at: null,
    reply_to: replyTo,
    attachments,
    reactions: [],
    pinned: false,
    mentions: [],
    mention_everyone: false,
    thread_id: null,
    nonce: n,
    pending: true,
  };
  const h = store.history(channelId);
  if (!h.hasMoreAfter) h.list.push(local);
  store.emit();
  const body: Record<string, unknown> = { content, nonce: n };
  if (replyTo) body.reply_to = replyTo;
  if (attachments.length) body.attachment_ids = attachments.map((a) => a.id);
  // The nonce makes a retry after a lost answer safe: the server returns the
  // message it already has.
  for (let attempt = 0; ; attempt++) {
    try {
      const m = await api<Message>('POST', `/channels/${channelId}/messages`, body);
      if (h.hasMoreAfter) await jumpToPresent(channelId);
      store.addMessage(m);
      markRead(channelId, m.id, true);
      break;
    } catch (e) {
      if (e instanceof ApiError && e.status === 0 && attempt < 3) continue;
      if (e instanceof TypeError && attempt < 5) {
        await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
        continue;
      }
      local.failed = true;
      toast(explain(e));
      break;
    }
  }
  store.emit();
}

export function discardFailed(channelId: Id, id: Id) {
  store.removeMessage(channelId, id);
  store.emit();
}

export async function editMessage(m: Message, content: string) {
  try {
    const updated = await api<Message>('PATCH', `/channels/${m.channel_id}/messages/${m.id}`, { content });
    store.updateMessage(updated);
  } catch (e) {
    toast(explain(e));
  }
  store.editing = null;
  store.emit();
}

export async function deleteMessage(m: Message) {
  try {
    await api('DELETE', `/channels/${m.channel_id}/messages/${m.id}`);
    store.removeMessage(m.channel_id, m.id);
  } catch (e) {
    toast(explain(e));
  }
  store.emit();
}

export async function toggleReaction(m: Message, emoji: string) {
  const r = m.reactions.find((x) => x.emoji === emoji);
  const add = !r?.me;
  store.react(m.channel_id, m.id, emoji, store.me!.id, add);
  store.emit();
  try {
    await api(add ? 'PUT' : 'DELETE', `/channels/${m.channel_id}/messages/${m.id}/reactions/${encodeURIComponent(emoji)}/@me`);
  } catch (e) {
    store.react(m.channel_id, m.id, emoji, store.me!.id, !add);
    toast(explain(e));
    store.emit();
  }
}

export async function togglePin(m: Message) {
  try {
    await api(m.pinned ? 'DELETE' : 'PUT', `/channels/${m.channel_id}/pins/${m.id}`);
    m.pinned = !m.pinned;
  } catch (e) {
    toast(explain(e));
  }
  store.emit();
}

export async function openThread(m: Message) {
  let threadId = m.thread_id;
  if (!threadId) {
    try {
      const name = (m.content.split('\n')[0] || 'thread').slice(0, 80);
      const t = await api<Channel>('POST', `/channels/${m.channel_id}/messages/${m.id}/threads`, { name });
      store.channels.set(t.id, t);
      threadId = t.id;
      m.thread_id = t.id;
    } catch (e) {
      toast(explain(e));
      return;
    }
  }
  store.threadId = threadId;
  store.searchOpen = false;
  store.pinsOpen = false;
  openHistory(threadId);
  store.emit();
}

export async function openDm(userId: Id) {
  try {
    const c = await api<Channel>('POST', '/users/@me/channels', { recipients: [userId] });
    store.channels.set(c.id, c);
    navigate(channelPath('@me', c.id));
  } catch (e) {
    toast(explain(e));
  }
}

// ---------------------------------------------------------------- spaces

export async function createSpace(name: string) {
  const s = await api<SpaceDetail>('POST', '/spaces', { name });
  store.putSpace(s);
  navigate(channelPath(s.id));
}

export async function joinInvite(code: string) {
  try {
    const s = await api<SpaceDetail>('POST', `/invites/${encodeURIComponent(code)}`);
    store.putSpace(s);
    navigate(channelPath(s.id), true);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'already_member') {
      const inv = await api<{ space: { id: Id } }>('GET', `/invites/${encodeURIComponent(code)}`);
      navigate(channelPath(inv.space.id), true);
      return;
    }
    throw e;
  }
}

export function inviteCodeFrom(text: string): string {
  const t = text.trim();
  const m = t.match(/\/invite\/([A-Za-z0-9]+)/);
  return m ? m[1] : t;
}

export function signedInAtStart(): boolean {
  return hasSession();
}

// This tab's voice session: one VoiceClient at a time, its events applied to
// the store (store.voice for the panel, voiceStates and speaking for the
// channel lists). The signaling socket's participant events update
// voiceStates at once; the main gateway's VOICE_STATE_UPDATE says the same
// to everyone else in the space.
import { explain, toast } from '../actions';
import { store } from '../store';
import type { Channel } from '../types';
import { VoiceClient, type Participant, type VoiceEvent } from './client';
import { debugEnabled, loadPrefs, savePrefs, type VoicePrefs } from './prefs';

let client: VoiceClient | null = null;

// Signing out ends the call.
store.subscribe(() => {
  if (!store.me && client) leaveVoice();
});

export async function joinVoice(c: Channel) {
  if (!c.space_id || c.type !== 'voice') return;
  if (client?.channelId === c.id && store.voice?.status !== 'failed') return;
  leaveVoice();
  const spaceId = c.space_id;
  store.voice = { channelId: c.id, spaceId, status: 'connecting', detail: null, muted: false, deafened: false, quality: null, rttMs: null, lossPct: null };
  store.emit();
  const me = new VoiceClient(c.id, loadPrefs(), (e) => {
    if (client !== me) return;
    onEvent(me, spaceId, e);
    store.emit();
  });
  client = me;
  if (debugEnabled()) (window as unknown as { driftwayVoice: VoiceClient }).driftwayVoice = me;
  try {
    await me.start();
  } catch (e) {
    if (client !== me) return;
    client = null;
    store.voice = { ...store.voice!, status: 'failed', detail: explain(e) };
    toast(`Could not join ${c.name}: ${explain(e)}`);
    store.emit();
  }
}

export function leaveVoice() {
  const c = client;
  client = null;
  c?.leave();
  const me = store.me?.id;
  if (me && store.voice) store.putVoiceState({ ...stateOf(me, store.voice.spaceId), channel_id: null });
  store.voice = null;
  store.emit();
}

export function toggleMute() {
  const v = store.voice;
  if (!v) return;
  // Unmuting while deafened undeafens too (as people expect from Discord).
  const muted = !v.muted;
  v.muted = muted;
  if (!muted) v.deafened = false;
  client?.setMuted(v.muted, v.deafened);
  store.emit();
}

export function toggleDeafen() {
  const v = store.voice;
  if (!v) return;
  v.deafened = !v.deafened;
  v.muted = v.deafened || v.muted;
  client?.setMuted(v.muted, v.deafened);
  store.emit();
}

export function setMemberVolume(userId: string, volume: number) {
  const p = loadPrefs();
  p.volumes[userId] = Math.min(1, Math.max(0, volume));
  savePrefs(p);
  client?.refreshVolumes();
  store.emit();
}

export async function applyPrefs(p: VoicePrefs) {
  savePrefs(p);
  await client?.setPrefs(p);
}

function stateOf(userId: string, spaceId: string) {
  return store.voiceStates.get(userId) ?? { user_id: userId, space_id: spaceId, channel_id: null, self_mute: false, self_deaf: false, server_mute: false, server_deaf: false };
}

function putParticipant(p: Participant, spaceId: string, channelId: string) {
  store.putVoiceState({
    user_id: String(p.user_id),
    space_id: spaceId,
    channel_id: channelId,
    self_mute: !!p.self_mute,
    self_deaf: !!p.self_deaf,
    server_mute: !!p.server_mute,
    server_deaf: !!p.server_deaf,
  });
  if (p.speaking) store.speaking.add(String(p.user_id));
}

function onEvent(c: VoiceClient, spaceId: string, e: VoiceEvent) {
  const v = store.voice;
  if (!v) return;
  switch (e.type) {
    case 'status':
      v.status = e.status;
      v.detail = e.detail ?? null;
      break;
    case 'participants': {
      for (const p of e.list) putParticipant(p, spaceId, c.channelId);
      const me = store.me?.id;
      if (me) store.putVoiceState({ ...stateOf(me, spaceId), space_id: spaceId, channel_id: c.channelId, self_mute: v.muted, self_deaf: v.deafened });
      break;
    }
    case 'joined':
    case 'state':
      putParticipant(e.p, spaceId, c.channelId);
      break;
    case 'left':
      store.putVoiceState({ ...stateOf(e.userId, spaceId), channel_id: null });
      break;
    case 'speaking':
      if (e.speaking) store.speaking.add(e.userId);
      else store.speaking.delete(e.userId);
      break;
    case 'quality':
      v.quality = e.q.level;
      v.rttMs = e.q.rttMs;
      v.lossPct = e.q.lossPct;
      break;
    case 'moved': {
      const to = store.channels.get(e.channelId);
      if (to) void joinVoice(to);
      break;
    }
    case 'closed':
      if (e.code === 4013 || !e.detail) break; // moved (handled above) or our own leave
      v.status = 'failed';
      v.detail = e.detail;
      client = null;
      toast(e.detail);
      break;
  }
}

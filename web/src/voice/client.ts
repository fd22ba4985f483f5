// One voice connection (docs/voice.md): POST /voice/{id}/join, the signaling
// WebSocket, and an RTCPeerConnection that answers the SFU's offers (the
// server is always the offerer). Knows nothing of the store: it reports
// through `on`, and voice/session.ts turns that into UI state.
import { api } from '../api';
import { RemoteAudio } from './audio';
import { forceRelay, micConstraints, type VoicePrefs } from './prefs';
import { offerSections } from './sdp';
import { measure, type Quality, type StatsSample } from './stats';

export interface JoinResponse {
  endpoint: string;
  token: string;
  channel_id: string;
  space_id: string;
  turn?: { urls: string[]; username: string; credential: string; ttl: number };
}

export interface Participant {
  user_id: string;
  self_mute: boolean;
  self_deaf: boolean;
  server_mute: boolean;
  server_deaf: boolean;
  speaking?: boolean;
}

export type VoiceEvent =
  | { type: 'status'; status: 'connecting' | 'connected' | 'failed'; detail?: string }
  | { type: 'participants'; list: Participant[] }
  | { type: 'joined'; p: Participant }
  | { type: 'left'; userId: string }
  | { type: 'state'; p: Participant }
  | { type: 'speaking'; userId: string; speaking: boolean }
  | { type: 'quality'; q: Quality }
  | { type: 'moved'; channelId: string }
  | { type: 'closed'; code: number; detail: string };

// Signaling frames kept for debugging (tests print them when media fails).
export interface FrameLog {
  dir: 'in' | 'out';
  op: string;
  d: unknown;
  at: number;
}

const CLOSE_REASONS: Record<number, string> = {
  4004: 'The voice server refused the token.',
  4006: 'You joined voice from somewhere else.',
  4011: 'A moderator disconnected you.',
  4012: 'The voice connection was lost.',
  4013: 'A moderator moved you.',
};
// Local speaking: the microphone's level (0..1) from getStats above this.
const SPEAKING_LEVEL = 0.02;
const STATS_EVERY_MS = 500;

export class VoiceClient {
  pc: RTCPeerConnection | null = null;
  readonly frames: FrameLog[] = [];
  private ws: WebSocket | null = null;
  private mic: MediaStream | null = null;
  private join: JoinResponse | null = null;
  private iceServers: RTCIceServer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly audio = new RemoteAudio();
  private muted = false;
  private leaving = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastStats: StatsSample | null = null;
  private selfSpeaking = false;
  private userId: string | null = null;
  private ownMid = '0';

  constructor(
    readonly channelId: string,
    private prefs: VoicePrefs,
    private readonly on: (e: VoiceEvent) => void,
  ) {}

  async start() {
    this.on({ type: 'status', status: 'connecting' });
    this.join = await api<JoinResponse>('POST', `/voice/${this.channelId}/join`);
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: micConstraints(this.prefs), video: false });
    } catch {
      this.mic = null; // no microphone or refused: listen only (answer inactive)
    }
    if (this.leaving) return this.stopMic();
    const ws = new WebSocket(endpointUrl(this.join.endpoint));
    this.ws = ws;
    ws.onopen = () => this.send('join', { token: this.join!.token });
    ws.onmessage = (e) => {
      let f: { op?: unknown; d?: unknown };
      try {
        f = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (typeof f.op === 'string') this.onFrame(f.op, (f.d ?? {}) as Record<string, any>);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const detail = this.leaving ? '' : (CLOSE_REASONS[e.code] ?? `The voice connection closed (${e.code}).`);
      this.teardown();
      this.on({ type: 'closed', code: e.code, detail });
    };
  }

  leave() {
    this.leaving = true;
    if (this.ws?.readyState === WebSocket.OPEN) this.send('leave', {});
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.teardown();
  }

  setMuted(muted: boolean, deafened: boolean) {
    this.muted = muted || deafened;
    this.audio.setDeafened(deafened);
    void this.applyMic();
    this.send('mute', { self_mute: this.muted, self_deaf: deafened });
  }

  // New devices or processing switches: a new microphone track, swapped in
  // without renegotiation (replaceTrack).
  async setPrefs(prefs: VoicePrefs) {
    const micChanged =
      prefs.inputDevice !== this.prefs.inputDevice ||
      prefs.echoCancellation !== this.prefs.echoCancellation ||
      prefs.noiseSuppression !== this.prefs.noiseSuppression ||
      prefs.autoGainControl !== this.prefs.autoGainControl;
    const sinkChanged = prefs.outputDevice !== this.prefs.outputDevice;
    this.prefs = prefs;
    this.audio.refreshVolumes();
    if (sinkChanged) await this.audio.setSink(prefs.outputDevice);
    if (micChanged && this.mic) {
      const next = await navigator.mediaDevices.getUserMedia({ audio: micConstraints(prefs), video: false });
      this.stopMic();
      this.mic = next;
      await this.applyMic();
    }
  }

  refreshVolumes() {
    this.audio.refreshVolumes();
  }

  // ------------------------------------------------------------ signaling

  private send(op: string, d: object) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.frames.push({ dir: 'out', op, d, at: Date.now() });
    this.ws.send(JSON.stringify({ op, d }));
  }

  private onFrame(op: string, d: Record<string, any>) {
    this.frames.push({ dir: 'in', op, d, at: Date.now() });
    switch (op) {
      case 'ready':
        this.userId = String(d.user_id ?? '');
        this.iceServers = Array.isArray(d.ice_servers) ? (d.ice_servers as RTCIceServer[]) : [];
        this.on({ type: 'participants', list: Array.isArray(d.participants) ? d.participants : [] });
        break;
      case 'offer':
        if (typeof d.sdp === 'string') {
          const sdp = d.sdp;
          this.chain = this.chain.then(() => this.answer(sdp)).catch((e) => this.fail(e));
        }
        break;
      case 'participant_joined':
        this.on({ type: 'joined', p: d as Participant });
        break;
      case 'participant_left':
        this.on({ type: 'left', userId: String(d.user_id) });
        break;
      case 'state':
        this.on({ type: 'state', p: d as Participant });
        break;
      case 'speaking':
        this.on({ type: 'speaking', userId: String(d.user_id), speaking: !!d.speaking });
        break;
      case 'moved':
        this.on({ type: 'moved', channelId: String(d.channel_id) });
        break;
      default:
        break; // stats answers, errors (glare cannot happen: we never offer)
    }
  }

  // ------------------------------------------------------------ media

  private peer(): RTCPeerConnection {
    if (this.pc) return this.pc;
    const turn = this.join?.turn;
    const servers: RTCIceServer[] = [...this.iceServers];
    if (turn && !servers.some((s) => s.username === turn.username)) {
      servers.push({ urls: turn.urls, username: turn.username, credential: turn.credential });
    }
    const relay = forceRelay();
    const pc = new RTCPeerConnection({
      iceServers: relay ? servers.filter((s) => s.username !== undefined) : servers,
      iceTransportPolicy: relay ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    this.pc = pc;
    pc.ontrack = (e) => {
      const mid = e.transceiver.mid;
      if (mid !== null) this.audio.attach(mid, e.track);
    };
    // The server is ICE-lite and learns our address from the checks; the
    // candidates are sent anyway (accepted and ignored) for servers that
    // do use them.
    pc.onicecandidate = (e) => {
      if (e.candidate) this.send('candidate', { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid });
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === 'connected') this.on({ type: 'status', status: 'connected' });
      if (pc.connectionState === 'failed') this.on({ type: 'status', status: 'failed', detail: 'Could not reach the voice server.' });
    };
    this.timer = setInterval(() => void this.poll(), STATS_EVERY_MS);
    return pc;
  }

  private async answer(sdp: string) {
    const pc = this.peer();
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const sections = offerSections(sdp);
    const own = sections[0]?.mid ?? '0';
    this.ownMid = own;
    for (const t of pc.getTransceivers()) {
      if (t.mid === null) continue;
      if (t.mid === own) continue;
      const s = sections.find((x) => x.mid === t.mid);
      const live = !!s && (s.direction === 'sendonly' || s.direction === 'sendrecv');
      t.direction = live ? 'recvonly' : 'inactive';
      this.audio.label(t.mid, live ? s!.userId : null);
      if (live) this.audio.attach(t.mid, t.receiver.track);
    }
    await this.applyMic();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.send('answer', { sdp: pc.localDescription?.sdp ?? answer.sdp });
  }

  // The first transceiver carries the microphone: sendonly with the track,
  // no track while muted (replaceTrack(null) stops RTP, so a muted user
  // sends nothing), inactive without a microphone.
  private async applyMic() {
    const pc = this.pc;
    if (!pc) return;
    const t = pc.getTransceivers().find((x) => x.mid === this.ownMid);
    if (!t) return;
    const track = this.mic?.getAudioTracks()[0] ?? null;
    const want = this.mic ? 'sendonly' : 'inactive';
    if (t.direction !== want) t.direction = want;
    await t.sender.replaceTrack(this.muted ? null : track);
  }

  private async poll() {
    const pc = this.pc;
    if (!pc) return;
    const sample = await measure(pc, this.lastStats);
    this.lastStats = sample;
    if (sample.quality) this.on({ type: 'quality', q: sample.quality });
    const speaking = !this.muted && sample.micLevel > SPEAKING_LEVEL;
    if (speaking !== this.selfSpeaking && this.userId) {
      this.selfSpeaking = speaking;
      this.on({ type: 'speaking', userId: this.userId, speaking });
    }
  }

  private fail(e: unknown) {
    this.on({ type: 'status', status: 'failed', detail: e instanceof Error ? e.message : String(e) });
  }

  private stopMic() {
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = null;
  }

  private teardown() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.pc?.close();
    this.pc = null;
    this.stopMic();
    this.audio.close();
  }
}

// The endpoint as the server gives it; a path is taken as same-origin.
function endpointUrl(endpoint: string): string {
  if (/^wss?:\/\//.test(endpoint)) return endpoint;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${endpoint.startsWith('/') ? '' : '/'}${endpoint}`;
}

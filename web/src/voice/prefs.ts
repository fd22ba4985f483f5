// Voice preferences of this browser: devices, audio processing and the
// volume of each member. Kept in localStorage (they describe this machine's
// hardware, not the account).
const KEY = 'driftway.voice.prefs';
// Test and debug switches (tests/e2e/voice.test.mjs sets them).
const FORCE_RELAY_KEY = 'driftway.voice.forceRelay';
const DEBUG_KEY = 'driftway.voice.debug';

export interface VoicePrefs {
  inputDevice: string; // '' = the system default
  outputDevice: string;
  echoCancellation: boolean;
  noiseSuppression: boolean;
  autoGainControl: boolean;
  volumes: Record<string, number>; // user id -> 0..1
}

const DEFAULTS: VoicePrefs = {
  inputDevice: '',
  outputDevice: '',
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  volumes: {},
};

export function loadPrefs(): VoicePrefs {
  try {
    const raw = localStorage.getItem(KEY);
    const p = raw ? (JSON.parse(raw) as Partial<VoicePrefs>) : {};
    return { ...DEFAULTS, ...p, volumes: { ...(p.volumes ?? {}) } };
  } catch {
    return { ...DEFAULTS, volumes: {} };
  }
}

export function savePrefs(p: VoicePrefs) {
  localStorage.setItem(KEY, JSON.stringify(p));
}

export function volumeOf(userId: string): number {
  const v = loadPrefs().volumes[userId];
  return typeof v === 'number' && v >= 0 && v <= 1 ? v : 1;
}

export function forceRelay(): boolean {
  return localStorage.getItem(FORCE_RELAY_KEY) === '1';
}

export function debugEnabled(): boolean {
  return localStorage.getItem(DEBUG_KEY) === '1';
}

export function micConstraints(p: VoicePrefs): MediaTrackConstraints {
  return {
    deviceId: p.inputDevice ? { exact: p.inputDevice } : undefined,
    echoCancellation: p.echoCancellation,
    noiseSuppression: p.noiseSuppression,
    autoGainControl: p.autoGainControl,
  };
}

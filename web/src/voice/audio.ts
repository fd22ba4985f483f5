// Playback of the other participants: one <audio> element per receiving
// m-section (mid), re-labelled when the SFU reuses a section for a newcomer.
// An element (not only WebAudio) is what makes Chromium pull and decode a
// remote WebRTC track; its volume is the per-member volume and setSinkId
// picks the output device.
import { volumeOf } from './prefs';

interface Slot {
  el: HTMLAudioElement;
  userId: string | null;
}

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export class RemoteAudio {
  private readonly slots = new Map<string, Slot>();
  private readonly box: HTMLDivElement;
  private deafened = false;
  private sink = '';

  constructor() {
    this.box = document.createElement('div');
    this.box.hidden = true;
    this.box.className = 'voice-audio';
    document.body.appendChild(this.box);
  }

  // A receiver's track for mid; the element is created once per mid.
  attach(mid: string, track: MediaStreamTrack) {
    let slot = this.slots.get(mid);
    if (!slot) {
      const el = document.createElement('audio');
      el.autoplay = true;
      this.box.appendChild(el);
      slot = { el, userId: null };
      this.slots.set(mid, slot);
      if (this.sink) void (el as SinkAudio).setSinkId?.(this.sink).catch(() => {});
    }
    const current = slot.el.srcObject as MediaStream | null;
    if (current?.getAudioTracks()[0] !== track) slot.el.srcObject = new MediaStream([track]);
    this.apply(slot);
    void slot.el.play().catch(() => {});
  }

  // Who a mid carries now (null: nobody, the section is inactive).
  label(mid: string, userId: string | null) {
    const slot = this.slots.get(mid);
    if (!slot) return;
    slot.userId = userId;
    this.apply(slot);
  }

  userOf(mid: string): string | null {
    return this.slots.get(mid)?.userId ?? null;
  }

  setDeafened(on: boolean) {
    this.deafened = on;
    for (const s of this.slots.values()) this.apply(s);
  }

  refreshVolumes() {
    for (const s of this.slots.values()) this.apply(s);
  }

  async setSink(deviceId: string) {
    this.sink = deviceId;
    await Promise.all([...this.slots.values()].map((s) => (s.el as SinkAudio).setSinkId?.(deviceId).catch(() => {})));
  }

  close() {
    for (const s of this.slots.values()) {
      s.el.pause();
      s.el.srcObject = null;
    }
    this.slots.clear();
    this.box.remove();
  }

  private apply(slot: Slot) {
    slot.el.muted = this.deafened || slot.userId === null;
    slot.el.volume = slot.userId ? volumeOf(slot.userId) : 0;
  }
}

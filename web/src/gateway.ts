// The realtime gateway (docs/gateway.md): hello, identify or resume,
// heartbeats, and reconnection with backoff. A refused resume
// (invalid_session) identifies again and tells the app to re-read history.
import { accessToken } from './api';

export type GatewayState = 'connecting' | 'online' | 'offline';

export interface GatewayHandlers {
  dispatch(type: string, data: any, resumed: boolean): void;
  state(state: GatewayState, detail: { attempt: number }): void;
  // After a READY that followed a refused resume or a lost session: events
  // may have been missed.
  resync(): void;
}

// Closes after which the session on the server is gone (docs/gateway.md,
// close codes): identify instead of resuming.
const SESSION_ENDING = new Set([4000, 4001, 4002, 4003, 4004, 4005, 4007, 1003, 1007, 1009]);

export class Gateway {
  private ws: WebSocket | null = null;
  private sessionId: string | null = null;
  private seq: number | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private ackPending = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private stopped = false;
  private hadSession = false; // a READY was seen before: a later READY means a gap

  constructor(private readonly h: GatewayHandlers) {}

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.sessionId = null;
    this.seq = null;
    this.hadSession = false;
  }

  send(op: string, d: object) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  // For tests and the "reconnect now" button.
  reconnectNow() {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
      this.open();
    }
  }

  private open() {
    if (this.stopped) return;
    this.h.state('connecting', { attempt: this.attempt });
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/gateway`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      let frame: { op: string; d: any; s?: number; t?: string };
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        return;
      }
      void this.onFrame(ws, frame);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopHeartbeat();
      if (SESSION_ENDING.has(e.code)) this.sessionId = null;
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect() {
    if (this.stopped) return;
    this.h.state('offline', { attempt: this.attempt });
    // 0.5 s, 1 s, 2 s, then every 3 s, with jitter so that a restarted
    // server is not met by every client at once.
    const base = Math.min(3000, 500 * 2 ** this.attempt);
    this.attempt += 1;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.open();
    }, base * (0.8 + Math.random() * 0.4));
  }

  private stopHeartbeat() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async onFrame(ws: WebSocket, f: { op: string; d: any; s?: number; t?: string }) {
    switch (f.op) {
      case 'hello': {
        const interval = Number(f.d?.heartbeat_interval_ms) || 41250;
        this.ackPending = false;
        this.stopHeartbeat();
        this.heartbeat = setInterval(() => {
          // No ack since the last beat: the connection is dead even if the
          // socket has not noticed; drop it and resume elsewhere.
          if (this.ackPending) {
            ws.close(4009);
            return;
          }
          this.ackPending = true;
          ws.send(JSON.stringify({ op: 'heartbeat', d: { seq: this.seq } }));
        }, interval);
        let token: string;
        try {
          token = await accessToken();
        } catch {
          ws.close(1000);
          return;
        }
        if (this.ws !== ws) return;
        if (this.sessionId && this.seq !== null) {
          ws.send(JSON.stringify({ op: 'resume', d: { token, session_id: this.sessionId, seq: this.seq } }));
        } else {
          ws.send(JSON.stringify({ op: 'identify', d: { token } }));
        }
        break;
      }
      case 'heartbeat_ack':
        this.ackPending = false;
        break;
      case 'invalid_session': {
        this.sessionId = null;
        this.seq = null;
        let token: string;
        try {
          token = await accessToken();
        } catch {
          ws.close(1000);
          return;
        }
        if (this.ws === ws) ws.send(JSON.stringify({ op: 'identify', d: { token } }));
        break;
      }
      case 'reconnect':
        ws.close(4000 + 900); // ours: resume on a new connection
        break;
      case 'dispatch': {
        if (typeof f.s === 'number') this.seq = f.s;
        if (f.t === 'READY') {
          this.sessionId = f.d.session_id;
          this.attempt = 0;
          const gap = this.hadSession;
          this.hadSession = true;
          this.h.dispatch('READY', f.d, false);
          this.h.state('online', { attempt: 0 });
          if (gap) this.h.resync();
          return;
        }
        if (f.t === 'RESUMED') {
          this.attempt = 0;
          this.h.state('online', { attempt: 0 });
          return;
        }
        this.h.dispatch(f.t ?? '', f.d, false);
        break;
      }
    }
  }
}

// A gateway client for the tests (docs/gateway.md), on the `ws` package:
// records every frame, and waits for frames or the close with deadlines.
import assert from 'node:assert/strict';
import WebSocket from 'ws';

export const WAIT_MS = 5000;

export class GatewayClient {
    // url: another WebSocket of the same framing (the voice signaling socket).
    constructor(server, url = `${server.url.replace(/^http/, 'ws')}/gateway`) {
        this.url = url;
        this.frames = [];
        this.closeInfo = null;
        this.waiters = new Set();
        this.ws = new WebSocket(this.url);
        this.ws.on('message', (data, isBinary) => {
            assert.equal(isBinary, false, 'the gateway sends text frames');
            const frame = JSON.parse(data.toString('utf8'));
            this.frames.push(frame);
            this.wake();
        });
        this.closed = new Promise((resolve) => {
            this.ws.on('close', (code, reason) => {
                this.closeInfo = { code, reason: reason.toString('utf8') };
                this.wake();
                resolve(this.closeInfo);
            });
        });
        this.ws.on('error', () => {});  // the close event follows
    }

    // Opens a connection and waits for hello.
    static async open(server) {
        const c = new GatewayClient(server);
        const hello = await c.next((f) => f.op === 'hello');
        assert.ok(Number.isInteger(hello.d.heartbeat_interval_ms) && hello.d.heartbeat_interval_ms > 0);
        return c;
    }

    // Opens, identifies with token and waits for READY.
    static async identified(server, token) {
        const c = await GatewayClient.open(server);
        c.send('identify', { token });
        c.ready = await c.dispatch('READY');
        return c;
    }

    wake() {
        for (const w of [...this.waiters]) w();
    }

    send(op, d) {
        this.sendRaw(JSON.stringify(d === undefined ? { op } : { op, d }));
    }

    sendRaw(text) {
        this.ws.send(text);
    }

    dispatches(t) {
        return this.frames.filter((f) => f.op === 'dispatch' && (t === undefined || f.t === t));
    }

    lastSeq() {
        const d = this.dispatches();
        return d.length ? d[d.length - 1].s : 0;
    }

    // Resolves with the first frame matching pred (frames already received
    // count); rejects after timeout ms or when the connection closes first.
    next(pred, { timeout = WAIT_MS, what = 'a frame' } = {}) {
        const found = () => this.frames.find(pred);
        return new Promise((resolve, reject) => {
            const check = () => {
                const f = found();
                if (f) return finish(() => resolve(f));
                if (this.closeInfo) {
                    return finish(() => reject(new Error(
                        `closed (${this.closeInfo.code} ${this.closeInfo.reason}) before ${what}; got ${this.describe()}`)));
                }
                return undefined;
            };
            const timer = setTimeout(() => finish(() => reject(new Error(
                `no ${what} within ${timeout} ms; got ${this.describe()}`))), timeout);
            const finish = (f) => {
                clearTimeout(timer);
                this.waiters.delete(check);
                f();
            };
            this.waiters.add(check);
            check();
        });
    }

    dispatch(t, pred = () => true, opts = {}) {
        return this.next((f) => f.op === 'dispatch' && f.t === t && pred(f.d, f), { what: `dispatch ${t}`, ...opts });
    }

    // Resolves once n dispatches of type t matching pred arrived.
    async count(t, n, pred = () => true) {
        await this.next(() => this.frames.filter((f) => f.op === 'dispatch' && f.t === t && pred(f.d)).length >= n,
            { what: `${n} × ${t}` });
        return this.frames.filter((f) => f.op === 'dispatch' && f.t === t && pred(f.d));
    }

    // Resolves with {code, reason} once the server closed the connection.
    async closedWith(timeout = WAIT_MS) {
        let timer;
        const info = await Promise.race([this.closed, new Promise((resolve) => {
            timer = setTimeout(resolve, timeout, null);
        })]);
        clearTimeout(timer);
        assert.ok(info, `the connection was not closed within ${timeout} ms; got ${this.describe()}`);
        return info;
    }

    describe() {
        return JSON.stringify(this.frames.map((f) => (f.op === 'dispatch' ? `${f.s}:${f.t}` : f.op)));
    }

    // The connection drops without a close handshake.
    drop() {
        this.ws.terminate();
        return this.closed;
    }

    close() {
        if (this.closeInfo) return Promise.resolve(this.closeInfo);
        this.ws.close(1000);
        return this.closed;
    }
}

// Every dispatch's s is one more than the previous one's.
export function assertConsecutive(client, from) {
    const seqs = client.dispatches().map((f) => f.s);
    const first = from ?? seqs[0];
    assert.deepEqual(seqs, seqs.map((_, i) => first + i), `sequence numbers: ${seqs}`);
}

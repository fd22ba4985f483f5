// Clients of the cluster test: HTTP(S) requests that trust the test's own CA
// (nginx's self-signed certificate) and a gateway WebSocket client that
// records frames and waits for them with deadlines.
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import WebSocket from 'ws';

export const REQUEST_TIMEOUT_MS = 10_000;
export const WAIT_MS = 10_000;

// An endpoint: {url: 'https://127.0.0.1:PORT' | 'http://…', ca?: PEM}.
// opts: method, body (JSON), token, headers, localAddress (source address,
// for per-IP limits). Resolves with {status, headers, text, json}.
export function request(endpoint, method, path, opts = {}) {
    const url = new URL(path, endpoint.url);
    const headers = { ...(opts.headers ?? {}) };
    let payload;
    if (opts.body !== undefined) {
        payload = Buffer.from(JSON.stringify(opts.body));
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
        const req = lib.request(url, {
            method,
            headers,
            ca: endpoint.ca,
            agent: false,
            localAddress: opts.localAddress,
            timeout: opts.timeout ?? REQUEST_TIMEOUT_MS,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let json;
                try {
                    json = text ? JSON.parse(text) : undefined;
                } catch {
                    json = undefined;
                }
                resolve({ status: res.statusCode, headers: res.headers, text, json });
            });
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
        req.on('error', reject);
        req.end(payload);
    });
}

export function api(endpoint, method, apiPath, opts) {
    return request(endpoint, method, `/api/v1${apiPath}`, opts);
}

export function expectStatus(res, status, what = '') {
    assert.equal(res.status, status, `${what}: got ${res.status} ${res.text.slice(0, 300)}`);
    return res.json;
}

let counter = 0;
export function uniqueName(prefix = 'u') {
    counter += 1;
    return `${prefix}_${process.pid.toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export async function registerUser(endpoint) {
    const username = uniqueName();
    const res = await api(endpoint, 'POST', '/auth/register', {
        body: { username, email: `${username}@example.test`, password: 'correct horse battery staple' },
    });
    const body = expectStatus(res, 201, `register ${username}`);
    return { ...body, id: body.user.id, username };
}

// A gateway (or voice signaling) WebSocket client.
export class GatewayClient {
    constructor(endpoint, path = '/gateway') {
        this.url = `${endpoint.url.replace(/^http/, 'ws')}${path}`;
        this.frames = [];
        this.closeInfo = null;
        this.waiters = new Set();
        this.ws = new WebSocket(this.url, { ca: endpoint.ca, handshakeTimeout: REQUEST_TIMEOUT_MS });
        this.opened = new Promise((resolve, reject) => {
            this.ws.once('open', resolve);
            this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
            this.ws.once('error', reject);
        });
        this.opened.catch(() => {});
        this.ws.on('message', (data) => {
            this.frames.push(JSON.parse(data.toString('utf8')));
            this.wake();
        });
        this.closed = new Promise((resolve) => {
            this.ws.on('close', (code, reason) => {
                this.closeInfo = { code, reason: reason.toString('utf8') };
                this.wake();
                resolve(this.closeInfo);
            });
        });
        this.ws.on('error', () => {});
    }

    // Connects, identifies and waits for READY.
    static async identified(endpoint, token) {
        const c = new GatewayClient(endpoint);
        await c.next((f) => f.op === 'hello', { what: 'hello' });
        c.send('identify', { token });
        c.ready = await c.dispatch('READY');
        return c;
    }

    wake() {
        for (const w of [...this.waiters]) w();
    }

    send(op, d) {
        this.ws.send(JSON.stringify(d === undefined ? { op } : { op, d }));
    }

    dispatches(t) {
        return this.frames.filter((f) => f.op === 'dispatch' && (t === undefined || f.t === t));
    }

    lastSeq() {
        const d = this.dispatches().filter((f) => Number.isInteger(f.s));
        return d.length ? d[d.length - 1].s : 0;
    }

    // The first frame (received so far or later) matching pred.
    next(pred, { timeout = WAIT_MS, what = 'a frame' } = {}) {
        return new Promise((resolve, reject) => {
            let timer;
            const check = () => {
                const f = this.frames.find(pred);
                if (f) return finish(() => resolve(f));
                if (this.closeInfo) {
                    return finish(() => reject(new Error(`closed (${this.closeInfo.code}) before ${what}; got ${this.describe()}`)));
                }
                return undefined;
            };
            const finish = (f) => {
                clearTimeout(timer);
                this.waiters.delete(check);
                f();
            };
            timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${timeout} ms; got ${this.describe()}`))), timeout);
            this.waiters.add(check);
            check();
        });
    }

    dispatch(t, pred = () => true, opts = {}) {
        return this.next((f) => f.op === 'dispatch' && f.t === t && pred(f.d), { what: `dispatch ${t}`, ...opts });
    }

    // True when a matching dispatch arrives within ms, false otherwise.
    async within(ms, t, pred) {
        try {
            await this.dispatch(t, pred, { timeout: ms });
            return true;
        } catch {
            return false;
        }
    }

    async closedWithin(timeout = WAIT_MS) {
        let timer;
        const info = await Promise.race([this.closed, new Promise((r) => { timer = setTimeout(r, timeout, null); })]);
        clearTimeout(timer);
        assert.ok(info, `not closed within ${timeout} ms`);
        return info;
    }

    describe() {
        return JSON.stringify(this.frames.slice(-20).map((f) => (f.op === 'dispatch' ? `${f.s}:${f.t}` : f.op)));
    }

    close() {
        if (this.closeInfo) return Promise.resolve(this.closeInfo);
        this.ws.close(1000);
        return this.closed;
    }
}

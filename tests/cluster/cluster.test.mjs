// The cluster tier (docs/operations.md "Deployment"): nginx running
// deploy/nginx/driftway.conf in front of two `driftway gateway`, two
// `driftway text` and one `driftway voice` node on PostgreSQL and Redis, all
// on loopback. The tests run in order and share the cluster; each failure
// scenario leaves it whole again for the next one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { api, expectStatus, GatewayClient, registerUser, request } from './lib/client.mjs';
import { capabilities, metric, startCluster } from './lib/cluster.mjs';
import { stopAll, waitFor } from './lib/procs.mjs';

const caps = capabilities();
const needText = caps.text ? false : 'this binary has no `driftway text` (Redis-wired text nodes)';
const needGateway = caps.gateway ? false : 'this binary has no `driftway gateway`';

let c;  // the cluster
let alice;  // owns the space
let bob;  // a member
let channel;  // the space's text channel
let invite;  // to the space, for users who join later

before(async () => {
    c = await startCluster();
    alice = await registerUser(c.edge);
    bob = await registerUser(c.edge);
    const space = expectStatus(await api(c.edge, 'POST', '/spaces',
        { token: alice.access_token, body: { name: 'Cluster' } }), 201, 'create space');
    channel = space.channels.find((ch) => ch.type === 'text');
    invite = expectStatus(await api(c.edge, 'POST', `/spaces/${space.id}/invites`,
        { token: alice.access_token, body: { max_uses: 0, max_age: 0 } }), 201, 'invite');
    expectStatus(await api(c.edge, 'POST', `/invites/${invite.code}`, { token: bob.access_token }), 200, 'join');
}, { timeout: 90_000 });

after(stopAll);

// Posts through `endpoint` until a 201 (retrying gateway-class failures
// with the same nonce, as a client would): the message is durable then.
async function postDurably(endpoint, user, content, { timeout = 15_000 } = {}) {
    const nonce = randomUUID().slice(0, 25);
    return waitFor(async () => {
        const res = await api(endpoint, 'POST', `/channels/${channel.id}/messages`,
            { token: user.access_token, body: { content, nonce } });
        if (res.status === 201) return res.json;
        if (![502, 503, 504].includes(res.status)) throw new Error(`post: ${res.status} ${res.text}`);
        return null;
    }, { timeout, what: `post "${content}"` });
}

const connections = (node) => metric(node, 'websocket_connections_total').then((v) => v ?? 0);

// Opens a gateway session through nginx and finds which text node took it
// (by the nodes' websocket_connections_total), retrying until it lands on
// `want`: least_conn alternates between nodes with equal counts, and nginx
// skips a node for fail_timeout (2 s) after it failed, e.g. just restarted.
async function connectVia(user, want, { timeout = 10_000 } = {}) {
    const extra = [];
    const deadline = Date.now() + timeout;
    try {
        while (Date.now() < deadline) {
            const before = await Promise.all(c.texts.map(connections));
            const client = await GatewayClient.identified(c.edge, user.access_token);
            const after_ = await Promise.all(c.texts.map(connections));
            const landed = c.texts.findIndex((_, k) => after_[k] > before[k]);
            if (want === undefined || landed === want) return { client, node: landed };
            extra.push(client);
            if (extra.length >= 4) await extra.shift().close();
            await delay(200);
        }
    } finally {
        await Promise.all(extra.map((x) => x.close()));
    }
    throw new Error(`no gateway session through nginx landed on text node ${want + 1} within ${timeout} ms`);
}

const created = (content) => (d) => d.content === content;

describe('nginx in front', () => {
    test('TLS with the site certificate; plain HTTP redirects to https', async () => {
        const health = await request(c.edge, 'GET', '/health');
        assert.equal(health.status, 200, health.text);
        assert.ok(health.json?.status, `a health document: ${health.text.slice(0, 200)}`);
        assert.match(health.headers['strict-transport-security'] ?? '', /max-age=\d+/);
        const plain = await request({ url: c.nginx.plainUrl }, 'GET', '/invite/abc?x=1');
        assert.equal(plain.status, 308);
        assert.match(plain.headers.location, /^https:\/\/[^/]+\/invite\/abc\?x=1$/);
    });

    test('serves the web client: hashed assets cached for a year, index.html revalidated', async () => {
        const asset = await request(c.edge, 'GET', '/assets/index-Ab12Cd34.js');
        assert.equal(asset.status, 200);
        assert.match(asset.headers['cache-control'], /max-age=31536000/);
        assert.match(asset.headers['cache-control'], /immutable/);
        assert.match(asset.headers['content-type'], /javascript/);
        for (const p of ['/', '/invite/SOMECODE', '/channels/1/2']) {
            const page = await request(c.edge, 'GET', p);
            assert.equal(page.status, 200, p);
            assert.match(page.text, /<div id="app">/, p);
            assert.equal(page.headers['cache-control'], 'no-cache', p);
            assert.ok(page.headers.etag, `${p} has an ETag`);
            assert.equal(page.headers['x-content-type-options'], 'nosniff');
            assert.equal(page.headers['x-frame-options'], 'DENY');
            assert.match(page.headers['content-security-policy'], /default-src 'self'/);
            assert.match(page.headers['strict-transport-security'], /max-age=/);
        }
        const missing = await request(c.edge, 'GET', '/assets/nope.js');
        assert.equal(missing.status, 404);
        assert.equal((await request(c.edge, 'GET', '/metrics')).status, 404, '/metrics is not public');
    });

    test('REST and the gateway WebSocket pass through', async () => {
        const me = await api(c.edge, 'GET', '/users/@me', { token: alice.access_token });
        assert.equal(me.status, 200, me.text);
        assert.equal(me.json.id, alice.id);
        assert.ok(me.headers['x-request-id'], 'the response comes from Driftway');
        const client = await GatewayClient.identified(c.edge, alice.access_token);
        assert.equal(client.ready.d.user.id, alice.id);
        await client.close();
    });

    test('per-IP rate limit on sign-in answers 429 at the edge, other addresses unaffected', async () => {
        // From 127.0.0.2 so that the rest of the suite (127.0.0.1) keeps its budget.
        const attempts = await Promise.all(Array.from({ length: 40 }, () => api(c.edge, 'POST', '/auth/login', {
            body: { login: 'nobody-here', password: 'wrong password!' }, localAddress: '127.0.0.2',
        })));
        const limited = attempts.filter((r) => r.status === 429);
        const answered = attempts.filter((r) => r.status === 401 || r.status === 400);
        assert.ok(limited.length >= 10, `429s: ${limited.length}, statuses ${attempts.map((r) => r.status)}`);
        assert.ok(answered.length >= 1, 'the burst reached Driftway');
        // nginx's refusal, not Driftway's (whose 429 is a JSON error body).
        assert.equal(limited[0].json?.code, undefined, limited[0].text.slice(0, 200));
        const other = await api(c.edge, 'POST', '/auth/login', { body: { login: alice.username, password: 'correct horse battery staple' } });
        assert.equal(other.status, 200, other.text);
    });
});

describe('across text nodes', { skip: needText }, () => {
    let a;  // alice's session on text node 1
    let b;  // bob's session on text node 2

    before(async () => {
        a = (await connectVia(alice, 0)).client;
        b = (await connectVia(bob, 1)).client;
    });

    after(async () => {
        await Promise.all([a, b].filter(Boolean).map((x) => x.close()));
    });

    test('a message sent on node 2 reaches a client of node 1 through nginx, and back', async () => {
        const m1 = await postDurably(c.texts[1].endpoint, bob, 'from node 2');
        const got = await a.dispatch('MESSAGE_CREATE', created('from node 2'), { timeout: 5000 });
        assert.equal(got.d.id, m1.id);
        await postDurably(c.texts[0].endpoint, alice, 'from node 1');
        await b.dispatch('MESSAGE_CREATE', created('from node 1'), { timeout: 5000 });
        await postDurably(c.edge, alice, 'through the edge');
        await Promise.all([a, b].map((x) => x.dispatch('MESSAGE_CREATE', created('through the edge'), { timeout: 5000 })));
    });

    test('typing and presence cross nodes', async () => {
        b.send('typing', { channel_id: channel.id });
        const typing = await a.dispatch('TYPING_START', (d) => d.user_id === bob.id, { timeout: 5000 });
        assert.equal(typing.d.channel_id, channel.id);

        // Presence with two fresh users holding one session each, opened on
        // the nodes directly: a status is the best over all of a user's
        // sessions, and the extra sessions connectVia may open (and close)
        // stay "online" for the resume grace.
        const [carol, dave] = [await registerUser(c.edge), await registerUser(c.edge)];
        for (const u of [carol, dave]) {
            expectStatus(await api(c.edge, 'POST', `/invites/${invite.code}`, { token: u.access_token }), 200, 'join');
        }
        const onOne = await GatewayClient.identified(c.texts[0].endpoint, carol.access_token);
        const onTwo = await GatewayClient.identified(c.texts[1].endpoint, dave.access_token);
        try {
            await onOne.dispatch('PRESENCE_UPDATE', (d) => d.user_id === dave.id && d.status === 'online', { timeout: 5000 });
            onTwo.send('presence', { status: 'dnd' });
            await onOne.dispatch('PRESENCE_UPDATE', (d) => d.user_id === dave.id && d.status === 'dnd', { timeout: 5000 });
            onOne.send('presence', { status: 'idle' });
            await onTwo.dispatch('PRESENCE_UPDATE', (d) => d.user_id === carol.id && d.status === 'idle', { timeout: 5000 });
        } finally {
            await Promise.all([onOne.close(), onTwo.close()]);
        }
    });

    test('SIGKILL of text node 1: its client reconnects through nginx to node 2, nothing lost', { skip: needGateway }, async () => {
        const seen = new Set(a.dispatches('MESSAGE_CREATE').map((f) => f.d.id));
        const lastSeen = a.dispatches('MESSAGE_CREATE').at(-1).d.id;
        const sessionId = a.ready.d.session_id;
        const seq = a.lastSeq();
        await c.texts[0].proc.kill();
        await a.closedWithin(15_000);

        // Written while alice is away, through the gateways (which must
        // route around the dead node).
        const missed = [];
        for (let i = 0; i < 3; i += 1) missed.push(await postDurably(c.edge, bob, `while away ${i}`));

        // The client's recovery (docs/gateway.md): resume, or identify and
        // re-read history after the last message it saw.
        const again = new GatewayClient(c.edge);
        await again.next((f) => f.op === 'hello', { what: 'hello' });
        again.send('resume', { token: alice.access_token, session_id: sessionId, seq });
        const answer = await again.next((f) => f.op === 'invalid_session' || (f.op === 'dispatch' && f.t === 'RESUMED'),
            { what: 'RESUMED or invalid_session' });
        if (answer.op === 'invalid_session') {
            again.send('identify', { token: alice.access_token });
            await again.dispatch('READY');
            const page = expectStatus(await api(c.edge, 'GET', `/channels/${channel.id}/messages?after=${lastSeen}&limit=100`,
                { token: alice.access_token }), 200, 'history');
            for (const m of page) seen.add(m.id);
        }
        await postDurably(c.edge, bob, 'after reconnect');
        await again.dispatch('MESSAGE_CREATE', created('after reconnect'), { timeout: 5000 });
        for (const f of again.dispatches('MESSAGE_CREATE')) seen.add(f.d.id);
        for (const m of missed) assert.ok(seen.has(m.id), `message ${m.id} (${m.content}) was lost`);
        a = again;
    });

    test("a gateway's circuit breaker opens on the dead node and closes when it is back", { skip: needGateway }, async () => {
        // Node 1 is still down from the previous test (or is stopped now).
        if (!c.texts[0].proc.exitInfo) await c.texts[0].proc.kill();
        const gw = c.gateways[0];
        const label = `upstream="127.0.0.1:${c.texts[0].port}"`;
        const state = () => metric(gw, 'proxy_breaker_state', [label]);
        const poke = () => api(gw.endpoint, 'GET', `/channels/${channel.id}/messages?limit=1`, { token: bob.access_token });
        await waitFor(async () => { await poke(); return (await state()) === 1; },
            { timeout: 15_000, what: 'the breaker of text node 1 to open' });
        // While open, requests are served by node 2.
        const res = await poke();
        assert.equal(res.status, 200, res.text);
        await c.texts[0].restart();
        await waitFor(async () => { await poke(); return (await state()) === 0; },
            { timeout: 20_000, what: 'the breaker of text node 1 to close' });
    });

    test('Redis down: cross-node delivery degrades; it recovers by itself when Redis returns', async () => {
        if (c.texts[0].proc.exitInfo) await c.texts[0].restart();
        await Promise.all([a, b].map((x) => x.close()));
        a = (await connectVia(alice, 0)).client;
        b = (await connectVia(bob, 1)).client;
        await c.redis.stop();
        const during = await postDurably(c.texts[1].endpoint, bob, 'while redis is down');
        // Local delivery goes on; node 1 does not hear of it.
        await b.dispatch('MESSAGE_CREATE', created('while redis is down'), { timeout: 5000 });
        assert.equal(await a.within(2000, 'MESSAGE_CREATE', created('while redis is down')), false,
            'delivered across nodes without Redis?');
        await c.redis.start();
        let n = 0;
        await waitFor(async () => {
            n += 1;
            const content = `after redis ${n}`;
            await postDurably(c.texts[1].endpoint, bob, content);
            return a.within(1000, 'MESSAGE_CREATE', created(content));
        }, { timeout: 30_000, interval: 200, what: 'cross-node delivery after Redis returned' });
        // The database is the truth: what node 1 missed is in the history.
        const page = expectStatus(await api(c.edge, 'GET', `/channels/${channel.id}/messages?limit=100`,
            { token: alice.access_token }), 200, 'history');
        assert.ok(page.some((m) => m.id === during.id), 'the message sent during the outage is in the history');
    });
});

describe('PostgreSQL down', { skip: needGateway }, () => {
    test('writes answer 503, reads are still served, writes work again when it returns', async () => {
        const path = `/channels/${channel.id}/messages?limit=5`;
        // Every gateway has read this page once (its stale copy for outages).
        for (const gw of c.gateways) {
            expectStatus(await api(gw.endpoint, 'GET', path, { token: alice.access_token }), 200, `warm ${gw.name}`);
        }
        await c.pg.pause();
        try {
            const refused = await waitFor(async () => {
                const res = await api(c.edge, 'POST', `/channels/${channel.id}/messages`,
                    { token: alice.access_token, body: { content: 'while the database is down' } });
                if (res.status === 201) throw new Error('a write succeeded without the database');
                return res.status === 503 ? res : null;
            }, { timeout: 20_000, what: 'a 503 for a write' });
            assert.match(refused.json?.code ?? '', /database_unavailable|read_only/, refused.text);
            for (let i = 0; i < c.gateways.length * 2; i += 1) {
                const read = await api(c.edge, 'GET', path, { token: alice.access_token });
                assert.equal(read.status, 200, `read ${i} during the outage: ${read.text.slice(0, 200)}`);
                assert.ok(Array.isArray(read.json));
            }
        } finally {
            await c.pg.resume();
        }
        const back = await postDurably(c.edge, alice, 'database is back', { timeout: 30_000 });
        assert.ok(back.id);
    });
});

describe('voice through nginx', { skip: caps.voice && caps.text ? false : 'no voice or text node command' }, () => {
    test('join answers the voice node endpoint behind nginx, and its signaling socket opens', async () => {
        const voiceChannel = (await api(c.edge, 'GET', `/channels/${channel.id}`, { token: alice.access_token })).json;
        const channels = expectStatus(await api(c.edge, 'GET', `/spaces/${voiceChannel.space_id}/channels`,
            { token: alice.access_token }), 200, 'channels');
        const vc = channels.find((ch) => ch.type === 'voice');
        // The voice node registers itself in Redis and refreshes that every
        // ttl/3; after the Redis restart above it may take that long.
        const join = await waitFor(async () => {
            const res = await api(c.edge, 'POST', `/voice/${vc.id}/join`, { token: alice.access_token });
            if (res.status === 503 && res.json?.code === 'voice_unavailable') return null;
            return expectStatus(res, 200, 'join');
        }, { timeout: 30_000, interval: 250, what: 'a voice node registered in Redis' });
        assert.equal(join.endpoint, `wss://127.0.0.1:${c.nginx.httpsPort}/voice/v1`);
        const sig = new GatewayClient(c.edge, '/voice/v1');
        await sig.opened;
        sig.send('join', { token: join.token });
        await sig.next((f) => f.op === 'ready', { what: 'voice ready' });
        await sig.close();
    });
});

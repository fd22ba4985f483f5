// The cluster wiring (docs/operations.md "Cluster"): two `driftway text`
// nodes and one `driftway voice` node on one PostgreSQL and one Redis, all
// on loopback. Events, typing and presence cross nodes; an access change
// made on one node is enforced on the other (directory invalidation), and a
// profile change drops the shared cache:user entry;
// voice joins on either text node name the same voice node; a Redis outage
// degrades cross-node delivery, which resumes by itself; a PostgreSQL
// outage makes writes 503 database_unavailable and /health degraded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayClient } from './lib/gateway.mjs';
import { post, postOk } from './lib/messaging.mjs';
import {
    api, expectStatus, makeTempDir, registerUser, request, startServer, testDir, waitFor,
} from './lib/server.mjs';
import { bits, call, createRole, setRoles, spaceWithMembers, textChannel } from './lib/spaces.mjs';

const REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
const START_PG = path.resolve(testDir, '../cluster/start-postgres');
const HAVE_PG = existsSync('/usr/lib/postgresql/15/bin/initdb');
const skip = !REDIS || !HAVE_PG ? 'needs redis-server and PostgreSQL 15' : false;

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

// A redis-server without persistence on `port`, stopped by PID.
class Redis {
    constructor(port, dir) {
        this.port = port;
        this.dir = dir;
        this.child = null;
    }
    async start() {
        this.child = spawn(REDIS, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '',
            '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
        this.exited = new Promise((resolve) => this.child.once('exit', resolve));
        await waitFor(() => new Promise((resolve) => {
            const c = net.connect(this.port, '127.0.0.1');
            c.once('connect', () => { c.end(); resolve(true); });
            c.once('error', () => resolve(false));
        }), { timeout: 5000, what: 'redis-server to listen' });
    }
    async kill() {
        if (!this.child || this.child.exitCode !== null) return;
        this.child.kill('SIGKILL');  // like a crash
        await this.exited;
    }
}

let redis;
let pgDir;
let shared;  // data directory the nodes share: JWT key file and file store
let nodeA;
let nodeB;
let voiceNode;
let voiceEndpoint;

function clusterEnv(nodeId, conninfo) {
    return {
        DRIFTWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
        DRIFTWAY_STORAGE_DRIVER: 'postgres',
        DRIFTWAY_STORAGE_POSTGRES_URL: conninfo,
        DRIFTWAY_SERVER_NODE_ID: String(nodeId),
        DRIFTWAY_SERVER_SHARDS: '2',
    };
}

before(async () => {
    if (skip) return;
    const work = await makeTempDir('driftway-cluster-');
    redis = new Redis(await freePort(), work);
    await redis.start();
    // Directly under the temp root: as root, PostgreSQL runs as another user,
    // which must reach the folder (makeTempDir's are private).
    pgDir = path.join(os.tmpdir(), `driftway-cw-pg-${process.pid}-${Date.now()}`);
    const pg = spawnSync(START_PG, ['--dir', pgDir], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(pg.status, 0, `start-postgres failed: ${pg.stderr}`);
    const conninfo = pg.stdout.trim();
    shared = path.join(work, 'shared');

    // A first, alone: it creates the schema and the instance key.
    nodeA = await startServer({ command: 'text', dataDir: shared, env: clusterEnv(1, conninfo) });
    nodeB = await startServer({ command: 'text', dataDir: shared, env: clusterEnv(2, conninfo) });
    const voicePort = await freePort();
    voiceEndpoint = `ws://127.0.0.1:${voicePort}/voice`;
    voiceNode = await startServer({
        command: 'voice',
        dataDir: shared,
        listen: `127.0.0.1:${voicePort}`,
        env: { ...clusterEnv(3, conninfo), DRIFTWAY_VOICE_ENDPOINT: voiceEndpoint },
    });
});

after(async () => {
    if (redis) await redis.kill();
    if (pgDir) spawnSync(START_PG, ['--stop', pgDir], { timeout: 60_000 });
});

// A space made on node A, with `count` members; the owner's gateway on A.
async function community(count, name) {
    const c = await spaceWithMembers(nodeA, count, name);
    return { ...c, general: textChannel(c.space) };
}

const messages = (node, user, channelId) =>
    api(node, 'GET', `/channels/${channelId}/messages?limit=5`, { token: user.access_token });

test('both text nodes report redis and the database healthy', { skip }, async () => {
    for (const node of [nodeA, nodeB]) {
        const h = expectStatus(await request(node, 'GET', '/health'), 200).json;
        assert.equal(h.checks.redis.status, 'ok');
        assert.equal(h.checks.database.status, 'ok');
    }
    const v = expectStatus(await request(voiceNode, 'GET', '/health'), 200).json;
    assert.equal(v.checks.redis.status, 'ok');
});

test('a message posted through node B reaches a gateway client on node A', { skip }, async () => {
    const { general, members: [alice, bob] } = await community(2, 'Across nodes');
    const a = await GatewayClient.identified(nodeA, alice.access_token);
    const m = await postOk(nodeB, bob, general.id, 'hello from B');
    const f = await a.dispatch('MESSAGE_CREATE', (d) => d.id === m.id);
    assert.equal(f.d.content, 'hello from B');
    await a.close();
});

test('typing and presence cross nodes; READY on A shows a user online on B', { skip }, async () => {
    const { general, members: [alice, bob] } = await community(2, 'Presence');
    const a = await GatewayClient.identified(nodeA, alice.access_token);
    const b = await GatewayClient.identified(nodeB, bob.access_token);
    await a.dispatch('PRESENCE_UPDATE', (d) => d.user_id === bob.id && d.status === 'online');

    b.send('typing', { channel_id: general.id });
    const t = await a.dispatch('TYPING_START', (d) => d.user_id === bob.id);
    assert.equal(t.d.channel_id, general.id);

    b.send('presence', { status: 'dnd' });
    await a.dispatch('PRESENCE_UPDATE', (d) => d.user_id === bob.id && d.status === 'dnd');

    // A second session of alice on A: bob is not connected to A at all.
    const a2 = await GatewayClient.identified(nodeA, alice.access_token);
    const space = a2.ready.d.spaces.find((s) => s.id === general.space_id);
    assert.ok(space.presences.some((p) => p.user_id === bob.id && p.status === 'dnd'),
        `READY on A: ${JSON.stringify(space.presences)}`);

    // Bob leaves B: offline reaches A.
    await b.close();
    await Promise.all([a.close(), a2.close()]);
});

test('an overwrite or role change made on node B is enforced on node A', { skip }, async () => {
    const { owner, space, general, members: [alice] } = await community(1, 'Access');
    // Node A caches alice's access to the channel.
    expectStatus(await messages(nodeA, alice, general.id), 200);

    // The owner hides the channel from @everyone through node B.
    await call(nodeB, owner, 'PUT', `/channels/${general.id}/permissions/${space.id}`,
        { type: 'role', deny: bits('view_channel') }, 204);
    await waitFor(async () => (await messages(nodeA, alice, general.id)).status === 404,
        { timeout: 3000, what: 'node A to refuse the hidden channel' });

    // A role that may view it, given to alice on B: A lets her in again.
    const role = await createRole(nodeB, owner, space.id, { name: 'insiders' });
    await call(nodeB, owner, 'PUT', `/channels/${general.id}/permissions/${role.id}`,
        { type: 'role', allow: bits('view_channel') }, 204);
    await setRoles(nodeB, owner, space.id, alice.id, [role.id]);
    await waitFor(async () => (await messages(nodeA, alice, general.id)).status === 200,
        { timeout: 3000, what: 'node A to admit the member with the role' });

    // Kicked on B: A forgets the membership.
    await call(nodeB, owner, 'DELETE', `/spaces/${space.id}/members/${alice.id}`, undefined, 204);
    await waitFor(async () => (await messages(nodeA, alice, general.id)).status === 404,
        { timeout: 3000, what: 'node A to forget the kicked member' });
});

// The Redis entry behind node A's directory (docs/operations.md "Cluster").
function redisGet(key) {
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '--raw', 'GET', key],
        { encoding: 'utf8', timeout: 5000 });
    assert.equal(r.status, 0, `redis-cli failed: ${r.stderr}`);
    return r.stdout.trim();
}

test('a profile change made on node B is seen on node A; cache:user is refilled', { skip }, async () => {
    const { owner, space, members: [alice] } = await community(1, 'Profiles');
    const key = `cache:user:${alice.id}`;
    const memberOnA = async () => {
        const res = await api(nodeA, 'GET', `/spaces/${space.id}/members/${alice.id}`,
            { token: owner.access_token });
        expectStatus(res, 200);
        return res.json.user.display_name;
    };
    // A read on A caches the profile locally and in Redis (in the background).
    const before = await memberOnA();
    await waitFor(() => redisGet(key).includes(`"display_name"`),
        { timeout: 3000, what: `${key} in Redis` });
    assert.ok(!redisGet(key).includes(alice.email), 'the cache entry holds no email');

    await call(nodeB, alice, 'PATCH', '/users/@me', { display_name: 'Renamed on B' }, 200);
    // Node A answers with the new name (no 5 minute staleness) ...
    await waitFor(async () => (await memberOnA()) === 'Renamed on B',
        { timeout: 3000, what: `node A to show the new name (was ${before})` });
    // ... and the entry A refilled holds it: the old one was deleted.
    await waitFor(() => redisGet(key).includes('Renamed on B'),
        { timeout: 3000, what: `${key} refilled with the new name` });
});

test('cache:user is deleted by a profile change', { skip }, async () => {
    const { owner, space, members: [bob] } = await community(1, 'Deleted entry');
    const key = `cache:user:${bob.id}`;
    expectStatus(await api(nodeA, 'GET', `/spaces/${space.id}/members/${bob.id}`,
        { token: owner.access_token }), 200);
    await waitFor(() => redisGet(key) !== '', { timeout: 3000, what: `${key} in Redis` });
    // No one reads bob's profile now: after the change the entry stays gone.
    await call(nodeB, bob, 'PATCH', '/users/@me', { display_name: 'Gone' }, 200);
    await waitFor(() => redisGet(key) === '', { timeout: 3000, what: `${key} deleted` });
});

test('voice join on either text node names the same voice node', { skip }, async () => {
    const { space, members: [alice] } = await community(1, 'Voice');
    const voice = space.channels.find((ch) => ch.type === 'voice');
    assert.ok(voice, 'the new space has a voice channel');
    const fromA = expectStatus(await api(nodeA, 'POST', `/voice/${voice.id}/join`,
        { token: alice.access_token }), 200).json;
    const fromB = expectStatus(await api(nodeB, 'POST', `/voice/${voice.id}/join`,
        { token: alice.access_token }), 200).json;
    assert.equal(fromA.endpoint, voiceEndpoint);
    assert.equal(fromB.endpoint, voiceEndpoint);
});

test('Redis down: local delivery goes on; cross-node delivery resumes by itself', { skip }, async () => {
    const { general, members: [alice, bob] } = await community(2, 'Outage');
    const a = await GatewayClient.identified(nodeA, alice.access_token);
    const b = await GatewayClient.identified(nodeB, bob.access_token);
    await postOk(nodeB, bob, general.id, 'before');
    await a.dispatch('MESSAGE_CREATE', (d) => d.content === 'before');

    await redis.kill();
    await waitFor(async () => (await request(nodeA, 'GET', '/health')).status === 503,
        { timeout: 5000, what: '/health on A to report redis down' });
    // Node B's own clients still get B's events.
    const during = await postOk(nodeB, bob, general.id, 'during');
    await b.dispatch('MESSAGE_CREATE', (d) => d.id === during.id);
    await delay(1500);  // the outage lasts a while: reconnect attempts back off

    await redis.start();
    // Events published before the subscriber is back are dropped (clients
    // re-read history), so post until one arrives.
    let n = 0;
    await waitFor(async () => {
        n += 1;
        await postOk(nodeB, bob, general.id, `after ${n}`);
        return a.dispatches('MESSAGE_CREATE').some((f) => f.d.content.startsWith('after'));
    }, { timeout: 15000, interval: 250, what: 'cross-node delivery after Redis returned' });
    await waitFor(async () => (await request(nodeA, 'GET', '/health')).status === 200,
        { timeout: 5000, what: '/health on A to recover' });
    // No frames were lost on A's own connection: the client saw "before" and "after".
    await Promise.all([a.close(), b.close()]);
});

test('PostgreSQL down: writes 503 database_unavailable, /health degraded, then recovery', { skip }, async () => {
    const { general, members: [alice] } = await community(1, 'Read only');
    expectStatus(await messages(nodeA, alice, general.id), 200);
    const paused = spawnSync(START_PG, ['--pause', pgDir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(paused.status, 0, paused.stderr);
    try {
        await waitFor(async () => (await request(nodeA, 'GET', '/health')).status === 503,
            { timeout: 10000, what: '/health to report the database down' });
        const h = (await request(nodeA, 'GET', '/health')).json;
        assert.equal(h.status, 'degraded');
        assert.equal(h.checks.database.status, 'down');
        const res = await post(nodeA, alice, general.id, 'while down');
        expectStatus(res, 503, 'database_unavailable');
    } finally {
        const resumed = spawnSync(START_PG, ['--resume', pgDir], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(resumed.status, 0, resumed.stderr);
    }
    await waitFor(async () => (await post(nodeA, alice, general.id, 'back')).status === 201,
        { timeout: 15000, interval: 250, what: 'writes to work again' });
});

test('voice node stopped: it withdraws and joins answer 503 voice_unavailable', { skip }, async () => {
    const { space, members: [alice] } = await community(1, 'No voice');
    const voice = space.channels.find((ch) => ch.type === 'voice');
    assert.equal(await voiceNode.stop(), 0);
    const res = await api(nodeA, 'POST', `/voice/${voice.id}/join`, { token: alice.access_token });
    expectStatus(res, 503, 'voice_unavailable');
    const regOnB = await registerUser(nodeB);  // B still serves the rest of the API
    assert.ok(regOnB.id);
});

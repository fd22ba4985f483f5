// The realtime gateway (docs/gateway.md) against the real binary, with the
// `ws` package as the client: READY, events of every kind reaching exactly
// the people who may see them, resume after a drop, access changes on open
// connections, presence, request_members and the close codes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { api, expectStatus, registerUser, request, startServer } from './lib/server.mjs';
import { call, createInvite, createSpace, joinSpace, textChannel } from './lib/spaces.mjs';
import { GatewayClient, assertConsecutive } from './lib/gateway.mjs';

let server;
before(async () => {
    server = await startServer();
});

// An owner with a space, and `count` members who joined it.
async function community(count = 2) {
    const owner = await registerUser(server);
    const space = await createSpace(server, owner, 'Gateway space');
    const invite = await createInvite(server, owner, space.id, { max_uses: 0, max_age: 0 });
    const members = [];
    for (let i = 0; i < count; i += 1) {
        const u = await registerUser(server);
        await joinSpace(server, u, invite.code);
        members.push(u);
    }
    return { owner, space, invite, members, general: textChannel(space) };
}

function post(user, channelId, content, extra = {}) {
    return call(server, user, 'POST', `/channels/${channelId}/messages`, { content, ...extra }, 201,
        `post "${content}"`);
}

async function dm(from, to) {
    const res = await api(server, 'POST', '/users/@me/channels',
        { token: from.access_token, body: { recipients: [to.id] } });
    assert.ok(res.status === 200 || res.status === 201, `create DM: ${res.status} ${res.text}`);
    return res.json;
}

const contents = (client, channelId) => client.dispatches('MESSAGE_CREATE')
    .filter((f) => channelId === undefined || f.d.channel_id === channelId)
    .map((f) => f.d.content);

test('hello, then READY with s=1, the private user and the spaces with what the user can see', async () => {
    const { owner, space, members: [alice] } = await community(1);
    const hidden = await call(server, owner, 'POST', `/spaces/${space.id}/channels`,
        { name: 'staff', type: 'text', private: true }, 201);

    const c = await GatewayClient.identified(server, alice.access_token);
    assert.equal(c.frames[0].op, 'hello');
    const ready = c.ready;
    assert.equal(ready.s, 1);
    assert.equal(typeof ready.d.session_id, 'string');
    assert.ok(ready.d.session_id.length >= 16);
    assert.equal(ready.d.user.id, alice.id);
    assert.equal(ready.d.user.email, alice.email, 'READY carries the private user');
    assert.ok(Array.isArray(ready.d.private_channels));
    assert.ok(Array.isArray(ready.d.read_states));

    assert.equal(ready.d.spaces.length, 1);
    const s = ready.d.spaces[0];
    assert.equal(s.id, space.id);
    assert.equal(s.name, 'Gateway space');
    assert.equal(s.owner_id, owner.id);
    assert.equal(s.member_count, 2);
    assert.ok(s.roles.some((r) => r.id === space.id), 'the @everyone role');
    assert.deepEqual(s.voice_states, []);
    const channelIds = s.channels.map((ch) => ch.id);
    assert.ok(channelIds.includes(textChannel(space).id));
    assert.ok(!channelIds.includes(hidden.id), 'a private channel alice cannot view is not in READY');
    assert.deepEqual(s.members.map((m) => m.user.id).sort(), [owner.id, alice.id].sort());
    assert.ok(s.presences.some((p) => p.user_id === alice.id && p.status === 'online'));
    await c.close();
});

test('one member posts over REST, the other receives MESSAGE_CREATE with the next s', async () => {
    const { general, members: [alice, bob] } = await community(2);
    const b = await GatewayClient.identified(server, bob.access_token);
    const a = await GatewayClient.identified(server, alice.access_token);
    await b.dispatch('PRESENCE_UPDATE', (d) => d.user_id === alice.id);
    const before = b.lastSeq();

    const m = await post(alice, general.id, 'hello bob', { nonce: 'n-1' });
    const f = await b.dispatch('MESSAGE_CREATE');
    assert.equal(f.s, before + 1);
    assert.equal(f.d.id, m.id);
    assert.equal(f.d.content, 'hello bob');
    assert.equal(f.d.channel_id, general.id);
    assert.equal(f.d.author.id, alice.id);
    await a.dispatch('MESSAGE_CREATE', (d) => d.id === m.id);
    assertConsecutive(b, 1);
    assertConsecutive(a, 1);
    await Promise.all([a.close(), b.close()]);
});

test('edit, react, pin, thread, typing and delete events arrive in order', async () => {
    const { owner, general, members: [alice, bob] } = await community(2);
    const b = await GatewayClient.identified(server, bob.access_token);
    const m = await post(alice, general.id, 'original');
    await b.dispatch('MESSAGE_CREATE', (d) => d.id === m.id);

    const base = `/channels/${general.id}/messages/${m.id}`;
    await call(server, alice, 'PATCH', base, { content: 'edited' }, 200);
    const thumbs = encodeURIComponent('👍');
    await call(server, alice, 'PUT', `${base}/reactions/${thumbs}/@me`, undefined, 204);
    await call(server, alice, 'DELETE', `${base}/reactions/${thumbs}/@me`, undefined, 204);
    await call(server, owner, 'PUT', `/channels/${general.id}/pins/${m.id}`, undefined, 204);
    const thread = await call(server, alice, 'POST', `${base}/threads`, { name: 'side talk' }, 201);
    await call(server, alice, 'POST', `/channels/${general.id}/typing`, undefined, 204);
    const inThread = await post(alice, thread.id, 'in the thread');
    await call(server, alice, 'DELETE', base, undefined, 204);

    const del = await b.dispatch('MESSAGE_DELETE');
    assert.deepEqual(del.d, { id: m.id, channel_id: general.id });
    // Starting a thread also updates its origin message (thread_id).
    const threadLink = b.dispatches('MESSAGE_UPDATE').filter((f) => f.d.thread_id);
    assert.equal(threadLink.length, 1);
    assert.equal(threadLink[0].d.thread_id, thread.id);
    const types = b.dispatches().filter((f) => f.t !== 'PRESENCE_UPDATE' && !threadLink.includes(f))
        .map((f) => f.t);
    assert.deepEqual(types, ['READY', 'MESSAGE_CREATE', 'MESSAGE_UPDATE', 'REACTION_ADD', 'REACTION_REMOVE',
        'PIN_UPDATE', 'THREAD_CREATE', 'TYPING_START', 'MESSAGE_CREATE', 'MESSAGE_DELETE']);

    const [update] = b.dispatches('MESSAGE_UPDATE').filter((f) => !f.d.thread_id);
    assert.equal(update.d.content, 'edited');
    assert.ok(update.d.edited_at);
    const [add] = b.dispatches('REACTION_ADD');
    assert.deepEqual(add.d, { channel_id: general.id, message_id: m.id, user_id: alice.id, emoji: '👍' });
    const [pin] = b.dispatches('PIN_UPDATE');
    assert.equal(pin.d.pinned, true);
    const [created] = b.dispatches('THREAD_CREATE');
    assert.equal(created.d.id, thread.id);
    assert.equal(created.d.parent_id, general.id);
    const [typing] = b.dispatches('TYPING_START');
    assert.equal(typing.d.user_id, alice.id);
    assert.equal(typing.d.channel_id, general.id);
    assert.equal(b.dispatches('MESSAGE_CREATE')[1].d.id, inThread.id, 'the thread\'s messages reach bob');
    assertConsecutive(b, 1);

    // The gateway's own typing op.
    const a = await GatewayClient.identified(server, alice.access_token);
    b.send('typing', { channel_id: general.id });
    const t = await a.dispatch('TYPING_START', (d) => d.user_id === bob.id);
    assert.equal(t.d.channel_id, general.id);
    await Promise.all([a.close(), b.close()]);
});

test('a member who cannot view a private channel, and a user outside the space, receive nothing of it', async () => {
    const { owner, space, general, members: [alice, bob] } = await community(2);
    const carol = await registerUser(server);
    const staff = await call(server, owner, 'POST', `/spaces/${space.id}/channels`,
        { name: 'staff', type: 'text', private: true, members: [alice.id] }, 201);
    const toBob = await dm(owner, bob);
    const toCarol = await dm(owner, carol);

    const a = await GatewayClient.identified(server, alice.access_token);
    const b = await GatewayClient.identified(server, bob.access_token);
    const c = await GatewayClient.identified(server, carol.access_token);

    await post(owner, staff.id, 'secret plans');
    await call(server, owner, 'POST', `/channels/${staff.id}/typing`, undefined, 204);
    await post(owner, general.id, 'public news');
    // Markers posted last: once they arrive, everything before has been decided.
    await post(owner, toBob.id, 'marker for bob');
    await post(owner, toCarol.id, 'marker for carol');

    await a.dispatch('MESSAGE_CREATE', (d) => d.content === 'public news');
    await b.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker for bob');
    await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker for carol');
    assert.deepEqual(contents(a, staff.id), ['secret plans'], 'alice is listed on the channel');
    assert.deepEqual(contents(b), ['public news', 'marker for bob']);
    assert.deepEqual(contents(c), ['marker for carol']);
    for (const client of [b, c]) {
        const leaked = client.dispatches().filter((f) => JSON.stringify(f.d).includes(staff.id));
        assert.deepEqual(leaked, [], 'nothing about the private channel');
    }
    assert.ok(!c.dispatches().some((f) => JSON.stringify(f.d).includes(space.id)), 'nothing of the space');
    await Promise.all([a.close(), b.close(), c.close()]);
});

test('an overwrite that grants or takes away view_channel applies to open connections', async () => {
    const { owner, space, members: [bob] } = await community(1);
    const staff = await call(server, owner, 'POST', `/spaces/${space.id}/channels`,
        { name: 'staff', type: 'text', private: true }, 201);
    const toBob = await dm(owner, bob);
    const b = await GatewayClient.identified(server, bob.access_token);
    assert.ok(!b.ready.d.spaces[0].channels.some((ch) => ch.id === staff.id));
    const view = (1n << 10n).toString();

    await call(server, owner, 'PUT', `/channels/${staff.id}/permissions/${bob.id}`,
        { type: 'member', allow: view }, 204);
    const shown = await b.next((f) => f.op === 'dispatch' && ['CHANNEL_UPDATE', 'CHANNEL_CREATE'].includes(f.t) &&
        f.d.id === staff.id, { what: 'the channel appearing' });
    assert.equal(shown.d.name, 'staff');
    await post(owner, staff.id, 'welcome in');
    await b.dispatch('MESSAGE_CREATE', (d) => d.content === 'welcome in');

    await call(server, owner, 'DELETE', `/channels/${staff.id}/permissions/${bob.id}`, undefined, 204);
    const hidden = await b.dispatch('CHANNEL_DELETE', (d) => d.id === staff.id);
    assert.deepEqual(hidden.d, { id: staff.id, space_id: space.id });
    await post(owner, staff.id, 'staff only again');
    await post(owner, toBob.id, 'marker');
    await b.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker');
    assert.deepEqual(contents(b), ['welcome in', 'marker']);
    assertConsecutive(b, 1);
    await b.close();
});

test('a client that drops mid-stream resumes and gets exactly the missed events, in order', async () => {
    const { general, members: [alice, bob] } = await community(2);
    const b = await GatewayClient.identified(server, bob.access_token);
    const sessionId = b.ready.d.session_id;
    const total = 30;
    let posted = 0;
    const poster = (async () => {
        for (; posted < total; posted += 1) {
            await post(alice, general.id, `m${posted}`);
            if (posted === 10) await delay(50);
        }
    })();
    await b.count('MESSAGE_CREATE', 5);
    await b.drop();
    const seen = contents(b);
    const seq = b.lastSeq();
    await poster;

    const r = await GatewayClient.open(server);
    r.send('resume', { token: bob.access_token, session_id: sessionId, seq });
    const resumed = await r.dispatch('RESUMED');
    const replayed = contents(r);
    const all = [...seen, ...replayed];
    assert.deepEqual(all, Array.from({ length: total }, (_, i) => `m${i}`), 'every message once, in order');
    assert.equal(r.dispatches()[0].s, seq + 1);
    assertConsecutive(r, seq + 1);
    assert.equal(resumed.s, seq + replayed.length + 1);

    await post(alice, general.id, 'live again');
    await r.dispatch('MESSAGE_CREATE', (d) => d.content === 'live again');
    assertConsecutive(r, seq + 1);
    await r.close();
});

test('resume that cannot work: invalid_session, or 4007 for a seq from the future', async () => {
    const { members: [alice, bob] } = await community(2);
    const a = await GatewayClient.identified(server, alice.access_token);
    const sessionId = a.ready.d.session_id;
    await a.drop();

    const unknown = await GatewayClient.open(server);
    unknown.send('resume', { token: alice.access_token, session_id: 'no-such-session', seq: 0 });
    const inv = await unknown.next((f) => f.op === 'invalid_session');
    assert.deepEqual(inv.d, { resumable: false });
    // The same connection may identify afterwards.
    unknown.send('identify', { token: alice.access_token });
    await unknown.dispatch('READY');
    await unknown.close();

    const other = await GatewayClient.open(server);
    other.send('resume', { token: bob.access_token, session_id: sessionId, seq: 1 });
    await other.next((f) => f.op === 'invalid_session', { what: 'invalid_session for another user' });
    await other.close();

    const ahead = await GatewayClient.open(server);
    ahead.send('resume', { token: alice.access_token, session_id: sessionId, seq: 1000 });
    assert.equal((await ahead.closedWith()).code, 4007);

    // The session itself is intact.
    const ok = await GatewayClient.open(server);
    ok.send('resume', { token: alice.access_token, session_id: sessionId, seq: 1 });
    await ok.dispatch('RESUMED');
    await ok.close();
});

test('joining or creating a space while connected subscribes to it at once', async () => {
    const { owner, invite, general } = await community(0);
    const dave = await registerUser(server);
    const d = await GatewayClient.identified(server, dave.access_token);
    assert.deepEqual(d.ready.d.spaces, []);

    await joinSpace(server, dave, invite.code);
    const joined = await d.dispatch('SPACE_CREATE');
    assert.ok(joined.d.channels.some((ch) => ch.id === general.id), 'SPACE_CREATE carries the channels');
    await post(owner, general.id, 'welcome dave');
    await d.dispatch('MESSAGE_CREATE', (m) => m.content === 'welcome dave');

    const own = await createSpace(server, dave, 'Dave\'s place');
    await d.dispatch('SPACE_CREATE', (sp) => sp.id === own.id);
    await post(dave, textChannel(own).id, 'my own');
    await d.dispatch('MESSAGE_CREATE', (m) => m.content === 'my own');
    assertConsecutive(d, 1);
    await d.close();
});

test('kick and ban take effect on open connections', async () => {
    const { owner, space, general, members: [alice, bob, carol] } = await community(3);
    const toBob = await dm(owner, bob);
    const toCarol = await dm(owner, carol);
    const a = await GatewayClient.identified(server, alice.access_token);
    const b = await GatewayClient.identified(server, bob.access_token);
    const c = await GatewayClient.identified(server, carol.access_token);

    await post(owner, general.id, 'before');
    await b.dispatch('MESSAGE_CREATE', (d) => d.content === 'before');
    await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'before');

    expectStatus(await api(server, 'DELETE', `/spaces/${space.id}/members/${bob.id}`,
        { token: owner.access_token }), 204, undefined, 'kick bob');
    await call(server, owner, 'PUT', `/spaces/${space.id}/bans/${carol.id}`, { reason: 'test' }, 204);
    const gone = await b.dispatch('SPACE_DELETE');
    assert.equal(gone.d.id, space.id);
    await c.dispatch('SPACE_DELETE', (d) => d.id === space.id);
    await a.dispatch('MEMBER_REMOVE', (d) => (d.user?.id ?? d.user) === bob.id);

    await post(owner, general.id, 'after');
    await call(server, owner, 'PATCH', `/spaces/${space.id}`, { name: 'Renamed' }, 200);
    await post(owner, toBob.id, 'marker');
    await post(owner, toCarol.id, 'marker');
    await a.dispatch('SPACE_UPDATE');
    await b.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker');
    await c.dispatch('MESSAGE_CREATE', (d) => d.content === 'marker');
    for (const client of [b, c]) {
        assert.deepEqual(contents(client), ['before', 'marker'], 'nothing of the space after removal');
        assert.deepEqual(client.dispatches('SPACE_UPDATE'), []);
    }
    assert.ok(contents(a).includes('after'));
    await Promise.all([a.close(), b.close(), c.close()]);
});

test('presence: peers see online, idle and invisible (as offline); strangers see nothing', async () => {
    const { members: [alice, bob] } = await community(2);
    const carol = await registerUser(server);
    const a = await GatewayClient.identified(server, alice.access_token);
    const c = await GatewayClient.identified(server, carol.access_token);
    const b = await GatewayClient.identified(server, bob.access_token);
    const isBob = (d) => d.user_id === bob.id;
    await a.dispatch('PRESENCE_UPDATE', (d) => isBob(d) && d.status === 'online');
    b.send('presence', { status: 'idle' });
    await a.dispatch('PRESENCE_UPDATE', (d) => isBob(d) && d.status === 'idle');
    b.send('presence', { status: 'invisible' });
    await a.dispatch('PRESENCE_UPDATE', (d) => isBob(d) && d.status === 'offline');
    b.send('presence', { status: 'dnd' });
    await a.dispatch('PRESENCE_UPDATE', (d) => isBob(d) && d.status === 'dnd');
    assert.deepEqual(c.dispatches('PRESENCE_UPDATE').filter((f) => isBob(f.d)), []);
    await Promise.all([a.close(), b.close(), c.close()]);
});

test('request_members answers members and their presences; not to outsiders', async () => {
    const { owner, space, members: [alice] } = await community(1);
    const carol = await registerUser(server);
    const a = await GatewayClient.identified(server, alice.access_token);
    a.send('request_members', { space_id: space.id, limit: 10 });
    const chunk = await a.dispatch('MEMBERS_CHUNK');
    assert.equal(chunk.d.space_id, space.id);
    assert.deepEqual(chunk.d.members.map((m) => m.user.id).sort(), [owner.id, alice.id].sort());
    assert.ok(chunk.d.presences.some((p) => p.user_id === alice.id && p.status === 'online'));

    const c = await GatewayClient.identified(server, carol.access_token);
    c.send('request_members', { space_id: space.id });
    const none = await c.dispatch('MEMBERS_CHUNK');
    assert.deepEqual(none.d.members, []);
    assert.deepEqual(none.d.presences, []);
    await Promise.all([a.close(), c.close()]);
});

test('an API key with the gateway scope identifies; one without it is refused with 4004', async () => {
    const u = await registerUser(server);
    const withScope = await call(server, u, 'POST', '/api-keys', { name: 'bot', scopes: ['read', 'gateway'] }, 201);
    const without = await call(server, u, 'POST', '/api-keys', { name: 'reader', scopes: ['read'] }, 201);
    const ok = await GatewayClient.identified(server, withScope.key);
    assert.equal(ok.ready.d.user.id, u.id);
    await ok.close();
    const refused = await GatewayClient.open(server);
    refused.send('identify', { token: without.key });
    assert.equal((await refused.closedWith()).code, 4004);
});

test('close codes for bad frames', async () => {
    const u = await registerUser(server);
    const cases = [
        ['4002 not JSON', (c) => c.sendRaw('{"op": nope'), 4002],
        ['4002 bad shape', (c) => c.send('identify', { token: 7 }), 4002],
        ['4001 unknown op', (c) => c.send('dance', {}), 4001],
        ['4003 op before identify', (c) => c.send('typing', { channel_id: '1' }), 4003],
        ['4004 bad token', (c) => c.send('identify', { token: 'not-a-token' }), 4004],
        ['4005 identify twice', (c) => {
            c.send('identify', { token: u.access_token });
            c.send('identify', { token: u.access_token });
        }, 4005],
        ['4008 more than 120 frames in 60 s', (c) => {
            c.send('identify', { token: u.access_token });
            for (let i = 0; i < 120; i += 1) c.send('heartbeat', { seq: null });
        }, 4008],
    ];
    for (const [what, act, code] of cases) {
        const c = await GatewayClient.open(server);
        act(c);
        const closed = await c.closedWith();
        assert.equal(closed.code, code, `${what}: ${closed.code} ${closed.reason}`);
    }
});

test('heartbeat is acknowledged; voice_state is accepted silently', async () => {
    const u = await registerUser(server);
    const c = await GatewayClient.identified(server, u.access_token);
    c.send('voice_state', { channel_id: null, self_mute: false, self_deaf: false });
    c.send('heartbeat', { seq: c.lastSeq() });
    await c.next((f) => f.op === 'heartbeat_ack');
    assert.deepEqual(c.frames.map((f) => f.op), ['hello', 'dispatch', 'heartbeat_ack']);
    assert.equal(c.closeInfo, null);
    await c.close();
});

test('gateway metrics', async () => {
    const u = await registerUser(server);
    const c = await GatewayClient.identified(server, u.access_token);
    const res = await request(server, 'GET', '/metrics');
    assert.equal(res.status, 200);
    for (const name of ['websocket_connections_total', 'gateway_sessions', 'events_dispatched_total',
        'slow_consumer_closes_total']) {
        assert.match(res.text, new RegExp(`^${name} \\d+`, 'm'), name);
    }
    assert.match(res.text, /^gateway_sessions [1-9]/m);
    await c.close();
});

test('a server shutting down sends reconnect, then closes with 1001', async () => {
    const own = await startServer();
    const u = await registerUser(own);
    const c = await GatewayClient.identified(own, u.access_token);
    const stopped = own.stop();
    await c.next((f) => f.op === 'reconnect');
    assert.equal((await c.closedWith()).code, 1001);
    assert.equal(await stopped, 0);
});

test('the resume grace period is configurable; past it the session is gone', async () => {
    const short = await startServer({ env: { DRIFTWAY_GATEWAY_RESUME_GRACE_SECONDS: '1' } });
    try {
        const alice = await registerUser(short);
        const a = await GatewayClient.identified(short, alice.access_token);
        const sessionId = a.ready.d.session_id;
        await a.drop();
        // Probe with a seq from the future: while the session exists that
        // closes with 4007 and leaves it intact; once the grace period is
        // over the session is gone and the answer is invalid_session.
        const probe = async () => {
            const r = await GatewayClient.open(short);
            r.send('resume', { token: alice.access_token, session_id: sessionId, seq: 1000 });
            // next() gives up when the server closes the connection instead.
            const answer = await r.next((f) => f.op === 'invalid_session').then(() => 'gone',
                async () => {
                    const c = await r.closedWith();
                    return c.code === 4007 ? 'exists' : `closed ${c.code}`;
                });
            await r.close();
            return answer;
        };
        assert.equal(await probe(), 'exists', 'resumable right after the drop');
        const deadline = Date.now() + 5000;
        let refused = false;
        while (!refused && Date.now() < deadline) {
            refused = (await probe()) === 'gone';
            if (!refused) await delay(100);
        }
        assert.ok(refused, 'a session dropped for longer than the grace period cannot be resumed');
    } finally {
        await short.stop();
    }
});

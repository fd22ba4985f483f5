// The voice control plane over REST (docs/voice.md): POST /voice/{id}/join
// (permissions, channel type, voice token, TURN credentials) and the voice
// moderation fields of PATCH /spaces/{id}/members/{user_id}.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { api, decodeJwt, expectStatus, startServer } from './lib/server.mjs';
import {
    bits, call, createRole, fromNow, lastAudit, openGateway, refused, setRoles, spaceWithMembers,
    textChannel,
} from './lib/spaces.mjs';

let server;
before(async () => {
    server = await startServer();
});

const voiceChannel = (space) => {
    const c = space.channels.find((ch) => ch.type === 'voice');
    assert.ok(c, `no voice channel in ${JSON.stringify(space.channels)}`);
    return c;
};
const join = (user, channelId, srv = server) =>
    api(srv, 'POST', `/voice/${channelId}/join`, { token: user.access_token });
const CONNECT = 1n << 20n;

test('a member with connect gets the endpoint and a voice token for the channel', async () => {
    const { space, members: [alice] } = await spaceWithMembers(server, 1, 'Voice join');
    const voice = voiceChannel(space);
    const body = expectStatus(await join(alice, voice.id), 200).json;
    assert.equal(body.endpoint, `${server.url.replace(/^http/, 'ws')}/voice`);
    assert.equal(body.channel_id, voice.id);
    assert.equal(body.space_id, space.id);
    assert.equal(body.turn, undefined, 'no TURN without turn_secret');

    const { header, payload } = decodeJwt(body.token);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(payload.aud, 'voice');
    assert.equal(payload.sub, alice.id);
    assert.equal(payload.channel, voice.id);
    assert.equal(payload.space, space.id);
    assert.equal(typeof payload.perms, 'string');
    assert.ok((BigInt(payload.perms) & CONNECT) !== 0n, 'perms carry connect');
    assert.equal(payload.mute, false);
    assert.equal(payload.deaf, false);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(payload.exp > now && payload.exp <= now + 61, `60 s by default: ${payload.exp - now}`);
});

test('join needs connect, a voice channel, and a channel the caller can see', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Voice refusals');
    const voice = voiceChannel(space);
    await call(server, owner, 'PUT', `/channels/${voice.id}/permissions/${bob.id}`,
        { type: 'member', deny: bits('connect') }, 204);
    const e = expectStatus(await join(bob, voice.id), 403, 'missing_permission').json;
    assert.match(e.message, /connect/);
    expectStatus(await join(alice, voice.id), 200);

    // A timed-out member cannot connect.
    await call(server, owner, 'PATCH', `/spaces/${space.id}/members/${alice.id}`,
        { communication_disabled_until: fromNow(60_000) }, 200);
    expectStatus(await join(alice, voice.id), 403, 'missing_permission');

    expectStatus(await join(owner, textChannel(space).id), 400, 'not_a_voice_channel');
    expectStatus(await join(owner, '123456789012345'), 404, 'unknown_channel');
    expectStatus(await join(owner, 'abc'), 404, 'unknown_channel');
    // Someone else's space: as if it did not exist.
    const other = await spaceWithMembers(server, 0, 'Elsewhere');
    expectStatus(await join(owner, voiceChannel(other.space).id), 404, 'unknown_channel');
    expectStatus(await api(server, 'POST', `/voice/${voice.id}/join`), 401);
});

test('a voice token is not an access token', async () => {
    const { space, members: [alice] } = await spaceWithMembers(server, 1, 'Token kinds');
    const { token } = expectStatus(await join(alice, voiceChannel(space).id), 200).json;
    expectStatus(await api(server, 'GET', '/users/@me', { token }), 401, 'invalid_token');
    expectStatus(await api(server, 'GET', '/users/@me', { token: alice.access_token }), 200);
});

test('TURN credentials follow coturn use-auth-secret', async () => {
    const secret = 'integration-turn-secret';
    const turn = await startServer({
        env: {
            DRIFTWAY_VOICE_TURN_SECRET: secret,
            DRIFTWAY_VOICE_TURN_URLS: 'turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp',
            DRIFTWAY_VOICE_TURN_TTL_SECONDS: '3600',
            DRIFTWAY_VOICE_ENDPOINT: 'wss://voice.example.test/voice',
        },
    });
    try {
        const { space, members: [alice] } = await spaceWithMembers(turn, 1, 'TURN');
        const before = Math.floor(Date.now() / 1000);
        const body = expectStatus(await join(alice, voiceChannel(space).id, turn), 200).json;
        const after = Math.floor(Date.now() / 1000);
        assert.equal(body.endpoint, 'wss://voice.example.test/voice');
        assert.deepEqual(body.turn.urls,
            ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
        assert.equal(body.turn.ttl, 3600);
        const [expiry, user] = body.turn.username.split(':');
        assert.equal(user, alice.id);
        assert.ok(Number(expiry) >= before + 3600 && Number(expiry) <= after + 3600, body.turn.username);
        const expected = createHmac('sha1', secret).update(body.turn.username).digest('base64');
        assert.equal(body.turn.credential, expected);
    } finally {
        await turn.stop();
    }
});

test('server mute and deafen need their permissions, persist, and are announced', async () => {
    const { owner, space, members: [mod, bob, watcher] } = await spaceWithMembers(server, 3, 'Voice mod');
    const member = `/spaces/${space.id}/members/${bob.id}`;
    const gw = await openGateway(server, watcher);
    try {
        let e = await refused(server, mod, 'PATCH', member, { mute: true }, 403, 'missing_permission');
        assert.match(e.message, /mute_members/);
        e = await refused(server, mod, 'PATCH', member, { deaf: true }, 403, 'missing_permission');
        assert.match(e.message, /deafen_members/);
        e = await refused(server, mod, 'PATCH', member, { channel_id: null }, 403, 'missing_permission');
        assert.match(e.message, /move_members/);

        // A role with mute_members only: mute yes, deafen no.
        const muter = await createRole(server, owner, space.id,
            { name: 'muter', permissions: (1n << 22n).toString() });
        await setRoles(server, owner, space.id, mod.id, [muter.id]);
        const muted = await call(server, mod, 'PATCH', member, { mute: true }, 200);
        assert.equal(muted.mute, true);
        assert.equal(muted.deaf, false);
        await refused(server, mod, 'PATCH', member, { deaf: true }, 403, 'missing_permission');

        const { d } = await gw.next('MEMBER_UPDATE', (x) => x.user.id === bob.id && x.mute === true);
        assert.equal(d.deaf, false);
        const entry = await lastAudit(server, owner, space.id, 'member_update');
        assert.equal(entry.target_id, bob.id);
        assert.deepEqual(entry.changes, { mute: { old: false, new: true } });

        const deafened = await call(server, owner, 'PATCH', member, { deaf: true }, 200);
        assert.equal(deafened.mute, true);
        assert.equal(deafened.deaf, true);
        await gw.next('MEMBER_UPDATE', (x) => x.user.id === bob.id && x.deaf === true);

        // Stored: read back, and carried by the next voice token.
        const stored = await call(server, owner, 'GET', member, undefined, 200);
        assert.equal(stored.mute, true);
        assert.equal(stored.deaf, true);
        const { token } = expectStatus(await join(bob, voiceChannel(space).id), 200).json;
        assert.equal(decodeJwt(token).payload.mute, true);
        assert.equal(decodeJwt(token).payload.deaf, true);

        // Disconnecting someone who is not in voice is allowed and changes nothing.
        const same = await call(server, owner, 'PATCH', member, { channel_id: null }, 200);
        assert.equal(same.mute, true);
    } finally {
        gw.close();
    }
});

test('bad voice fields are 400 with field errors and change nothing', async () => {
    const { owner, space, members: [bob] } = await spaceWithMembers(server, 1, 'Voice bad input');
    const member = `/spaces/${space.id}/members/${bob.id}`;
    const cases = [
        [{ mute: 'yes' }, 'mute'],
        [{ deaf: 1 }, 'deaf'],
        [{ channel_id: 'abc' }, 'channel_id'],
        [{ channel_id: 7 }, 'channel_id'],
        [{ mute: true, channel_id: textChannel(space).id }, 'channel_id'],  // not a voice channel
        [{ deaf: true, channel_id: '123456789012345' }, 'channel_id'],    // not in this space
        [{ mute: true, channel_id: voiceChannel(space).id }, 'channel_id'],  // bob is not in voice
    ];
    for (const [body, field] of cases) {
        const e = await refused(server, owner, 'PATCH', member, body, 400, 'validation_failed',
            JSON.stringify(body));
        assert.ok(e.errors && field in e.errors, `${JSON.stringify(body)}: ${JSON.stringify(e)}`);
    }
    const stored = await call(server, owner, 'GET', member, undefined, 200);
    assert.equal(stored.mute, false);
    assert.equal(stored.deaf, false);
});

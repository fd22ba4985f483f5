// The voice signaling socket (docs/voice.md) against the real binary: the
// voice token, ready and the SFU's offers, renegotiation as people join and
// leave, voice states on the main gateway, moderation reaching an open voice
// session, and the close codes. Media itself is exercised by tests/e2e.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { call, spaceWithMembers } from './lib/spaces.mjs';
import { GatewayClient } from './lib/gateway.mjs';
import { VoiceClient, answerFor, sections, voiceChannel, voiceJoin } from './lib/voice.mjs';

let server;
before(async () => {
    server = await startServer();
});

async function community(count = 2) {
    const c = await spaceWithMembers(server, count, 'Voice space');
    c.lounge = await voiceChannel(server, c.owner, c.space.id);
    return c;
}

const voiceUpdates = (gw, userId) => gw.dispatches('VOICE_STATE_UPDATE').filter((f) => f.d.user_id === userId);

test('a join gets ready, then an ICE-lite DTLS offer for its microphone', async () => {
    const { owner, lounge } = await community(0);
    const v = await VoiceClient.joined(server, owner, lounge.id);
    assert.equal(v.ready.d.user_id, owner.id);
    assert.equal(v.ready.d.channel_id, lounge.id);
    assert.deepEqual(v.ready.d.participants, []);
    assert.ok(Array.isArray(v.ready.d.ice_servers));
    const sdp = await v.offer(1);
    assert.match(sdp, /^v=0\r\n/);
    assert.match(sdp, /\r\na=ice-lite\r\n/);
    assert.match(sdp, /a=group:BUNDLE 0\r\n/);
    const [mic] = sections(sdp);
    assert.match(mic[0], /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 111/);
    for (const want of ['a=mid:0', 'a=recvonly', 'a=rtcp-mux', 'a=setup:actpass', 'a=end-of-candidates',
        'a=rtpmap:111 opus/48000/2']) {
        assert.ok(mic.includes(want), `${want} missing in ${mic.join(' | ')}`);
    }
    assert.ok(mic.some((l) => /^a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(l)), 'fingerprint');
    assert.ok(mic.some((l) => /^a=extmap:\d+ urn:ietf:params:rtp-hdrext:ssrc-audio-level$/.test(l)), 'audio level');
    assert.ok(mic.some((l) => /^a=fmtp:111 .*useinbandfec=1/.test(l)), 'in-band FEC');
    assert.ok(mic.some((l) => /^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 [1-9]\d* typ host/.test(l)), 'host candidate');
    await v.close();
});

test('participants joining and leaving renegotiate; everyone sees voice states on the gateway', async () => {
    const { owner, members: [ann], lounge } = await community(1);
    const watcher = await GatewayClient.identified(server, owner.access_token);

    const a = await VoiceClient.joined(server, owner, lounge.id);
    a.answer(await a.offer(1));
    await watcher.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === owner.id && d.channel_id === lounge.id);

    const b = await VoiceClient.joined(server, ann, lounge.id);
    assert.deepEqual(b.ready.d.participants.map((p) => p.user_id), [owner.id]);
    const bOffer = sections(await b.offer(1));
    assert.equal(bOffer.length, 2, 'the newcomer gets its microphone and one section for the owner');
    assert.ok(bOffer[1].includes('a=sendonly'));
    assert.ok(bOffer[1].some((l) => l.startsWith(`a=msid:${owner.id} `)), 'the stream names its speaker');
    const ssrc = Number(bOffer[1].find((l) => l.startsWith('a=ssrc:')).split(/[: ]/)[1]);
    assert.equal(b.ready.d.participants[0].ssrc, ssrc, 'ready names the SSRC the owner arrives with');
    b.answer(answerFor(await b.offer(1)));

    await a.next((f) => f.op === 'participant_joined' && f.d.user_id === ann.id, { what: 'participant_joined' });
    const aOffer = sections(await a.offer(2));
    assert.equal(aOffer.length, 2);
    assert.ok(aOffer[1].some((l) => l.startsWith(`a=msid:${ann.id} `)));
    a.answer(await a.offer(2));

    // A fresh session's READY lists who is in voice.
    const late = await GatewayClient.identified(server, owner.access_token);
    const spaceEntry = late.ready.d.spaces.find((s) => s.voice_states);
    const inVoice = (spaceEntry?.voice_states ?? []).map((s) => s.user_id).sort();
    assert.deepEqual(inVoice, [owner.id, ann.id].sort());

    await b.send('leave', {});
    assert.equal((await b.closedWith()).code, 1000);
    await a.next((f) => f.op === 'participant_left' && f.d.user_id === ann.id, { what: 'participant_left' });
    const after = sections(await a.offer(3));
    assert.ok(after[1].includes('a=inactive'), 'the leaver’s section is set inactive');
    await watcher.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === ann.id && d.channel_id === null);
    await a.close();
    await late.close();
    await watcher.close();
});

test('server mute reaches the open session and the gateway; a moderator disconnects and moves', async () => {
    const { owner, members: [ann], space, lounge } = await community(1);
    const stage = await voiceChannel(server, owner, space.id, 'Stage');
    const watcher = await GatewayClient.identified(server, owner.access_token);
    const v = await VoiceClient.joined(server, ann, lounge.id);
    v.answer(await v.offer(1));

    await call(server, owner, 'PATCH', `/spaces/${space.id}/members/${ann.id}`, { mute: true }, 200, 'server mute');
    await v.next((f) => f.op === 'state' && f.d.user_id === ann.id && f.d.server_mute === true,
        { what: 'state server_mute' });
    await watcher.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === ann.id && d.server_mute === true);

    await call(server, owner, 'PATCH', `/spaces/${space.id}/members/${ann.id}`, { channel_id: stage.id }, 200, 'move');
    const moved = await v.next((f) => f.op === 'moved', { what: 'moved' });
    assert.equal(moved.d.channel_id, stage.id);
    assert.equal((await v.closedWith()).code, 4013);

    // Server mute is stored on the member: the next join starts muted.
    const again = await VoiceClient.joined(server, ann, stage.id);
    assert.ok(voiceUpdates(watcher, ann.id).length >= 1);
    await watcher.dispatch('VOICE_STATE_UPDATE',
        (d) => d.user_id === ann.id && d.channel_id === stage.id && d.server_mute === true);
    await call(server, owner, 'PATCH', `/spaces/${space.id}/members/${ann.id}`, { channel_id: null }, 200,
        'disconnect');
    assert.equal((await again.closedWith()).code, 4011);
    await watcher.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === ann.id && d.channel_id === null);
    await watcher.close();
});

test('bad tokens, frames before join, unknown ops and a second join are refused with their close codes', async () => {
    const { owner, lounge } = await community(0);
    const { endpoint, token } = await voiceJoin(server, owner, lounge.id);

    const forged = await VoiceClient.open(server, endpoint);
    forged.send('join', { token: `${token.slice(0, -4)}AAAA` });
    assert.equal((await forged.closedWith()).code, 4004);

    const access = await VoiceClient.open(server, endpoint);
    access.send('join', { token: owner.access_token });
    assert.equal((await access.closedWith()).code, 4004, 'an access token is not a voice token');

    const early = await VoiceClient.open(server, endpoint);
    early.send('mute', { self_mute: true });
    assert.equal((await early.closedWith()).code, 4003);

    const garbage = await VoiceClient.open(server, endpoint);
    garbage.sendRaw('{"op":');
    assert.equal((await garbage.closedWith()).code, 4002);

    const first = await VoiceClient.joined(server, owner, lounge.id);
    first.send('dance', {});
    assert.equal((await first.closedWith()).code, 4001);

    const one = await VoiceClient.joined(server, owner, lounge.id);
    one.send('join', { token });
    assert.equal((await one.closedWith()).code, 4005);

    // The same user joining again elsewhere replaces the older session.
    const older = await VoiceClient.joined(server, owner, lounge.id);
    const newer = await VoiceClient.joined(server, owner, lounge.id);
    assert.equal((await older.closedWith()).code, 4006);
    await newer.close();
});

test('a server with people in voice shuts down cleanly on SIGTERM', async () => {
    const own = await startServer();
    const { owner, members: [ann], space } = await spaceWithMembers(own, 1, 'Shutdown space');
    const lounge = await voiceChannel(own, owner, space.id);
    const a = await VoiceClient.joined(own, owner, lounge.id);
    a.answer(await a.offer(1));
    const b = await VoiceClient.joined(own, ann, lounge.id);
    b.answer(await b.offer(1));
    await a.offer(2);
    const code = await own.stop();
    assert.equal(code, 0, `exit code ${code}, signal ${own.exitInfo?.signal}`);
    const closes = await Promise.all([a.closedWith(), b.closedWith()]);
    for (const c of closes) assert.ok([1001, 1006].includes(c.code), `closed with ${c.code}`);
});

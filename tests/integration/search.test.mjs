// GET /search: ranked, highlighted full-text results, filtered by what the
// caller may read; never a message from a channel they cannot view.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, registerUser, startServer } from './lib/server.mjs';
import { createSpace, dmChannel, join, postOk, spaceWithMembers } from './lib/messaging.mjs';

let server;
before(async () => {
    server = await startServer();
});

async function search(user, params) {
    const q = new URLSearchParams(params).toString();
    return api(server, 'GET', `/search?${q}`, { token: user.access_token });
}

async function searchOk(user, params) {
    const res = expectStatus(await search(user, params), 200, undefined, JSON.stringify(params));
    assert.deepEqual(Object.keys(res.json).sort(), ['results', 'total_returned']);
    assert.equal(res.json.total_returned, res.json.results.length);
    return res.json.results;
}

test('results are ranked and highlighted, with the message and its author', async () => {
    const { owner, member, space, general } = await spaceWithMembers(server);
    const weak = await postOk(server, owner, general.id,
        'a long and winding sentence about many different things where an aardvark appears only once near the end');
    const strong = await postOk(server, member, general.id, 'aardvark aardvark aardvark');
    await postOk(server, owner, general.id, 'nothing relevant here');

    const results = await searchOk(member, { q: 'aardvark', space_id: space.id });
    assert.deepEqual(results.map((r) => r.message.id), [strong.id, weak.id], 'denser match first');
    assert.equal(results[0].message.author.id, member.id);
    assert.equal(results[0].message.channel_id, general.id);
    assert.equal(results[0].highlighted, '<mark>aardvark</mark> <mark>aardvark</mark> <mark>aardvark</mark>');
    assert.match(results[1].highlighted, /an <mark>aardvark<\/mark> appears/);

    // Markup typed by users comes back escaped around the marks.
    await postOk(server, owner, general.id, '<b>okapi</b> & friends');
    const [hit] = await searchOk(owner, { q: 'okapi', space_id: space.id });
    assert.equal(hit.highlighted, '&lt;b&gt;<mark>okapi</mark>&lt;/b&gt; &amp; friends');
    assert.equal(hit.message.content, '<b>okapi</b> & friends');
});

test('search never returns messages from channels the caller cannot view', async () => {
    const { owner, member, outsider, space, general, hidden } = await spaceWithMembers(server);
    const open = await postOk(server, owner, general.id, 'quokka in the open');
    const secret = await postOk(server, owner, hidden.id, 'quokka in the staff room');

    const ownerHits = (await searchOk(owner, { q: 'quokka' })).map((r) => r.message.id).sort();
    assert.deepEqual(ownerHits, [open.id, secret.id].sort());

    for (const params of [{ q: 'quokka' }, { q: 'quokka', space_id: space.id }, { q: 'staff room' }]) {
        const ids = (await searchOk(member, params)).map((r) => r.message.id);
        assert.ok(!ids.includes(secret.id), `member must not see the private message: ${JSON.stringify(params)}`);
    }
    assert.deepEqual((await searchOk(member, { q: 'quokka' })).map((r) => r.message.id), [open.id]);

    // Asking for the hidden channel directly is 404, as if it did not exist.
    expectStatus(await search(member, { q: 'quokka', channel_id: hidden.id }), 404, 'unknown_channel');
    // A user outside the space: 404 on the space and its channels, nothing without filters.
    expectStatus(await search(outsider, { q: 'quokka', space_id: space.id }), 404, 'unknown_space');
    expectStatus(await search(outsider, { q: 'quokka', channel_id: general.id }), 404, 'unknown_channel');
    assert.deepEqual(await searchOk(outsider, { q: 'quokka' }), []);

    // Losing access takes effect at once: the owner makes general private too.
    expectStatus(await api(server, 'PUT', `/channels/${general.id}/permissions/${space.id}`,
        { token: owner.access_token, body: { type: 'role', allow: '0', deny: String(1 << 10) } }), 204);
    assert.deepEqual(await searchOk(member, { q: 'quokka' }), []);
    expectStatus(await search(member, { q: 'quokka', channel_id: general.id }), 404, 'unknown_channel');
});

test('filters: channel, author, before, limit; direct messages are included', async () => {
    const { owner, member, space, general } = await spaceWithMembers(server);
    const other = expectStatus(await api(server, 'POST', `/spaces/${space.id}/channels`,
        { token: owner.access_token, body: { name: 'other', type: 'text' } }), 201).json;
    const ids = [];
    for (let i = 0; i < 6; i += 1) {
        const who = i % 2 ? member : owner;
        const channel = i < 4 ? general : other;
        ids.push((await postOk(server, who, channel.id, `wombat number ${i}`)).id);
    }

    const inGeneral = (await searchOk(owner, { q: 'wombat', channel_id: general.id })).map((r) => r.message.id);
    assert.deepEqual(inGeneral.sort(), ids.slice(0, 4).sort());
    const byMember = (await searchOk(owner, { q: 'wombat', author_id: member.id })).map((r) => r.message.id);
    assert.deepEqual(byMember.sort(), [ids[1], ids[3], ids[5]].sort());
    const older = (await searchOk(owner, { q: 'wombat', before: ids[2] })).map((r) => r.message.id);
    assert.deepEqual(older.sort(), [ids[0], ids[1]].sort());
    assert.equal((await searchOk(owner, { q: 'wombat', limit: '2' })).length, 2);
    // Prefix of the last word, as one types.
    assert.equal((await searchOk(owner, { q: 'womb', space_id: space.id })).length, 6);

    // Direct messages: both sides find them, a third person does not.
    const third = await registerUser(server);
    const dm = await dmChannel(server, owner, member);
    const whisper = await postOk(server, member, dm.id, 'wombat whisper');
    for (const u of [owner, member]) {
        assert.ok((await searchOk(u, { q: 'whisper' })).some((r) => r.message.id === whisper.id));
    }
    assert.deepEqual(await searchOk(third, { q: 'whisper' }), []);
    expectStatus(await search(third, { q: 'whisper', channel_id: dm.id }), 404, 'unknown_channel');

    // A channel of another space given with space_id is not found there.
    const elsewhere = await createSpace(server, owner, 'Elsewhere');
    expectStatus(await search(owner, { q: 'wombat', space_id: elsewhere.space.id, channel_id: general.id }),
        404, 'unknown_channel');
});

test('the index follows edits and deletes', async () => {
    const { owner, space, general } = await spaceWithMembers(server);
    const m = await postOk(server, owner, general.id, 'platypus sighting');
    assert.equal((await searchOk(owner, { q: 'platypus', space_id: space.id })).length, 1);
    expectStatus(await api(server, 'PATCH', `/channels/${general.id}/messages/${m.id}`,
        { token: owner.access_token, body: { content: 'echidna sighting' } }), 200);
    assert.equal((await searchOk(owner, { q: 'platypus', space_id: space.id })).length, 0);
    assert.equal((await searchOk(owner, { q: 'echidna', space_id: space.id })).length, 1);
    expectStatus(await api(server, 'DELETE', `/channels/${general.id}/messages/${m.id}`,
        { token: owner.access_token }), 204);
    assert.equal((await searchOk(owner, { q: 'echidna', space_id: space.id })).length, 0);
});

test('search parameters are validated', async () => {
    const u = await registerUser(server);
    const { space } = await createSpace(server, u);
    for (const params of [{}, { q: '' }, { q: '   ' }, { q: 'x'.repeat(201) }, { q: 'a', limit: '0' },
        { q: 'a', limit: '51' }, { q: 'a', space_id: 'abc' }, { q: 'a', before: '-3' }]) {
        expectStatus(await search(u, params), 400, 'validation_failed', JSON.stringify(params));
    }
    // Query syntax is plain text, never an FTS operator.
    for (const q of ['"', 'a AND', 'NEAR(a b)', '*', 'a OR b', '-x', 'col:val', '(']) {
        expectStatus(await search(u, { q, space_id: space.id }), 200, undefined, q);
    }
    const other = await registerUser(server);
    await join(server, u, space.id, other);
    expectStatus(await search(other, { q: 'a', space_id: space.id }), 200);
});

// Messages over REST: history pages, nonce idempotency, edit and delete
// rules, reactions, pins, threads, typing, read states and mentions, and the
// 404 that users who cannot view a channel get everywhere.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ID, ISO_MS, api, expectStatus, registerUser, startServer } from './lib/server.mjs';
import { byId, dmChannel, history, post, postOk, spaceWithMembers } from './lib/messaging.mjs';

const THUMBS = '\u{1F44D}';
const HEART = '\u2764\uFE0F';

let server;
before(async () => {
    server = await startServer();
});

function reactionPath(channelId, messageId, emoji) {
    return `/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}/@me`;
}

async function readState(user, channelId) {
    const res = expectStatus(await api(server, 'GET', '/users/@me/read-states', { token: user.access_token }), 200);
    assert.ok(Array.isArray(res.json));
    return res.json.find((r) => r.channel_id === channelId);
}

async function auditActions(owner, spaceId) {
    const res = expectStatus(await api(server, 'GET', `/spaces/${spaceId}/audit-log`, { token: owner.access_token }), 200);
    return res.json;
}

test('a message has the documented shape', async () => {
    const { owner, general } = await spaceWithMembers(server);
    const m = await postOk(server, owner, general.id, { content: '  hello world \n', nonce: 'shape-1' });
    assert.deepEqual(Object.keys(m).sort(), ['attachments', 'author', 'channel_id', 'content', 'created_at',
        'edited_at', 'id', 'mention_everyone', 'mentions', 'nonce', 'pinned', 'reactions', 'reply_to',
        'thread_id'].sort());
    assert.match(m.id, ID);
    assert.equal(m.channel_id, general.id);
    assert.equal(m.content, 'hello world', 'content is trimmed');
    assert.match(m.created_at, ISO_MS);
    assert.equal(m.edited_at, null);
    assert.equal(m.reply_to, null);
    assert.equal(m.thread_id, null);
    assert.equal(m.pinned, false);
    assert.deepEqual(m.attachments, []);
    assert.deepEqual(m.reactions, []);
    assert.equal(m.nonce, 'shape-1');
    assert.deepEqual(Object.keys(m.author).sort(), ['avatar', 'display_name', 'id', 'username']);
    assert.equal(m.author.id, owner.id);
    assert.equal(m.author.username, owner.username);

    const plain = await postOk(server, owner, general.id, 'no nonce');
    assert.equal('nonce' in plain, false, 'nonce appears only when set');
});

test('history pages are complete and ordered: before, after, around', async () => {
    const { owner, member, general } = await spaceWithMembers(server);
    const posted = [];
    for (let i = 0; i < 130; i += 1) {
        const author = i % 2 === 0 ? owner : member;
        posted.push((await postOk(server, author, general.id, `message ${i}`)).id);
    }
    const sorted = [...posted].sort(byId);
    assert.deepEqual(sorted, posted, 'ids grow with time');

    // Default: the newest 50, newest first.
    const newest = expectStatus(await history(server, member, general.id), 200).json;
    assert.deepEqual(newest.map((m) => m.id), posted.slice(-50).reverse());
    assert.equal(newest[0].content, 'message 129');
    assert.equal(newest[0].author.id, member.id);
    assert.equal(newest[1].author.id, owner.id);

    // Walking back with before, pages of 100: every message once, no gaps.
    const back = [];
    let cursor = null;
    for (let guard = 0; guard < 10; guard += 1) {
        const page = expectStatus(await history(server, member, general.id,
            `limit=100${cursor ? `&before=${cursor}` : ''}`), 200).json;
        if (page.length === 0) break;
        for (let i = 1; i < page.length; i += 1) assert.equal(byId(page[i - 1].id, page[i].id), 1, 'newest first');
        back.push(...page.map((m) => m.id));
        cursor = page[page.length - 1].id;
        if (page.length < 100) break;
    }
    assert.deepEqual(back, [...posted].reverse());

    // Walking forward with after from before the first message.
    const forward = [];
    cursor = '1';
    for (let guard = 0; guard < 10; guard += 1) {
        const page = expectStatus(await history(server, member, general.id, `after=${cursor}&limit=100`), 200).json;
        if (page.length === 0) break;
        for (let i = 1; i < page.length; i += 1) assert.equal(byId(page[i - 1].id, page[i].id), -1, 'oldest first');
        forward.push(...page.map((m) => m.id));
        cursor = page[page.length - 1].id;
    }
    assert.deepEqual(forward, posted);

    // around: centred on the message, oldest first, contiguous.
    const mid = 64;
    const around = expectStatus(await history(server, member, general.id, `around=${posted[mid]}&limit=11`), 200).json;
    assert.equal(around.length, 11);
    const ids = around.map((m) => m.id);
    assert.ok(ids.includes(posted[mid]));
    const start = posted.indexOf(ids[0]);
    assert.deepEqual(ids, posted.slice(start, start + 11));
    assert.ok(start <= mid && mid < start + 11);
    assert.ok(Math.abs(mid - start - 5) <= 1, `centred: starts ${mid - start} before the message`);

    // The first and last pages are short rather than padded.
    const oldest = expectStatus(await history(server, member, general.id, `before=${posted[2]}&limit=100`), 200).json;
    assert.deepEqual(oldest.map((m) => m.id), [posted[1], posted[0]]);
    const none = expectStatus(await history(server, member, general.id, `after=${posted[129]}`), 200).json;
    assert.deepEqual(none, []);
});

test('history parameters are validated', async () => {
    const { owner, general } = await spaceWithMembers(server);
    const m = await postOk(server, owner, general.id, 'x');
    for (const q of ['limit=0', 'limit=101', 'limit=ten', `before=${m.id}&after=${m.id}`,
        `around=${m.id}&before=${m.id}`, 'before=abc', 'after=-1']) {
        expectStatus(await history(server, owner, general.id, q), 400, 'validation_failed', q);
    }
    expectStatus(await history(server, owner, general.id, 'limit=1'), 200);
    expectStatus(await history(server, owner, general.id, 'limit=100'), 200);
});

test('a nonce makes creation idempotent: retries post once', async () => {
    const { owner, member, general } = await spaceWithMembers(server);
    const first = expectStatus(await post(server, member, general.id, { content: 'once', nonce: 'n-123' }), 201);
    const again = expectStatus(await post(server, member, general.id, { content: 'once', nonce: 'n-123' }), 200);
    assert.equal(again.json.id, first.json.id);

    // Concurrent retries of a lost reply: exactly one creation.
    const racing = await Promise.all(Array.from({ length: 6 }, () =>
        post(server, member, general.id, { content: 'raced', nonce: 'race-1' })));
    const statuses = racing.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(racing.map((r) => r.json.id)).size, 1);

    // The same nonce from another author is another message.
    const other = expectStatus(await post(server, owner, general.id, { content: 'once', nonce: 'n-123' }), 201);
    assert.notEqual(other.json.id, first.json.id);

    const page = expectStatus(await history(server, owner, general.id), 200).json;
    assert.equal(page.filter((m) => m.content === 'once').length, 2);
    assert.equal(page.filter((m) => m.content === 'raced').length, 1);
});

test('message bodies are validated', async () => {
    const { owner, general, hidden } = await spaceWithMembers(server);
    const bad = [
        [{ content: '' }, 'content'],
        [{ content: '   \n ' }, 'content'],
        [{}, 'content'],
        [{ content: 'x'.repeat(2001) }, 'content'],
        [{ content: 'x', nonce: '' }, 'nonce'],
        [{ content: 'x', nonce: 'n'.repeat(65) }, 'nonce'],
        [{ content: 'x', reply_to: 'abc' }, 'reply_to'],
        [{ content: 'x', attachment_ids: 'nope' }, 'attachment_ids'],
        [{ content: 'x', attachment_ids: Array.from({ length: 11 }, (_, i) => String(i + 1)) }, 'attachment_ids'],
        [{ content: 'x', attachment_ids: ['123456'] }, 'attachment_ids'],
        [{ content: 'x', extra: true }, 'extra'],
    ];
    for (const [body, field] of bad) {
        const res = expectStatus(await post(server, owner, general.id, body), 400, 'validation_failed', JSON.stringify(body).slice(0, 80));
        assert.ok(res.json.errors && field in res.json.errors, `${field} named: ${res.text}`);
    }
    assert.equal((await postOk(server, owner, general.id, 'x'.repeat(2000))).content.length, 2000);
    // 2000 characters, not bytes.
    assert.equal([...(await postOk(server, owner, general.id, '\u{1F600}'.repeat(2000))).content].length, 2000);

    // reply_to must be a message of the same channel.
    const elsewhere = await postOk(server, owner, hidden.id, 'in another channel');
    const res = expectStatus(await post(server, owner, general.id, { content: 'reply', reply_to: elsewhere.id }),
        400, 'validation_failed');
    assert.ok('reply_to' in res.json.errors);
    const target = await postOk(server, owner, general.id, 'original');
    const reply = await postOk(server, owner, general.id, { content: 'reply', reply_to: target.id });
    assert.equal(reply.reply_to, target.id);
});

test('only the author edits; the author or manage_messages deletes, audited for moderators', async () => {
    const { owner, member, space, general } = await spaceWithMembers(server);
    const mine = await postOk(server, member, general.id, 'first draft');
    const theirs = await postOk(server, owner, general.id, 'owner says');

    const path = (m) => `/channels/${general.id}/messages/${m.id}`;
    expectStatus(await api(server, 'PATCH', path(theirs), { token: member.access_token, body: { content: 'hijack' } }),
        403);
    // Not even the owner edits someone else's words.
    expectStatus(await api(server, 'PATCH', path(mine), { token: owner.access_token, body: { content: 'hijack' } }),
        403);
    const edited = expectStatus(await api(server, 'PATCH', path(mine),
        { token: member.access_token, body: { content: ' second draft ' } }), 200).json;
    assert.equal(edited.id, mine.id);
    assert.equal(edited.content, 'second draft');
    assert.match(edited.edited_at, ISO_MS);
    expectStatus(await api(server, 'PATCH', path(mine), { token: member.access_token, body: { content: '' } }),
        400, 'validation_failed');
    expectStatus(await api(server, 'PATCH', path(mine), { token: member.access_token, body: { content: 'x', pinned: true } }),
        400, 'validation_failed');

    const page = expectStatus(await history(server, owner, general.id), 200).json;
    assert.equal(page.find((m) => m.id === mine.id).content, 'second draft');

    // Deleting: a member without manage_messages may not delete others' messages.
    expectStatus(await api(server, 'DELETE', path(theirs), { token: member.access_token }), 403, 'missing_permission');
    const own = await postOk(server, member, general.id, 'short-lived');
    expectStatus(await api(server, 'DELETE', path(own), { token: member.access_token }), 204);
    // The owner moderates: deleting someone else's message is audited.
    expectStatus(await api(server, 'DELETE', path(mine), { token: owner.access_token }), 204);
    expectStatus(await api(server, 'DELETE', path(mine), { token: owner.access_token }), 404, 'unknown_message');
    expectStatus(await api(server, 'PATCH', path(mine), { token: member.access_token, body: { content: 'x' } }),
        404, 'unknown_message');

    const left = expectStatus(await history(server, owner, general.id), 200).json.map((m) => m.id);
    assert.ok(!left.includes(mine.id) && !left.includes(own.id));
    assert.ok(left.includes(theirs.id));

    const audit = await auditActions(owner, space.id);
    const deletes = audit.filter((e) => e.action === 'message_delete');
    assert.equal(deletes.length, 1, 'only the moderator delete is audited');
    assert.equal(deletes[0].actor_id, owner.id);
    assert.equal(deletes[0].target_id, member.id);
    assert.equal(deletes[0].changes.message_id, mine.id);
});

test('reactions: counts, me, idempotent add and remove', async () => {
    const { owner, member, general } = await spaceWithMembers(server);
    const m = await postOk(server, owner, general.id, 'react to me');
    const put = (u, e) => api(server, 'PUT', reactionPath(general.id, m.id, e), { token: u.access_token });
    const del = (u, e) => api(server, 'DELETE', reactionPath(general.id, m.id, e), { token: u.access_token });
    const reactionsFor = async (u) => (expectStatus(await history(server, u, general.id), 200).json
        .find((x) => x.id === m.id).reactions);

    expectStatus(await put(member, THUMBS), 204);
    expectStatus(await put(member, THUMBS), 204);
    expectStatus(await put(owner, THUMBS), 204);
    expectStatus(await put(owner, HEART), 204);

    const sortByEmoji = (rs) => [...rs].sort((a, b) => (a.emoji < b.emoji ? -1 : 1));
    assert.deepEqual(sortByEmoji(await reactionsFor(member)), sortByEmoji([
        { emoji: THUMBS, count: 2, me: true }, { emoji: HEART, count: 1, me: false }]));
    assert.deepEqual(sortByEmoji(await reactionsFor(owner)), sortByEmoji([
        { emoji: THUMBS, count: 2, me: true }, { emoji: HEART, count: 1, me: true }]));

    expectStatus(await del(owner, THUMBS), 204);
    expectStatus(await del(owner, THUMBS), 204, undefined, 'removing what is not there is fine');
    expectStatus(await del(owner, HEART), 204);
    assert.deepEqual(await reactionsFor(owner), [{ emoji: THUMBS, count: 1, me: false }]);
    assert.deepEqual(await reactionsFor(member), [{ emoji: THUMBS, count: 1, me: true }]);

    for (const e of ['thumbsup', 'a', '1', ' ', `${THUMBS} x`, `${THUMBS}`.repeat(9)]) {
        expectStatus(await put(member, e), 400, 'validation_failed', `emoji ${JSON.stringify(e)}`);
    }
    expectStatus(await api(server, 'PUT', reactionPath(general.id, '123456789', THUMBS), { token: member.access_token }),
        404, 'unknown_message');
    expectStatus(await api(server, 'DELETE', reactionPath(general.id, '123456789', THUMBS), { token: member.access_token }),
        404, 'unknown_message');
});

test('pins need manage_messages, are listed, and are audited', async () => {
    const { owner, member, space, general } = await spaceWithMembers(server);
    const m = await postOk(server, member, general.id, 'pin me');
    const pinPath = `/channels/${general.id}/pins/${m.id}`;

    expectStatus(await api(server, 'PUT', pinPath, { token: member.access_token }), 403, 'missing_permission');
    expectStatus(await api(server, 'PUT', pinPath, { token: owner.access_token }), 204);
    expectStatus(await api(server, 'PUT', pinPath, { token: owner.access_token }), 204, undefined, 'pinning twice');

    const pins = expectStatus(await api(server, 'GET', `/channels/${general.id}/pins`, { token: member.access_token }), 200).json;
    assert.deepEqual(pins.map((p) => p.id), [m.id]);
    assert.equal(pins[0].pinned, true);
    assert.equal(pins[0].author.id, member.id);
    const listed = expectStatus(await history(server, member, general.id), 200).json.find((x) => x.id === m.id);
    assert.equal(listed.pinned, true);

    expectStatus(await api(server, 'DELETE', pinPath, { token: owner.access_token }), 204);
    assert.deepEqual(expectStatus(await api(server, 'GET', `/channels/${general.id}/pins`,
        { token: member.access_token }), 200).json, []);
    expectStatus(await api(server, 'PUT', `/channels/${general.id}/pins/123456789`, { token: owner.access_token }),
        404, 'unknown_message');

    const actions = (await auditActions(owner, space.id)).map((e) => e.action);
    assert.equal(actions.filter((a) => a === 'message_pin').length, 1, 'the repeated pin changed nothing');
    assert.equal(actions.filter((a) => a === 'message_unpin').length, 1);
});

test('a thread starts from a message, once, and holds messages', async () => {
    const { owner, member, space, general } = await spaceWithMembers(server);
    const origin = await postOk(server, owner, general.id, 'let us discuss');
    const threadsPath = `/channels/${general.id}/messages/${origin.id}/threads`;

    const thread = expectStatus(await api(server, 'POST', threadsPath,
        { token: member.access_token, body: { name: 'side-talk' } }), 201).json;
    assert.match(thread.id, ID);
    assert.equal(thread.type, 'thread');
    assert.equal(thread.parent_id, general.id);
    assert.equal(thread.space_id, space.id);
    assert.equal(thread.origin_message_id, origin.id);
    assert.equal(thread.owner_id, member.id);
    assert.equal(thread.name, 'side-talk');

    expectStatus(await api(server, 'POST', threadsPath, { token: owner.access_token, body: { name: 'again' } }),
        409, 'thread_exists');
    const linked = expectStatus(await history(server, owner, general.id), 200).json.find((m) => m.id === origin.id);
    assert.equal(linked.thread_id, thread.id);

    const inThread = await postOk(server, owner, thread.id, 'in the thread');
    assert.equal(inThread.channel_id, thread.id);
    const page = expectStatus(await history(server, member, thread.id), 200).json;
    assert.deepEqual(page.map((m) => m.id), [inThread.id]);

    // Concurrent starts on one message: one thread.
    const other = await postOk(server, owner, general.id, 'race for a thread');
    const racing = await Promise.all(Array.from({ length: 4 }, (_, i) => api(server, 'POST',
        `/channels/${general.id}/messages/${other.id}/threads`, { token: owner.access_token, body: { name: `t${i}` } })));
    assert.deepEqual(racing.map((r) => r.status).sort(), [201, 409, 409, 409]);

    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'ok', auto_archive: 60 }]) {
        const o = await postOk(server, owner, general.id, 'bad thread');
        expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${o.id}/threads`,
            { token: owner.access_token, body }), 400, 'validation_failed', JSON.stringify(body));
    }
    expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/123456789/threads`,
        { token: owner.access_token, body: { name: 'ghost' } }), 404, 'unknown_message');
    // No threads of threads.
    expectStatus(await api(server, 'POST', `/channels/${thread.id}/messages/${inThread.id}/threads`,
        { token: owner.access_token, body: { name: 'nested' } }), 400);

    const audit = await auditActions(owner, space.id);
    assert.ok(audit.some((e) => e.action === 'thread_create' && e.target_id === thread.id));
});

test('threads cannot be started in direct messages', async () => {
    const a = await registerUser(server);
    const b = await registerUser(server);
    const dm = await dmChannel(server, a, b);
    const m = await postOk(server, a, dm.id, 'hi there');
    expectStatus(await api(server, 'POST', `/channels/${dm.id}/messages/${m.id}/threads`,
        { token: a.access_token, body: { name: 'nope' } }), 400);
    // DMs otherwise work: the other side reads and reacts.
    const page = expectStatus(await history(server, b, dm.id), 200).json;
    assert.deepEqual(page.map((x) => x.id), [m.id]);
    expectStatus(await api(server, 'PUT', reactionPath(dm.id, m.id, THUMBS), { token: b.access_token }), 204);
});

test('typing is 204 for those who may send', async () => {
    const { member, outsider, general, hidden } = await spaceWithMembers(server);
    expectStatus(await api(server, 'POST', `/channels/${general.id}/typing`, { token: member.access_token }), 204);
    expectStatus(await api(server, 'POST', `/channels/${hidden.id}/typing`, { token: member.access_token }), 404,
        'unknown_channel');
    expectStatus(await api(server, 'POST', `/channels/${general.id}/typing`, { token: outsider.access_token }), 404,
        'unknown_channel');
    expectStatus(await api(server, 'POST', '/channels/123456789/typing', { token: member.access_token }), 404);
});

test('mentions feed read states; ack clears them', async () => {
    const { owner, member, general, hidden } = await spaceWithMembers(server);
    const stranger = await registerUser(server);

    const m = await postOk(server, owner, general.id,
        `hey <@${member.id}> and <@${stranger.id}> and me <@${owner.id}> <@${member.id}>`);
    assert.deepEqual([...m.mentions].sort(byId), [owner.id, member.id].sort(byId),
        'members only, once each; non-members are plain text');
    assert.equal(m.mention_everyone, false);
    let state = await readState(member, general.id);
    assert.equal(state?.mention_count, 1);
    assert.equal((await readState(owner, general.id))?.mention_count ?? 0, 0, 'the author does not mention themself');

    // Reading up to the message clears the count.
    const acked = expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${m.id}/ack`,
        { token: member.access_token }), 200).json;
    assert.deepEqual(acked, { channel_id: general.id, last_read_id: m.id, mention_count: 0 });
    state = await readState(member, general.id);
    assert.deepEqual(state, acked);

    // A mention in a channel the member cannot view names them but counts nothing.
    const secret = await postOk(server, owner, hidden.id, `psst <@${member.id}>`);
    assert.deepEqual(secret.mentions, [member.id]);
    assert.equal(await readState(member, hidden.id), undefined);

    // @everyone: the owner may; a plain member's is only text.
    const all = await postOk(server, owner, general.id, 'hello @everyone');
    assert.equal(all.mention_everyone, true);
    assert.equal((await readState(member, general.id)).mention_count, 1);
    const fromMember = await postOk(server, member, general.id, 'hi @everyone');
    assert.equal(fromMember.mention_everyone, false);
    assert.equal((await readState(owner, general.id))?.mention_count ?? 0, 0);

    // An ack of an older message does not move the read marker back.
    expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${fromMember.id}/ack`,
        { token: member.access_token, body: {} }), 200);
    const back = expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${m.id}/ack`,
        { token: member.access_token, body: {} }), 200).json;
    assert.deepEqual(back, { channel_id: general.id, last_read_id: fromMember.id, mention_count: 0 });

    expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/123456789/ack`,
        { token: member.access_token }), 404, 'unknown_message');
    expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${m.id}/ack`,
        { token: member.access_token, body: { token: null } }), 400, 'validation_failed');
});

test('timed-out members can read but not send, react or type', async () => {
    const { owner, member, space, general } = await spaceWithMembers(server);
    const m = await postOk(server, owner, general.id, 'before the timeout');
    const until = new Date(Date.now() + 10 * 60 * 1000).toISOString();
    expectStatus(await api(server, 'PATCH', `/spaces/${space.id}/members/${member.id}`,
        { token: owner.access_token, body: { communication_disabled_until: until } }), 200);

    expectStatus(await post(server, member, general.id, 'let me speak'), 403, 'communication_disabled');
    expectStatus(await api(server, 'PUT', reactionPath(general.id, m.id, THUMBS), { token: member.access_token }),
        403, 'communication_disabled');
    expectStatus(await api(server, 'POST', `/channels/${general.id}/typing`, { token: member.access_token }),
        403, 'communication_disabled');
    expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${m.id}/threads`,
        { token: member.access_token, body: { name: 'sneaky' } }), 403, 'communication_disabled');
    expectStatus(await history(server, member, general.id), 200);

    expectStatus(await api(server, 'PATCH', `/spaces/${space.id}/members/${member.id}`,
        { token: owner.access_token, body: { communication_disabled_until: null } }), 200);
    await postOk(server, member, general.id, 'free again');
});

test('outsiders and members without view permission get 404 everywhere', async () => {
    const { owner, member, outsider, general, hidden } = await spaceWithMembers(server);
    const pub = await postOk(server, owner, general.id, 'public');
    const secret = await postOk(server, owner, hidden.id, 'secret');

    const cases = [
        [outsider, general.id, pub.id],
        [member, hidden.id, secret.id],
    ];
    for (const [who, channel, mid] of cases) {
        const t = { token: who.access_token };
        const checks = [
            ['GET', `/channels/${channel}/messages`, undefined],
            ['POST', `/channels/${channel}/messages`, { content: 'hi' }],
            ['PATCH', `/channels/${channel}/messages/${mid}`, { content: 'x' }],
            ['DELETE', `/channels/${channel}/messages/${mid}`, undefined],
            ['PUT', reactionPath(channel, mid, THUMBS), undefined],
            ['DELETE', reactionPath(channel, mid, THUMBS), undefined],
            ['GET', `/channels/${channel}/pins`, undefined],
            ['PUT', `/channels/${channel}/pins/${mid}`, undefined],
            ['POST', `/channels/${channel}/messages/${mid}/threads`, { name: 't' }],
            ['POST', `/channels/${channel}/typing`, undefined],
            ['POST', `/channels/${channel}/messages/${mid}/ack`, undefined],
        ];
        for (const [method, path, body] of checks) {
            expectStatus(await api(server, method, path, { ...t, body }), 404, 'unknown_channel', `${method} ${path}`);
        }
    }
    // Nothing leaked through: the message and its channel are untouched.
    const page = expectStatus(await history(server, owner, hidden.id), 200).json;
    assert.deepEqual(page.map((m) => m.id), [secret.id]);
    assert.deepEqual(page[0].reactions, []);
    const rs = expectStatus(await api(server, 'GET', '/users/@me/read-states', { token: member.access_token }), 200).json;
    assert.ok(!rs.some((r) => r.channel_id === hidden.id));
});

// Channels of a space, private channels, permission overwrites and direct
// messages over the REST API: who sees what, and changes that apply at once.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ID, ISO_MS, api, expectStatus, registerUser, startServer } from './lib/server.mjs';
import {
    bits, call, createRole, lastAudit, openGateway, refused, setRoles, spaceWithMembers, textChannel,
} from './lib/spaces.mjs';

let server;
before(async () => {
    server = await startServer();
});

const channelIds = async (user, spaceId) =>
    (await call(server, user, 'GET', `/spaces/${spaceId}/channels`, undefined, 200)).map((c) => c.id);

const post = (user, channelId, content) =>
    api(server, 'POST', `/channels/${channelId}/messages`, { token: user.access_token, body: { content } });

test('creating channels: names, types, categories, validation', async () => {
    const { owner, space, members: [alice] } = await spaceWithMembers(server, 1, 'Channels');
    const base = `/spaces/${space.id}/channels`;

    const notes = await call(server, owner, 'POST', base, { name: '  Release   Notes ', topic: 'What shipped' }, 201);
    assert.match(notes.id, ID);
    assert.equal(notes.name, 'release-notes');
    assert.equal(notes.type, 'text');
    assert.equal(notes.topic, 'What shipped');
    assert.equal(notes.space_id, space.id);
    assert.equal(notes.parent_id, null);
    assert.equal(notes.position, 2, 'after general and General');
    assert.deepEqual(notes.permission_overwrites, []);
    assert.ok(!('recipients' in notes));
    assert.match(notes.created_at, ISO_MS);

    const voice = await call(server, owner, 'POST', base, { name: 'Voice Lounge', type: 'voice' }, 201);
    assert.equal(voice.name, 'Voice Lounge');
    const category = await call(server, owner, 'POST', base, { name: 'Projects', type: 'category' }, 201);
    const inside = await call(server, owner, 'POST', base, { name: 'alpha', parent_id: category.id, position: 7 }, 201);
    assert.equal(inside.parent_id, category.id);
    assert.equal(inside.position, 7);

    const ids = await channelIds(alice, space.id);
    for (const c of [notes, voice, category, inside]) assert.ok(ids.includes(c.id), `alice sees ${c.name}`);
    const got = await call(server, alice, 'GET', `/channels/${notes.id}`, undefined, 200);
    assert.equal(got.topic, 'What shipped');
    const entry = await lastAudit(server, owner, space.id, 'channel_create');
    assert.equal(entry.target_id, inside.id);
    assert.equal(entry.changes.name, 'alpha');

    // manage_channels is not in @everyone.
    const e = await refused(server, alice, 'POST', base, { name: 'mine' }, 403, 'missing_permission');
    assert.match(e.message, /manage_channels/);

    const general = textChannel(space);
    const cases = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(101) }, 'name'],
        [{ name: 'a', type: 'thread' }, 'type'],
        [{ name: 'a', type: 'dm' }, 'type'],
        [{ name: 'a', type: 'forum' }, 'type'],
        [{ name: 'a', topic: 'x'.repeat(1025) }, 'topic'],
        [{ name: 'a', parent_id: general.id }, 'parent_id'],
        [{ name: 'a', parent_id: '1' }, 'parent_id'],
        [{ name: 'a', parent_id: 5 }, 'parent_id'],
        [{ name: 'a', type: 'category', parent_id: category.id }, 'parent_id'],
        [{ name: 'a', members: [alice.id] }, 'members'],
        [{ name: 'a', private: true, members: ['nope'] }, 'members'],
        [{ name: 'a', private: 'yes' }, 'private'],
        [{ name: 'a', nsfw: true }, 'nsfw'],
    ];
    for (const [body, field] of cases) {
        const err = await refused(server, owner, 'POST', base, body, 400, 'validation_failed', JSON.stringify(body));
        assert.ok(err.errors && field in err.errors, `${JSON.stringify(body)} -> ${JSON.stringify(err)}`);
    }
    const outsider = await registerUser(server);
    await refused(server, owner, 'POST', base, { name: 'a', private: true, members: [outsider.id] }, 400,
        'validation_failed');
    await refused(server, outsider, 'GET', `/channels/${notes.id}`, undefined, 404, 'unknown_channel');
    await refused(server, outsider, 'GET', base, undefined, 404, 'unknown_space');
    await refused(server, outsider, 'GET', '/channels/notanid', undefined, 404, 'unknown_channel');
});

test('a private channel is invisible to members who are not listed', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Private');
    const secret = await call(server, owner, 'POST', `/spaces/${space.id}/channels`,
        { name: 'staff', private: true, members: [alice.id] }, 201);
    const ow = Object.fromEntries(secret.permission_overwrites.map((o) => [o.id, o]));
    assert.equal(ow[space.id].type, 'role');
    assert.equal(ow[space.id].deny, bits('view_channel'));
    assert.equal(ow[owner.id].allow, bits('view_channel'));
    assert.equal(ow[alice.id].type, 'member');

    assert.equal((await call(server, alice, 'GET', `/channels/${secret.id}`, undefined, 200)).name, 'staff');
    assert.ok((await channelIds(alice, space.id)).includes(secret.id));
    await refused(server, bob, 'GET', `/channels/${secret.id}`, undefined, 404, 'unknown_channel');
    assert.ok(!(await channelIds(bob, space.id)).includes(secret.id));
    // Nor does it show in the space body or allow posting.
    const asBob = await call(server, bob, 'GET', `/spaces/${space.id}`, undefined, 200);
    assert.ok(!asBob.channels.some((c) => c.id === secret.id));
    expectStatus(await post(bob, secret.id, 'let me in'), 404, 'unknown_channel');
});

test('overwrites change what a member can do at once', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Overwrites');
    const general = textChannel(space);
    const perms = `/channels/${general.id}/permissions`;

    expectStatus(await post(bob, general.id, 'hello'), 201);
    await call(server, owner, 'PUT', `${perms}/${bob.id}`, { type: 'member', deny: bits('send_messages') }, 204);
    expectStatus(await post(bob, general.id, 'still here?'), 403);
    expectStatus(await post(alice, general.id, 'I can'), 201);
    const shown = await call(server, bob, 'GET', `/channels/${general.id}`, undefined, 200);
    assert.deepEqual(shown.permission_overwrites,
        [{ id: bob.id, type: 'member', allow: '0', deny: bits('send_messages') }]);
    const entry = await lastAudit(server, owner, space.id, 'overwrite_update');
    assert.equal(entry.target_id, general.id);
    assert.equal(entry.changes.type, 'member');

    // Hiding the channel from @everyone hides it from everyone but those allowed.
    await call(server, owner, 'PUT', `${perms}/${space.id}`, { type: 'role', deny: bits('view_channel') }, 204);
    await refused(server, alice, 'GET', `/channels/${general.id}`, undefined, 404, 'unknown_channel');
    assert.ok(!(await channelIds(alice, space.id)).includes(general.id));
    await call(server, owner, 'PUT', `${perms}/${alice.id}`, { type: 'member', allow: bits('view_channel') }, 204);
    await call(server, alice, 'GET', `/channels/${general.id}`, undefined, 200);
    await call(server, owner, 'DELETE', `${perms}/${space.id}`, undefined, 204);
    await call(server, owner, 'DELETE', `${perms}/${bob.id}`, undefined, 204);
    expectStatus(await post(bob, general.id, 'back'), 201);
    await refused(server, owner, 'DELETE', `${perms}/${bob.id}`, undefined, 404, 'unknown_overwrite');
    const removed = await lastAudit(server, owner, space.id, 'overwrite_delete');
    assert.equal(removed.changes.deny, bits('send_messages'));

    // Managing overwrites needs manage_roles, and only bits one holds.
    let e = await refused(server, alice, 'PUT', `${perms}/${bob.id}`, { type: 'member', deny: bits('send_messages') },
        403, 'missing_permission');
    assert.match(e.message, /manage_roles/);
    const limited = await createRole(server, owner, space.id, { name: 'limited', permissions: bits('manage_roles') });
    await setRoles(server, owner, space.id, alice.id, [limited.id]);
    e = await refused(server, alice, 'PUT', `${perms}/${bob.id}`, { type: 'member', allow: bits('ban_members') },
        403, 'missing_permission');
    assert.match(e.message, /ban_members/);
    await call(server, alice, 'PUT', `${perms}/${bob.id}`, { type: 'member', deny: bits('add_reactions') }, 204);

    await refused(server, owner, 'PUT', `${perms}/123`, { type: 'role' }, 404, 'unknown_role');
    const outsider = await registerUser(server);
    await refused(server, owner, 'PUT', `${perms}/${outsider.id}`, { type: 'member' }, 404, 'unknown_member');
    for (const body of [{}, { type: 'user' }, { type: 'member', allow: 'x' }, { type: 'member', deny: 1024 },
        { type: 'member', allow: bits('send_messages'), deny: bits('send_messages') },
        { type: 'member', extra: 1 }]) {
        await refused(server, owner, 'PUT', `${perms}/${bob.id}`, body, 400, 'validation_failed', JSON.stringify(body));
    }
});

test('editing and deleting channels', async () => {
    const { owner, space, members: [alice] } = await spaceWithMembers(server, 1, 'Edits');
    const base = `/spaces/${space.id}/channels`;
    const category = await call(server, owner, 'POST', base, { name: 'Work', type: 'category' }, 201);
    const c = await call(server, owner, 'POST', base, { name: 'plans' }, 201);

    const edited = await call(server, owner, 'PATCH', `/channels/${c.id}`,
        { name: 'Big Plans', topic: 'roadmap', parent_id: category.id, position: 4 }, 200);
    assert.equal(edited.name, 'big-plans');
    assert.equal(edited.topic, 'roadmap');
    assert.equal(edited.parent_id, category.id);
    assert.equal(edited.position, 4);
    assert.equal((await call(server, alice, 'GET', `/channels/${c.id}`, undefined, 200)).name, 'big-plans');
    const entry = await lastAudit(server, owner, space.id, 'channel_update');
    assert.deepEqual(entry.changes.name, { old: 'plans', new: 'big-plans' });

    const e = await refused(server, alice, 'PATCH', `/channels/${c.id}`, { topic: 'mine' }, 403, 'missing_permission');
    assert.match(e.message, /manage_channels/);
    await refused(server, alice, 'DELETE', `/channels/${c.id}`, undefined, 403, 'missing_permission');
    for (const body of [{ name: '' }, { topic: 7 }, { parent_id: c.id }, { position: -1 }, { type: 'voice' }]) {
        await refused(server, owner, 'PATCH', `/channels/${c.id}`, body, 400, 'validation_failed', JSON.stringify(body));
    }

    // Deleting a category leaves its channels outside any category.
    await call(server, owner, 'DELETE', `/channels/${category.id}`, undefined, 204);
    await refused(server, owner, 'GET', `/channels/${category.id}`, undefined, 404, 'unknown_channel');
    assert.equal((await call(server, owner, 'GET', `/channels/${c.id}`, undefined, 200)).parent_id, null);
    await call(server, owner, 'DELETE', `/channels/${c.id}`, undefined, 204);
    await refused(server, alice, 'GET', `/channels/${c.id}`, undefined, 404, 'unknown_channel');
    assert.ok(!(await channelIds(alice, space.id)).includes(c.id));
    const deleted = await lastAudit(server, owner, space.id, 'channel_delete');
    assert.equal(deleted.target_id, c.id);
});

test('direct messages are found again; group DMs are new', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const carol = await registerUser(server);
    const dm = await call(server, alice, 'POST', '/users/@me/channels', { recipients: [bob.id] }, 201);
    assert.equal(dm.type, 'dm');
    assert.equal(dm.space_id, null);
    assert.deepEqual([...dm.recipients].sort(), [alice.id, bob.id].sort());

    const again = await call(server, alice, 'POST', '/users/@me/channels', { recipients: [bob.id] }, 200);
    assert.equal(again.id, dm.id);
    const fromBob = await call(server, bob, 'POST', '/users/@me/channels', { recipients: [alice.id] }, 200);
    assert.equal(fromBob.id, dm.id);
    assert.equal((await call(server, bob, 'GET', `/channels/${dm.id}`, undefined, 200)).type, 'dm');
    await refused(server, carol, 'GET', `/channels/${dm.id}`, undefined, 404, 'unknown_channel');
    await refused(server, alice, 'PATCH', `/channels/${dm.id}`, { name: 'x' }, 403, 'missing_permission');
    await refused(server, alice, 'DELETE', `/channels/${dm.id}`, undefined, 403, 'missing_permission');
    expectStatus(await post(bob, dm.id, 'hi alice'), 201);
    expectStatus(await post(carol, dm.id, 'hi'), 404, 'unknown_channel');

    const group = await call(server, alice, 'POST', '/users/@me/channels', { recipients: [bob.id, carol.id] }, 201);
    assert.equal(group.type, 'group_dm');
    assert.equal(group.owner_id, alice.id);
    assert.deepEqual([...group.recipients].sort(), [alice.id, bob.id, carol.id].sort());
    const second = await call(server, alice, 'POST', '/users/@me/channels', { recipients: [bob.id, carol.id] }, 201);
    assert.notEqual(second.id, group.id);
    assert.equal((await call(server, carol, 'GET', `/channels/${group.id}`, undefined, 200)).id, group.id);

    const mine = (await call(server, alice, 'GET', '/users/@me/channels', undefined, 200)).map((c) => c.id);
    assert.deepEqual(mine.sort(), [dm.id, group.id, second.id].sort());
    const carols = (await call(server, carol, 'GET', '/users/@me/channels', undefined, 200)).map((c) => c.id);
    assert.deepEqual(carols.sort(), [group.id, second.id].sort());

    await refused(server, alice, 'POST', '/users/@me/channels', { recipients: [alice.id] }, 400, 'cannot_message_self');
    await refused(server, alice, 'POST', '/users/@me/channels', { recipients: ['123'] }, 404, 'unknown_user');
    const ten = Array.from({ length: 10 }, (_, i) => String(1000 + i));
    for (const body of [{}, { recipients: [] }, { recipients: ten }, { recipients: 'x' }, { recipients: [5] },
        { recipients: [bob.id], name: 'x' }]) {
        await refused(server, alice, 'POST', '/users/@me/channels', body, 400, 'validation_failed', JSON.stringify(body));
    }
});

test('channel events reach only those who can view the channel', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Live channels');
    const general = textChannel(space);
    const aliceGw = await openGateway(server, alice);
    const bobGw = await openGateway(server, bob);
    try {
        const base = `/spaces/${space.id}/channels`;
        const secret = await call(server, owner, 'POST', base, { name: 'secret', private: true, members: [alice.id] }, 201);
        const lobby = await call(server, owner, 'POST', base, { name: 'lobby' }, 201);
        assert.equal((await aliceGw.next('CHANNEL_CREATE', (d) => d.id === secret.id)).d.name, 'secret');
        await aliceGw.next('CHANNEL_CREATE', (d) => d.id === lobby.id);
        const heard = await bobGw.next('CHANNEL_CREATE', (d) => d.id === lobby.id);
        assert.ok(!heard.skipped.some((f) => f.d?.id === secret.id), 'bob never hears of the private channel');

        // An overwrite that hides general from bob stops its messages reaching him.
        await call(server, owner, 'PUT', `/channels/${general.id}/permissions/${bob.id}`,
            { type: 'member', deny: bits('view_channel') }, 204);
        const upd = (await aliceGw.next('CHANNEL_UPDATE', (d) => d.id === general.id)).d;
        assert.equal(upd.permission_overwrites[0].id, bob.id);
        expectStatus(await post(owner, general.id, 'not for bob'), 201);
        expectStatus(await post(owner, lobby.id, 'marker'), 201);
        await aliceGw.next('MESSAGE_CREATE', (d) => d.content === 'not for bob');
        const marker = await bobGw.next('MESSAGE_CREATE', (d) => d.content === 'marker');
        assert.ok(!marker.skipped.some((f) => f.t === 'MESSAGE_CREATE' && f.d.channel_id === general.id),
            'bob hears nothing from general');

        await call(server, owner, 'DELETE', `/channels/${lobby.id}`, undefined, 204);
        assert.deepEqual((await bobGw.next('CHANNEL_DELETE')).d, { id: lobby.id, space_id: space.id });

        const dm = await call(server, alice, 'POST', '/users/@me/channels', { recipients: [bob.id] }, 201);
        const opened = (await bobGw.next('CHANNEL_CREATE', (d) => d.id === dm.id)).d;
        assert.equal(opened.type, 'dm');
        expectStatus(await post(alice, dm.id, 'psst'), 201);
        assert.equal((await bobGw.next('MESSAGE_CREATE', (d) => d.channel_id === dm.id)).d.content, 'psst');
    } finally {
        aliceGw.close();
        bobGw.close();
    }
});

test('threads are read, renamed and deleted as channels, with their parent\'s permissions', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Threads');
    const general = textChannel(space);
    const origin = expectStatus(await post(alice, general.id, 'start here'), 201).json;
    const thread = expectStatus(await api(server, 'POST', `/channels/${general.id}/messages/${origin.id}/threads`,
        { token: alice.access_token, body: { name: 'Side Talk' } }), 201).json;
    assert.equal(thread.type, 'thread');
    assert.equal(thread.parent_id, general.id);

    assert.equal((await call(server, bob, 'GET', `/channels/${thread.id}`, undefined, 200)).name, 'side-talk');
    // Whoever started it may rename it; others need manage_threads.
    const renamed = await call(server, alice, 'PATCH', `/channels/${thread.id}`, { name: 'Side Quest' }, 200);
    assert.equal(renamed.name, 'side-quest');
    const e = await refused(server, bob, 'PATCH', `/channels/${thread.id}`, { name: 'mine' }, 403, 'missing_permission');
    assert.match(e.message, /manage_threads/);
    await refused(server, alice, 'PATCH', `/channels/${thread.id}`, { parent_id: null }, 400, 'validation_failed');
    await refused(server, owner, 'PUT', `/channels/${thread.id}/permissions/${bob.id}`,
        { type: 'member', deny: bits('view_channel') }, 400, 'validation_failed');

    // Hiding the parent hides the thread.
    await call(server, owner, 'PUT', `/channels/${general.id}/permissions/${bob.id}`,
        { type: 'member', deny: bits('view_channel') }, 204);
    await refused(server, bob, 'GET', `/channels/${thread.id}`, undefined, 404, 'unknown_channel');
    await call(server, owner, 'DELETE', `/channels/${general.id}/permissions/${bob.id}`, undefined, 204);
    await call(server, bob, 'GET', `/channels/${thread.id}`, undefined, 200);

    await refused(server, alice, 'DELETE', `/channels/${thread.id}`, undefined, 403, 'missing_permission');
    await call(server, owner, 'DELETE', `/channels/${thread.id}`, undefined, 204);
    await refused(server, alice, 'GET', `/channels/${thread.id}`, undefined, 404, 'unknown_channel');
    const history = await call(server, alice, 'GET', `/channels/${general.id}/messages`, undefined, 200);
    assert.equal(history.find((m) => m.id === origin.id).thread_id, null, 'the message lost its thread');
    assert.equal((await lastAudit(server, owner, space.id, 'channel_delete')).target_id, thread.id);
});

// Moderation over the REST API: kicks, bans (with recent messages removed),
// timeouts, the role hierarchy between moderators, and the audit log that
// records every action.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, registerUser, startServer } from './lib/server.mjs';
import {
    auditLog, bits, call, createRole, fromNow, joinSpace, lastAudit, openGateway, refused, setRoles,
    spaceWithMembers, textChannel,
} from './lib/spaces.mjs';

let server;
before(async () => {
    server = await startServer();
});

const post = (user, channelId, content) =>
    api(server, 'POST', `/channels/${channelId}/messages`, { token: user.access_token, body: { content } });

test('a kicked member loses the space at once and may come back by invite', async () => {
    const { owner, space, invite, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Kicks');
    const general = textChannel(space);

    const e = await refused(server, alice, 'DELETE', `/spaces/${space.id}/members/${bob.id}`, undefined, 403,
        'missing_permission');
    assert.match(e.message, /kick_members/);
    expectStatus(await api(server, 'DELETE', `/spaces/${space.id}/members/${bob.id}`, {
        token: owner.access_token, headers: { 'x-audit-log-reason': 'too%20loud' },
    }), 204);

    await refused(server, bob, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    await refused(server, bob, 'GET', `/channels/${general.id}`, undefined, 404, 'unknown_channel');
    expectStatus(await post(bob, general.id, 'am I still here?'), 404, 'unknown_channel');
    const members = await call(server, alice, 'GET', `/spaces/${space.id}/members`, undefined, 200);
    assert.ok(!members.some((m) => m.user.id === bob.id));
    await refused(server, owner, 'DELETE', `/spaces/${space.id}/members/${bob.id}`, undefined, 404, 'unknown_member');

    const entry = await lastAudit(server, owner, space.id, 'member_kick');
    assert.equal(entry.target_id, bob.id);
    assert.equal(entry.actor_id, owner.id);
    assert.equal(entry.reason, 'too loud');

    await joinSpace(server, bob, invite.code);
    await call(server, bob, 'GET', `/channels/${general.id}`, undefined, 200);
});

test('a ban removes the member and their recent messages, and keeps them out', async () => {
    const { owner, space, invite, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Bans');
    const general = textChannel(space);
    const own = expectStatus(await post(alice, general.id, 'from alice'), 201).json;
    for (let i = 0; i < 3; i += 1) expectStatus(await post(bob, general.id, `spam ${i}`), 201);

    const e = await refused(server, alice, 'PUT', `/spaces/${space.id}/bans/${bob.id}`, {}, 403, 'missing_permission');
    assert.match(e.message, /ban_members/);
    await call(server, owner, 'PUT', `/spaces/${space.id}/bans/${bob.id}`,
        { reason: 'spam', delete_message_seconds: 3600 }, 204);

    await refused(server, bob, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    await refused(server, bob, 'POST', `/invites/${invite.code}`, undefined, 403, 'banned');
    const history = await call(server, alice, 'GET', `/channels/${general.id}/messages`, undefined, 200);
    assert.deepEqual(history.map((m) => m.id), [own.id], 'only alice\'s message is left');

    const bans = await call(server, owner, 'GET', `/spaces/${space.id}/bans`, undefined, 200);
    assert.equal(bans.length, 1);
    assert.equal(bans[0].user.id, bob.id);
    assert.equal(bans[0].reason, 'spam');
    await refused(server, alice, 'GET', `/spaces/${space.id}/bans`, undefined, 403, 'missing_permission');
    const entry = await lastAudit(server, owner, space.id, 'member_ban_add');
    assert.equal(entry.target_id, bob.id);
    assert.equal(entry.reason, 'spam');
    assert.equal(entry.changes.delete_message_seconds, 3600);
    assert.equal(entry.changes.deleted_messages, 3);

    await call(server, owner, 'DELETE', `/spaces/${space.id}/bans/${bob.id}`, undefined, 204);
    await refused(server, owner, 'DELETE', `/spaces/${space.id}/bans/${bob.id}`, undefined, 404, 'unknown_ban');
    assert.deepEqual(await call(server, owner, 'GET', `/spaces/${space.id}/bans`, undefined, 200), []);
    assert.equal((await lastAudit(server, owner, space.id, 'member_ban_remove')).target_id, bob.id);
    await joinSpace(server, bob, invite.code);

    // Someone who never joined can be banned ahead of time; the owner never.
    const stranger = await registerUser(server);
    await call(server, owner, 'PUT', `/spaces/${space.id}/bans/${stranger.id}`, {}, 204);
    await refused(server, stranger, 'POST', `/invites/${invite.code}`, undefined, 403, 'banned');
    await refused(server, owner, 'PUT', `/spaces/${space.id}/bans/${owner.id}`, {}, 400, 'cannot_ban_self');
    const admin = await createRole(server, owner, space.id, { name: 'admin', permissions: bits('ban_members') });
    await setRoles(server, owner, space.id, alice.id, [admin.id]);
    await refused(server, alice, 'PUT', `/spaces/${space.id}/bans/${owner.id}`, {}, 403, 'role_hierarchy');
    await refused(server, owner, 'PUT', `/spaces/${space.id}/bans/123`, {}, 404, 'unknown_user');
    for (const body of [{ delete_message_seconds: -1 }, { delete_message_seconds: 604_801 }, { reason: 5 },
        { days: 1 }]) {
        await refused(server, owner, 'PUT', `/spaces/${space.id}/bans/${bob.id}`, body, 400, 'validation_failed',
            JSON.stringify(body));
    }
});

test('a timeout silences a member until it is lifted', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Timeouts');
    const general = textChannel(space);
    const path = `/spaces/${space.id}/members/${bob.id}`;
    const until = fromNow(10 * 60_000);

    const e = await refused(server, alice, 'PATCH', path, { communication_disabled_until: until }, 403,
        'missing_permission');
    assert.match(e.message, /moderate_members/);
    const timed = await call(server, owner, 'PATCH', path, { communication_disabled_until: until }, 200);
    assert.equal(Date.parse(timed.communication_disabled_until), Date.parse(until));
    expectStatus(await post(bob, general.id, 'can I talk?'), 403);
    // Reading still works.
    await call(server, bob, 'GET', `/channels/${general.id}`, undefined, 200);
    await call(server, bob, 'GET', `/channels/${general.id}/messages`, undefined, 200);
    // A timed-out member keeps no moderation powers either: create_invite is gone.
    await refused(server, bob, 'POST', `/spaces/${space.id}/invites`, {}, 403, 'missing_permission');
    const entry = await lastAudit(server, owner, space.id, 'member_timeout');
    assert.equal(entry.target_id, bob.id);
    assert.equal(entry.changes.communication_disabled_until.old, null);

    const lifted = await call(server, owner, 'PATCH', path, { communication_disabled_until: null }, 200);
    assert.equal(lifted.communication_disabled_until, null);
    expectStatus(await post(bob, general.id, 'thanks'), 201);

    for (const value of [fromNow(-60_000), fromNow(29 * 24 * 3600_000), 'soon', 12, '2026-13-01T00:00:00Z']) {
        await refused(server, owner, 'PATCH', path, { communication_disabled_until: value }, 400, 'validation_failed',
            String(value));
    }
    await refused(server, owner, 'PATCH', `/spaces/${space.id}/members/${owner.id}`,
        { communication_disabled_until: until }, 403, 'role_hierarchy');
});

test('moderators act only on members below them', async () => {
    const { owner, space, members: [mod1, mod2, plain] } = await spaceWithMembers(server, 3, 'Hierarchy');
    const mods = await createRole(server, owner, space.id, {
        name: 'mods', permissions: bits('kick_members', 'moderate_members', 'manage_nicknames'),
    });
    await setRoles(server, owner, space.id, mod1.id, [mods.id]);
    await setRoles(server, owner, space.id, mod2.id, [mods.id]);
    const base = `/spaces/${space.id}/members`;

    await refused(server, mod1, 'DELETE', `${base}/${mod2.id}`, undefined, 403, 'role_hierarchy');
    await refused(server, mod1, 'DELETE', `${base}/${owner.id}`, undefined, 403, 'role_hierarchy');
    await refused(server, mod1, 'PATCH', `${base}/${mod2.id}`, { nick: 'demoted' }, 403, 'role_hierarchy');
    await refused(server, mod1, 'PATCH', `${base}/${mod2.id}`, { communication_disabled_until: fromNow(60_000) },
        403, 'role_hierarchy');
    await call(server, mod1, 'PATCH', `${base}/${plain.id}`, { nick: 'newbie' }, 200);
    await call(server, mod1, 'DELETE', `${base}/${plain.id}`, undefined, 204);
    await refused(server, plain, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    // Leaving needs no permission.
    await call(server, mod2, 'DELETE', `${base}/@me`, undefined, 204);
    await refused(server, mod2, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
});

test('the audit log needs view_audit_log and pages newest first', async () => {
    const { owner, space, members: [alice] } = await spaceWithMembers(server, 1, 'Audit');
    for (let i = 0; i < 5; i += 1) {
        await call(server, owner, 'PATCH', `/spaces/${space.id}`, { name: `Audit ${i}` }, 200);
    }
    const e = await refused(server, alice, 'GET', `/spaces/${space.id}/audit-log`, undefined, 403, 'missing_permission');
    assert.match(e.message, /view_audit_log/);

    const all = await auditLog(server, owner, space.id);
    const updates = all.filter((x) => x.action === 'space_update');
    assert.equal(updates.length, 5);
    assert.deepEqual(updates.map((x) => x.changes.name.new), ['Audit 4', 'Audit 3', 'Audit 2', 'Audit 1', 'Audit 0']);
    for (const x of all) {
        assert.equal(x.space_id, space.id);
        assert.equal(typeof x.changes, 'object');
    }
    const page = await auditLog(server, owner, space.id, '?limit=2');
    assert.deepEqual(page.map((x) => x.id), all.slice(0, 2).map((x) => x.id));
    const next = await auditLog(server, owner, space.id, `?limit=2&before=${page[1].id}`);
    assert.deepEqual(next.map((x) => x.id), all.slice(2, 4).map((x) => x.id));
    for (const q of ['limit=0', 'limit=101', 'before=x']) {
        await refused(server, owner, 'GET', `/spaces/${space.id}/audit-log?${q}`, undefined, 400, 'validation_failed', q);
    }
});

test('kicks, bans and timeouts reach open gateway sessions at once', async () => {
    const { owner, space, members: [alice, bob, carol] } = await spaceWithMembers(server, 3, 'Live moderation');
    const general = textChannel(space);
    const ownerGw = await openGateway(server, owner);
    const bobGw = await openGateway(server, bob);
    const carolGw = await openGateway(server, carol);
    try {
        const until = fromNow(5 * 60_000);
        await call(server, owner, 'PATCH', `/spaces/${space.id}/members/${alice.id}`,
            { communication_disabled_until: until }, 200);
        const timed = (await bobGw.next('MEMBER_UPDATE', (d) => d.user.id === alice.id)).d;
        assert.equal(Date.parse(timed.communication_disabled_until), Date.parse(until));

        await call(server, owner, 'DELETE', `/spaces/${space.id}/members/${bob.id}`, undefined, 204);
        assert.deepEqual((await bobGw.next('SPACE_DELETE')).d, { id: space.id });
        const removed = (await ownerGw.next('MEMBER_REMOVE', (d) => d.user.id === bob.id)).d;
        assert.equal(removed.space_id, space.id);
        // bob's open session no longer hears the space.
        expectStatus(await post(owner, general.id, 'after the kick'), 201);
        const dm = await call(server, owner, 'POST', '/users/@me/channels', { recipients: [bob.id] }, 201);
        expectStatus(await post(owner, dm.id, 'marker'), 201);
        const marker = await bobGw.next('MESSAGE_CREATE', (d) => d.content === 'marker');
        assert.ok(!marker.skipped.some((f) => f.t === 'MESSAGE_CREATE' && f.d.channel_id === general.id),
            'a kicked member hears nothing more from the space');

        const spam = [];
        for (const text of ['one', 'two']) spam.push(expectStatus(await post(carol, general.id, text), 201).json.id);
        await call(server, owner, 'PUT', `/spaces/${space.id}/bans/${carol.id}`, { delete_message_seconds: 60 }, 204);
        assert.deepEqual((await carolGw.next('SPACE_DELETE')).d, { id: space.id });
        const deleted = new Set();
        while (deleted.size < spam.length) {
            const { d } = await ownerGw.next('MESSAGE_DELETE');
            assert.equal(d.channel_id, general.id);
            deleted.add(d.id);
        }
        assert.deepEqual([...deleted].sort(), [...spam].sort());
    } finally {
        ownerGw.close();
        bobGw.close();
        carolGw.close();
    }
});

// Spaces, invites, members and roles over the REST API: what a new space
// holds, joining by invite, leaving and ownership, and the role hierarchy.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ID, ISO_MS, api, expectStatus, registerUser, startServer } from './lib/server.mjs';
import {
    DEFAULT_EVERYONE, P, bits, call, createInvite, createRole, createSpace, joinSpace, lastAudit,
    openGateway, refused, setRoles, spaceWithMembers,
} from './lib/spaces.mjs';

let server;
before(async () => {
    server = await startServer();
});

test('a new space has its owner, the @everyone role and two channels', async () => {
    const owner = await registerUser(server);
    const space = await createSpace(server, owner, '  Book Club  ');
    assert.match(space.id, ID);
    assert.equal(space.name, 'Book Club');
    assert.equal(space.owner_id, owner.id);
    assert.equal(space.icon, null);
    assert.equal(space.member_count, 1);
    assert.match(space.created_at, ISO_MS);

    assert.equal(space.roles.length, 1);
    const [everyone] = space.roles;
    assert.equal(everyone.id, space.id, 'the @everyone role has the space id');
    assert.equal(everyone.name, '@everyone');
    assert.equal(everyone.position, 0);
    assert.equal(everyone.permissions, DEFAULT_EVERYONE.toString());

    const channels = space.channels.map((c) => [c.type, c.name, c.position, c.space_id]);
    assert.deepEqual(channels, [['text', 'general', 0, space.id], ['voice', 'General', 1, space.id]]);

    const listed = await call(server, owner, 'GET', '/spaces', undefined, 200);
    assert.deepEqual(listed.map((s) => s.id), [space.id]);
    assert.equal(listed[0].member_count, 1);
    const got = await call(server, owner, 'GET', `/spaces/${space.id}`, undefined, 200);
    assert.equal(got.name, 'Book Club');
    assert.equal(got.roles.length, 1);
    assert.equal(got.channels.length, 2);
    const members = await call(server, owner, 'GET', `/spaces/${space.id}/members`, undefined, 200);
    assert.deepEqual(members.map((m) => m.user.id), [owner.id]);

    // Someone else does not even learn that it exists.
    const outsider = await registerUser(server);
    await refused(server, outsider, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    await refused(server, outsider, 'GET', `/spaces/${space.id}/members`, undefined, 404, 'unknown_space');
    await refused(server, outsider, 'GET', '/spaces/1', undefined, 404, 'unknown_space');
    await refused(server, outsider, 'GET', '/spaces/abc', undefined, 404, 'unknown_space');
    assert.deepEqual(await call(server, outsider, 'GET', '/spaces', undefined, 200), []);
});

test('bad space bodies are refused with the fields at fault', async () => {
    const u = await registerUser(server);
    const cases = [
        [{}, 'name'],
        [{ name: '' }, 'name'],
        [{ name: '   ' }, 'name'],
        [{ name: 'x'.repeat(101) }, 'name'],
        [{ name: 42 }, 'name'],
        [{ name: 'ok\nnot' }, 'name'],
        [{ name: 'ok', colour: 'red' }, 'colour'],
        [{ name: 'ok', icon: 'nope' }, 'icon'],
        [{ name: 'ok', icon: '123456' }, 'icon'],  // no such attachment
    ];
    for (const [body, field] of cases) {
        const e = await refused(server, u, 'POST', '/spaces', body, 400, 'validation_failed',
            `POST /spaces ${JSON.stringify(body)}`);
        assert.ok(e.errors && field in e.errors, `${JSON.stringify(body)}: ${JSON.stringify(e)}`);
    }
    expectStatus(await api(server, 'POST', '/spaces', { token: u.access_token, rawBody: '[1,2]' }),
        400, 'validation_failed');
    expectStatus(await api(server, 'POST', '/spaces', { body: { name: 'no token' } }), 401);
    assert.deepEqual(await call(server, u, 'GET', '/spaces', undefined, 200), []);
});

test('invite, preview, join, member list', async () => {
    const owner = await registerUser(server);
    const space = await createSpace(server, owner, 'Invites');
    const invite = await createInvite(server, owner, space.id, { max_uses: 2 });
    assert.match(invite.code, /^[A-Za-z0-9]{8}$/);
    assert.equal(invite.space.id, space.id);
    assert.equal(invite.space.name, 'Invites');
    assert.equal(invite.uses, 0);
    assert.equal(invite.max_uses, 2);
    assert.equal(invite.creator_id, owner.id);
    // The default lifetime is one day.
    const lifetime = Date.parse(invite.expires_at) - Date.parse(invite.created_at);
    assert.ok(Math.abs(lifetime - 86_400_000) < 5_000, `expires ${invite.expires_at}`);

    const alice = await registerUser(server);
    const preview = await call(server, alice, 'GET', `/invites/${invite.code}`, undefined, 200);
    assert.equal(preview.space.name, 'Invites');
    assert.equal(preview.member_count, 1);
    // The preview did not make alice a member.
    await refused(server, alice, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');

    const joined = await joinSpace(server, alice, invite.code);
    assert.equal(joined.id, space.id);
    assert.equal(joined.member_count, 2);
    assert.deepEqual(joined.channels.map((c) => c.name), ['general', 'General']);
    await refused(server, alice, 'POST', `/invites/${invite.code}`, undefined, 409, 'already_member');

    const members = await call(server, alice, 'GET', `/spaces/${space.id}/members`, undefined, 200);
    assert.deepEqual(members.map((m) => m.user.id).sort(), [owner.id, alice.id].sort());
    const me = members.find((m) => m.user.id === alice.id);
    assert.equal(me.space_id, space.id);
    assert.equal(me.user.username, alice.username);
    assert.equal(me.nick, null);
    assert.deepEqual(me.roles, []);
    assert.equal(me.communication_disabled_until, null);
    assert.match(me.joined_at, ISO_MS);
    assert.ok(!('email' in me.user), 'members do not see each other\'s email');
    assert.deepEqual((await call(server, alice, 'GET', '/spaces', undefined, 200)).map((s) => s.id), [space.id]);

    // The second use spends the invite; a third person finds nothing.
    const bob = await registerUser(server);
    await joinSpace(server, bob, invite.code);
    const carol = await registerUser(server);
    await refused(server, carol, 'GET', `/invites/${invite.code}`, undefined, 404, 'unknown_invite');
    await refused(server, carol, 'POST', `/invites/${invite.code}`, undefined, 404, 'unknown_invite');
    await refused(server, carol, 'GET', '/invites/nosuchcd', undefined, 404, 'unknown_invite');
    await refused(server, carol, 'POST', '/invites/..%2F..', undefined, 404, 'unknown_invite');

    // Lists are for managers; everyone may create (create_invite is in @everyone).
    const own = await createInvite(server, alice, space.id, { max_age: 0 });
    assert.equal(own.expires_at, null);
    const e = await refused(server, alice, 'GET', `/spaces/${space.id}/invites`, undefined, 403, 'missing_permission');
    assert.match(e.message, /manage_space/);
    const listed = await call(server, owner, 'GET', `/spaces/${space.id}/invites`, undefined, 200);
    assert.deepEqual(listed.map((i) => i.code), [own.code], 'the used-up invite is not listed');

    // Deleting: the creator or a manager; outsiders learn nothing.
    const ownersInvite = await createInvite(server, owner, space.id);
    await refused(server, alice, 'DELETE', `/invites/${ownersInvite.code}`, undefined, 403, 'missing_permission');
    await refused(server, carol, 'DELETE', `/invites/${ownersInvite.code}`, undefined, 404, 'unknown_invite');
    await call(server, alice, 'DELETE', `/invites/${own.code}`, undefined, 204);
    await call(server, owner, 'DELETE', `/invites/${ownersInvite.code}`, undefined, 204);
    await refused(server, carol, 'GET', `/invites/${own.code}`, undefined, 404, 'unknown_invite');
    const created = await lastAudit(server, owner, space.id, 'invite_create');
    assert.equal(created.actor_id, owner.id);
    const deleted = await lastAudit(server, owner, space.id, 'invite_delete');
    assert.equal(deleted.changes.code, ownersInvite.code);

    for (const body of [{ max_uses: -1 }, { max_uses: 101 }, { max_age: 604_801 }, { max_age: '60' },
        { uses: 3 }]) {
        await refused(server, owner, 'POST', `/spaces/${space.id}/invites`, body, 400, 'validation_failed',
            `invite ${JSON.stringify(body)}`);
    }
});

test('registration in invite-only mode admits with an invite and joins its space', async () => {
    const inviteServer = await startServer();
    const owner = await registerUser(inviteServer);  // the first account may always register
    await call(inviteServer, owner, 'PATCH', '/instance', { registration: 'invite' }, 200);
    const space = await createSpace(inviteServer, owner, 'Members only');
    const invite = await createInvite(inviteServer, owner, space.id);

    const refusedRes = await api(inviteServer, 'POST', '/auth/register', {
        body: { username: 'no_invite_user', email: 'no_invite@example.test', password: 'correct horse battery staple' },
    });
    expectStatus(refusedRes, 403, 'invite_required');
    const badRes = await api(inviteServer, 'POST', '/auth/register', {
        body: { username: 'bad_invite_user', email: 'bad_invite@example.test', password: 'correct horse battery staple',
            invite: 'zzzzzzzz' },
    });
    expectStatus(badRes, 403, 'invalid_invite');

    const newcomer = await registerUser(inviteServer, undefined, { invite: invite.code });
    const spaces = await call(inviteServer, newcomer, 'GET', '/spaces', undefined, 200);
    assert.deepEqual(spaces.map((s) => s.id), [space.id], 'the invite\'s space was joined');
});

test('space settings, ownership transfer, leaving and deletion', async () => {
    const { owner, space, members: [alice, bob] } = await spaceWithMembers(server, 2, 'Settings');

    // Renaming needs manage_space.
    const e = await refused(server, alice, 'PATCH', `/spaces/${space.id}`, { name: 'Mine' }, 403,
        'missing_permission');
    assert.match(e.message, /manage_space/);
    const renamed = await call(server, owner, 'PATCH', `/spaces/${space.id}`, { name: 'Renamed' }, 200);
    assert.equal(renamed.name, 'Renamed');
    assert.equal(renamed.member_count, 3);
    assert.equal((await call(server, alice, 'GET', `/spaces/${space.id}`, undefined, 200)).name, 'Renamed');
    const entry = await lastAudit(server, owner, space.id, 'space_update');
    assert.deepEqual(entry.changes, { name: { old: 'Settings', new: 'Renamed' } });
    assert.equal(entry.actor_id, owner.id);
    await refused(server, owner, 'PATCH', `/spaces/${space.id}`, { name: '' }, 400, 'validation_failed');
    await refused(server, owner, 'PATCH', `/spaces/${space.id}`, { owner: alice.id }, 400, 'validation_failed');

    // Only the owner leaves only after handing the space over.
    await refused(server, owner, 'DELETE', `/spaces/${space.id}/members/@me`, undefined, 400, 'owner_cannot_leave');
    await refused(server, alice, 'PATCH', `/spaces/${space.id}`, { owner_id: alice.id }, 403, 'not_owner');
    const outsider = await registerUser(server);
    await refused(server, owner, 'PATCH', `/spaces/${space.id}`, { owner_id: outsider.id }, 404, 'unknown_member');
    const moved = await call(server, owner, 'PATCH', `/spaces/${space.id}`, { owner_id: alice.id }, 200);
    assert.equal(moved.owner_id, alice.id);
    const transfer = await lastAudit(server, alice, space.id, 'space_update');
    assert.deepEqual(transfer.changes.owner_id, { old: owner.id, new: alice.id });
    await refused(server, owner, 'DELETE', `/spaces/${space.id}`, undefined, 403, 'not_owner');
    await call(server, owner, 'DELETE', `/spaces/${space.id}/members/@me`, undefined, 204);
    await refused(server, owner, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    assert.deepEqual(await call(server, owner, 'GET', '/spaces', undefined, 200), []);
    const left = await call(server, alice, 'GET', `/spaces/${space.id}/members`, undefined, 200);
    assert.deepEqual(left.map((m) => m.user.id).sort(), [alice.id, bob.id].sort());

    // Deleting takes the space away from everyone.
    await refused(server, bob, 'DELETE', `/spaces/${space.id}`, undefined, 403, 'not_owner');
    await call(server, alice, 'DELETE', `/spaces/${space.id}`, undefined, 204);
    await refused(server, alice, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    await refused(server, bob, 'GET', `/spaces/${space.id}`, undefined, 404, 'unknown_space');
    await refused(server, bob, 'GET', `/channels/${space.channels[0].id}`, undefined, 404, 'unknown_channel');
    assert.deepEqual(await call(server, bob, 'GET', '/spaces', undefined, 200), []);
});

test('member list pages and nicknames', async () => {
    const { owner, space, members } = await spaceWithMembers(server, 4, 'Pages');
    const all = await call(server, owner, 'GET', `/spaces/${space.id}/members`, undefined, 200);
    assert.equal(all.length, 5);
    const ids = all.map((m) => m.user.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)), 'ordered by user id');
    const first = await call(server, owner, 'GET', `/spaces/${space.id}/members?limit=2`, undefined, 200);
    assert.deepEqual(first.map((m) => m.user.id), ids.slice(0, 2));
    const next = await call(server, owner, 'GET', `/spaces/${space.id}/members?limit=2&after=${ids[1]}`,
        undefined, 200);
    assert.deepEqual(next.map((m) => m.user.id), ids.slice(2, 4));
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'after=abc']) {
        const e = await refused(server, owner, 'GET', `/spaces/${space.id}/members?${q}`, undefined, 400,
            'validation_failed', q);
        assert.ok(Object.keys(e.errors).length === 1, JSON.stringify(e));
    }

    const [alice, bob] = members;
    const one = await call(server, alice, 'GET', `/spaces/${space.id}/members/${bob.id}`, undefined, 200);
    assert.equal(one.user.id, bob.id);
    const self = await call(server, alice, 'GET', `/spaces/${space.id}/members/@me`, undefined, 200);
    assert.equal(self.user.id, alice.id);
    const outsider = await registerUser(server);
    await refused(server, alice, 'GET', `/spaces/${space.id}/members/${outsider.id}`, undefined, 404,
        'unknown_member');

    // Own nickname: change_nickname (in @everyone); someone else's: manage_nicknames.
    const named = await call(server, alice, 'PATCH', `/spaces/${space.id}/members/@me`, { nick: ' Ally ' }, 200);
    assert.equal(named.nick, 'Ally');
    const e = await refused(server, alice, 'PATCH', `/spaces/${space.id}/members/${bob.id}`, { nick: 'Bobby' },
        403, 'missing_permission');
    assert.match(e.message, /manage_nicknames/);
    const byOwner = await call(server, owner, 'PATCH', `/spaces/${space.id}/members/${bob.id}`, { nick: 'Bobby' }, 200);
    assert.equal(byOwner.nick, 'Bobby');
    const entry = await lastAudit(server, owner, space.id, 'member_update');
    assert.equal(entry.target_id, bob.id);
    assert.deepEqual(entry.changes, { nick: { old: null, new: 'Bobby' } });
    const cleared = await call(server, alice, 'PATCH', `/spaces/${space.id}/members/@me`, { nick: null }, 200);
    assert.equal(cleared.nick, null);
    for (const body of [{ nick: '' }, { nick: 'x'.repeat(33) }, { nick: 5 }, { deaf: 'yes' }, { roles: 'x' },
        { roles: ['abc'] }, { communication_disabled_until: 'tomorrow' }]) {
        await refused(server, owner, 'PATCH', `/spaces/${space.id}/members/${bob.id}`, body, 400,
            'validation_failed', JSON.stringify(body));
    }
});

test('roles: create, assign, edit, reorder, delete within the hierarchy', async () => {
    const { owner, space, members: [manager, alice, bob] } = await spaceWithMembers(server, 3, 'Roles');
    const base = `/spaces/${space.id}`;

    // Plain members manage no roles.
    let e = await refused(server, alice, 'POST', `${base}/roles`, { name: 'mine' }, 403, 'missing_permission');
    assert.match(e.message, /manage_roles/);

    const helper = await createRole(server, owner, space.id, { name: 'helper', permissions: bits('manage_nicknames') });
    const mod = await createRole(server, owner, space.id, {
        name: 'moderator', permissions: bits('manage_roles', 'kick_members', 'manage_nicknames'),
        color: 0x3498db, hoist: true,
    });
    assert.equal(mod.space_id, space.id);
    assert.equal(mod.color, 0x3498db);
    assert.equal(mod.hoist, true);
    assert.equal(mod.mentionable, false);
    // Each new role starts at the bottom and pushes the others up.
    let roles = await call(server, alice, 'GET', `${base}/roles`, undefined, 200);
    assert.deepEqual(roles.map((r) => [r.name, r.position]), [['@everyone', 0], ['moderator', 1], ['helper', 2]]);
    // Put the moderator role above helper.
    roles = await call(server, owner, 'PATCH', `${base}/roles`, [{ id: mod.id, position: 2 }], 200);
    assert.deepEqual(roles.map((r) => [r.name, r.position]), [['@everyone', 0], ['helper', 1], ['moderator', 2]]);

    await setRoles(server, owner, space.id, manager.id, [mod.id]);
    const assigned = await call(server, alice, 'GET', `${base}/members/${manager.id}`, undefined, 200);
    assert.deepEqual(assigned.roles, [mod.id]);
    const entry = await lastAudit(server, owner, space.id, 'member_role_update');
    assert.deepEqual(entry.changes, { added: [mod.id], removed: [] });

    // The manager now manages roles below theirs only.
    const low = await createRole(server, manager, space.id, { name: 'low', permissions: bits('kick_members') });
    assert.equal(low.position, 1);
    e = await refused(server, manager, 'POST', `${base}/roles`, { name: 'boss', permissions: bits('ban_members') },
        403, 'missing_permission');
    assert.match(e.message, /ban_members/);
    // At their own role's position the new role goes in below it, pushing theirs up.
    const mid = await createRole(server, manager, space.id, { name: 'mid', position: 3 });
    assert.equal(mid.position, 3);
    roles = await call(server, manager, 'GET', `${base}/roles`, undefined, 200);
    assert.deepEqual(roles.map((r) => r.name), ['@everyone', 'low', 'helper', 'mid', 'moderator']);
    await refused(server, manager, 'POST', `${base}/roles`, { name: 'high', position: 5 }, 403, 'role_hierarchy');
    await refused(server, manager, 'PATCH', `${base}/roles/${mod.id}`, { name: 'super' }, 403, 'role_hierarchy');
    await call(server, manager, 'PATCH', `${base}/roles/${helper.id}`, { name: 'helpers', mentionable: true }, 200);
    await refused(server, manager, 'PATCH', `${base}/roles/${helper.id}`, { permissions: bits('ban_members') },
        403, 'missing_permission');
    await refused(server, manager, 'PATCH', `${base}/roles/${helper.id}`, { position: 5 }, 403, 'role_hierarchy');
    await refused(server, manager, 'PATCH', `${base}/roles`, [{ id: low.id, position: 9 }], 403, 'role_hierarchy');
    await setRoles(server, manager, space.id, alice.id, [helper.id, low.id]);
    await refused(server, manager, 'PATCH', `${base}/members/${bob.id}`, { roles: [mod.id] }, 403, 'role_hierarchy');
    await refused(server, manager, 'PATCH', `${base}/members/${bob.id}`, { roles: [space.id] }, 400,
        'validation_failed');
    await refused(server, manager, 'PATCH', `${base}/members/${bob.id}`, { roles: ['123'] }, 400, 'validation_failed');

    // @everyone is editable (permissions) but neither renamed, moved nor deleted.
    const everyone = await call(server, manager, 'PATCH', `${base}/roles/${space.id}`,
        { permissions: (BigInt(DEFAULT_EVERYONE) & ~P.create_invite).toString() }, 200);
    assert.equal(BigInt(everyone.permissions) & P.create_invite, 0n);
    await refused(server, owner, 'PATCH', `${base}/roles/${space.id}`, { name: 'all' }, 400, 'validation_failed');
    await refused(server, owner, 'DELETE', `${base}/roles/${space.id}`, undefined, 400, 'cannot_delete_everyone');
    // ...and without create_invite in @everyone, plain members cannot invite.
    e = await refused(server, bob, 'POST', `${base}/invites`, {}, 403, 'missing_permission');
    assert.match(e.message, /create_invite/);

    // Deleting a role takes it from its members.
    await refused(server, manager, 'DELETE', `${base}/roles/${mod.id}`, undefined, 403, 'role_hierarchy');
    await call(server, manager, 'DELETE', `${base}/roles/${low.id}`, undefined, 204);
    await refused(server, manager, 'DELETE', `${base}/roles/${low.id}`, undefined, 404, 'unknown_role');
    const after = await call(server, owner, 'GET', `${base}/members/${alice.id}`, undefined, 200);
    assert.deepEqual(after.roles, [helper.id]);
    const deletedEntry = await lastAudit(server, owner, space.id, 'role_delete');
    assert.equal(deletedEntry.target_id, low.id);
    assert.equal(deletedEntry.actor_id, manager.id);

    for (const body of [{ permissions: 'all' }, { permissions: 12 }, { permissions: (1n << 60n).toString() },
        { color: -1 }, { color: 0x1000000 }, { name: '' }, { hoist: 'yes' }, { rank: 1 }]) {
        await refused(server, owner, 'POST', `${base}/roles`, body, 400, 'validation_failed', JSON.stringify(body));
    }
    for (const body of [{}, [], [{ id: mod.id }], [{ id: 'x', position: 1 }], [{ id: space.id, position: 1 }],
        [{ id: mod.id, position: 1, extra: 1 }]]) {
        await refused(server, owner, 'PATCH', `${base}/roles`, body, 400, 'validation_failed', JSON.stringify(body));
    }
});

test('joining, role and space changes reach open gateway sessions', async () => {
    const owner = await registerUser(server);
    const space = await createSpace(server, owner, 'Live');
    const invite = await createInvite(server, owner, space.id);
    const alice = await registerUser(server);
    const ownerGw = await openGateway(server, owner);
    const aliceGw = await openGateway(server, alice);
    try {
        assert.ok(ownerGw.ready.spaces.some((sp) => sp.id === space.id));
        assert.ok(!aliceGw.ready.spaces.some((sp) => sp.id === space.id));

        await joinSpace(server, alice, invite.code);
        const added = (await ownerGw.next('MEMBER_ADD', (d) => d.user.id === alice.id)).d;
        assert.equal(added.space_id, space.id);
        assert.deepEqual(added.roles, []);
        const created = (await aliceGw.next('SPACE_CREATE', (d) => d.id === space.id)).d;
        assert.equal(created.member_count, 2);
        assert.equal(created.roles[0].id, space.id);
        assert.deepEqual(created.channels.map((c) => c.name), ['general', 'General']);

        // From now on alice hears the space.
        const role = await createRole(server, owner, space.id, { name: 'crew', permissions: bits('kick_members') });
        const rc = (await aliceGw.next('ROLE_CREATE', (d) => d.role.id === role.id)).d;
        assert.equal(rc.space_id, space.id);
        assert.equal(rc.role.permissions, bits('kick_members'));
        await setRoles(server, owner, space.id, alice.id, [role.id]);
        const mu = (await aliceGw.next('MEMBER_UPDATE', (d) => d.user.id === alice.id)).d;
        assert.deepEqual(mu.roles, [role.id]);
        await call(server, owner, 'DELETE', `/spaces/${space.id}/roles/${role.id}`, undefined, 204);
        const rd = (await aliceGw.next('ROLE_DELETE')).d;
        assert.deepEqual(rd, { space_id: space.id, role_id: role.id });
        await call(server, owner, 'PATCH', `/spaces/${space.id}`, { name: 'Live 2' }, 200);
        assert.equal((await aliceGw.next('SPACE_UPDATE')).d.name, 'Live 2');
        await call(server, owner, 'DELETE', `/spaces/${space.id}`, undefined, 204);
        assert.deepEqual((await aliceGw.next('SPACE_DELETE')).d, { id: space.id });
        assert.deepEqual((await ownerGw.next('SPACE_DELETE')).d, { id: space.id });
    } finally {
        ownerGw.close();
        aliceGw.close();
    }
});

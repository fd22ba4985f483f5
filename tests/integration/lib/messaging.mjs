// Fixtures for the message, attachment and search suites: a space with an
// owner and a second member (joined by invite), a private channel only the
// owner can see, and a user outside the space.
import assert from 'node:assert/strict';
import { api, expectStatus, registerUser } from './server.mjs';

export async function createSpace(server, owner, name = 'Test space') {
    const res = expectStatus(await api(server, 'POST', '/spaces',
        { token: owner.access_token, body: { name } }), 201, undefined, 'create space');
    const space = res.json;
    const general = space.channels.find((c) => c.type === 'text');
    assert.ok(general, `a new space has a text channel: ${JSON.stringify(space.channels)}`);
    return { space, general };
}

export async function join(server, owner, spaceId, user) {
    const invite = expectStatus(await api(server, 'POST', `/spaces/${spaceId}/invites`,
        { token: owner.access_token, body: {} }), 201, undefined, 'create invite').json;
    expectStatus(await api(server, 'POST', `/invites/${invite.code}`, { token: user.access_token }),
        200, undefined, 'join by invite');
}

// {owner, member, outsider, space, general, hidden}: `hidden` is a private
// text channel of the owner's that `member` cannot view.
export async function spaceWithMembers(server) {
    const owner = await registerUser(server);
    const member = await registerUser(server);
    const outsider = await registerUser(server);
    const { space, general } = await createSpace(server, owner);
    await join(server, owner, space.id, member);
    const hidden = expectStatus(await api(server, 'POST', `/spaces/${space.id}/channels`,
        { token: owner.access_token, body: { name: 'staff', type: 'text', private: true } }),
    201, undefined, 'create private channel').json;
    return { owner, member, outsider, space, general, hidden };
}

export async function post(server, user, channelId, body) {
    const payload = typeof body === 'string' ? { content: body } : body;
    return api(server, 'POST', `/channels/${channelId}/messages`, { token: user.access_token, body: payload });
}

export async function postOk(server, user, channelId, body) {
    return expectStatus(await post(server, user, channelId, body), 201, undefined, 'post message').json;
}

export async function history(server, user, channelId, query = '') {
    return api(server, 'GET', `/channels/${channelId}/messages${query ? `?${query}` : ''}`,
        { token: user.access_token });
}

export async function dmChannel(server, a, b) {
    const res = await api(server, 'POST', '/users/@me/channels',
        { token: a.access_token, body: { recipients: [b.id] } });
    assert.ok(res.status === 200 || res.status === 201, `open DM: ${res.status} ${res.text}`);
    return res.json;
}

// Decimal snowflake strings compare as numbers.
export const byId = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

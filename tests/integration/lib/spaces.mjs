// Helpers for the tests of spaces, channels and moderation: build a space with
// members through the public API, and read what the API says about it.
import assert from 'node:assert/strict';
import { api, expectStatus, registerUser } from './server.mjs';

// Permission bits (Discord's positions), as BigInt so all 41 bits are exact.
export const P = Object.freeze({
    create_invite: 1n << 0n,
    kick_members: 1n << 1n,
    ban_members: 1n << 2n,
    administrator: 1n << 3n,
    manage_channels: 1n << 4n,
    manage_space: 1n << 5n,
    add_reactions: 1n << 6n,
    view_audit_log: 1n << 7n,
    stream: 1n << 9n,
    view_channel: 1n << 10n,
    send_messages: 1n << 11n,
    manage_messages: 1n << 13n,
    embed_links: 1n << 14n,
    attach_files: 1n << 15n,
    read_message_history: 1n << 16n,
    connect: 1n << 20n,
    speak: 1n << 21n,
    use_vad: 1n << 25n,
    change_nickname: 1n << 26n,
    manage_nicknames: 1n << 27n,
    manage_roles: 1n << 28n,
    manage_threads: 1n << 34n,
    create_threads: 1n << 35n,
    send_messages_in_threads: 1n << 38n,
    moderate_members: 1n << 40n,
});

// auth::perm::default_everyone
export const DEFAULT_EVERYONE = P.create_invite | P.add_reactions | P.stream | P.view_channel |
    P.send_messages | P.embed_links | P.attach_files | P.read_message_history | P.connect |
    P.speak | P.use_vad | P.change_nickname | P.create_threads | P.send_messages_in_threads;

export const bits = (...names) => names.reduce((acc, n) => acc | P[n], 0n).toString();

// A call that must answer `status`; resolves with the parsed body.
export async function call(server, user, method, path, body, status, what) {
    const opts = { token: user.access_token };
    if (body !== undefined) opts.body = body;
    return expectStatus(await api(server, method, path, opts), status, undefined,
        what ?? `${method} ${path}`).json;
}

// A call that must fail with `status` and `code`; resolves with the error body.
export async function refused(server, user, method, path, body, status, code, what) {
    const opts = { token: user.access_token };
    if (body !== undefined) opts.body = body;
    return expectStatus(await api(server, method, path, opts), status, code,
        what ?? `${method} ${path}`).json;
}

export async function createSpace(server, owner, name = 'Test Space') {
    return call(server, owner, 'POST', '/spaces', { name }, 201, 'create space');
}

export async function createInvite(server, user, spaceId, body = {}) {
    return call(server, user, 'POST', `/spaces/${spaceId}/invites`, body, 201, 'create invite');
}

export async function joinSpace(server, user, code) {
    return call(server, user, 'POST', `/invites/${code}`, undefined, 200, 'join by invite');
}

// A fresh owner and `count` more users who joined the owner's new space.
export async function spaceWithMembers(server, count, name) {
    const owner = await registerUser(server);
    const space = await createSpace(server, owner, name);
    const invite = await createInvite(server, owner, space.id, { max_uses: 0, max_age: 0 });
    const members = [];
    for (let i = 0; i < count; i += 1) {
        const u = await registerUser(server);
        await joinSpace(server, u, invite.code);
        members.push(u);
    }
    return { owner, space, members, invite };
}

export function textChannel(space, name = 'general') {
    const c = space.channels.find((ch) => ch.type === 'text' && ch.name === name);
    assert.ok(c, `no text channel ${name} in ${JSON.stringify(space.channels)}`);
    return c;
}

export async function createRole(server, user, spaceId, body) {
    return call(server, user, 'POST', `/spaces/${spaceId}/roles`, body, 201, `create role ${body.name}`);
}

export async function setRoles(server, user, spaceId, memberId, roleIds) {
    return call(server, user, 'PATCH', `/spaces/${spaceId}/members/${memberId}`, { roles: roleIds }, 200,
        'assign roles');
}

// The audit log, newest first.
export async function auditLog(server, user, spaceId, query = '') {
    return call(server, user, 'GET', `/spaces/${spaceId}/audit-log${query}`, undefined, 200, 'audit log');
}

// The newest audit entry of an action, asserted to exist.
export async function lastAudit(server, user, spaceId, action) {
    const entries = await auditLog(server, user, spaceId, '?limit=100');
    const e = entries.find((x) => x.action === action);
    assert.ok(e, `no ${action} entry in ${JSON.stringify(entries.map((x) => x.action))}`);
    return e;
}

// An ISO time `ms` from now.
export const fromNow = (ms) => new Date(Date.now() + ms).toISOString();

// ---------------------------------------------------------------- gateway

// A gateway session of `user`, identified and past READY. Dispatches are
// kept in arrival order; next() waits for the first one not yet taken.
export async function openGateway(server, user, { timeout = 5000 } = {}) {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/gateway`);
    const dispatches = [];
    const wakers = new Set();
    let closed = null;
    ws.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.op === 'dispatch') dispatches.push(frame);
        for (const w of [...wakers]) w();
    });
    ws.on('close', (code) => {
        closed = code;
        for (const w of [...wakers]) w();
    });
    await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
    });
    ws.send(JSON.stringify({ op: 'identify', d: { token: user.access_token } }));

    let taken = 0;
    // Resolves with the first dispatch after the last one taken whose type is
    // `type` and whose d satisfies pred; the ones skipped are returned too.
    function next(type, pred = () => true, what = type) {
        return new Promise((resolve, reject) => {
            const check = () => {
                for (let i = taken; i < dispatches.length; i += 1) {
                    const f = dispatches[i];
                    if (f.t === type && pred(f.d)) {
                        const skipped = dispatches.slice(taken, i);
                        taken = i + 1;
                        finish();
                        resolve({ d: f.d, skipped });
                        return;
                    }
                }
                if (closed !== null) {
                    finish();
                    reject(new Error(`gateway closed (${closed}) while waiting for ${what}`));
                }
            };
            const timer = setTimeout(() => {
                finish();
                reject(new Error(`no ${what} within ${timeout} ms; got ${JSON.stringify(
                    dispatches.slice(taken).map((f) => f.t))}`));
            }, timeout);
            const finish = () => {
                clearTimeout(timer);
                wakers.delete(check);
            };
            wakers.add(check);
            check();
        });
    }
    const ready = (await next('READY')).d;
    return {
        ready,
        next,
        close: () => ws.close(),
    };
}

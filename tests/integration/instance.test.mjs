// Instance settings: public GET, owner-only PATCH, and the registration modes
// open / invite / closed as seen by someone trying to register.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
    api, expectStatus, registerUser, runCli, startServer, uniqueName,
} from './lib/server.mjs';

let server;
let owner;
let member;

before(async () => {
    server = await startServer();
});

function patchInstance(token, body) {
    return api(server, 'PATCH', '/instance', { token, body });
}

function tryRegister(target, extra = {}) {
    const username = uniqueName('hopeful');
    return api(target, 'POST', '/auth/register', {
        body: { username, email: `${username}@example.test`, password: 'hopeful password', ...extra },
    });
}

test('GET /instance is public and has the documented shape', async () => {
    const res = expectStatus(await api(server, 'GET', '/instance'), 200);
    assert.deepEqual(Object.keys(res.json).sort(),
        ['max_upload_bytes', 'name', 'owner_id', 'registration', 'version']);
    assert.equal(res.json.name, 'Driftway');
    assert.equal(res.json.registration, 'open');
    assert.equal(res.json.max_upload_bytes, 25 * 1024 * 1024);
    assert.equal(res.json.owner_id, null, 'no owner before the first account');
    const cli = await runCli(['--version']);
    assert.equal(`driftway ${res.json.version}`, cli.stdout.trim());

    owner = await registerUser(server);
    member = await registerUser(server);
    assert.equal(expectStatus(await api(server, 'GET', '/instance'), 200).json.owner_id, owner.id);
});

test('the owner changes settings; GET shows them', async () => {
    const res = expectStatus(await patchInstance(owner.access_token,
        { name: 'Night Shift', max_upload_bytes: 1024 }), 200);
    assert.equal(res.json.name, 'Night Shift');
    assert.equal(res.json.max_upload_bytes, 1024);
    assert.equal(res.json.registration, 'open');
    assert.deepEqual(expectStatus(await api(server, 'GET', '/instance'), 200).json, res.json);

    const big = expectStatus(await patchInstance(owner.access_token, { max_upload_bytes: 17179869184 }), 200);
    assert.equal(big.json.max_upload_bytes, 17179869184);
    expectStatus(await patchInstance(owner.access_token, {}), 200);
});

test('registration closed: 403 registration_closed and no account is made', async () => {
    const res = expectStatus(await patchInstance(owner.access_token, { registration: 'closed' }), 200);
    assert.equal(res.json.registration, 'closed');
    const username = uniqueName('shut');
    const body = { username, email: `${username}@example.test`, password: 'hopeful password' };
    expectStatus(await api(server, 'POST', '/auth/register', { body }), 403, 'registration_closed');
    // Existing accounts still log in.
    expectStatus(await api(server, 'POST', '/auth/login',
        { body: { login: member.username, password: member.password } }), 200);

    expectStatus(await patchInstance(owner.access_token, { registration: 'open' }), 200);
    // The refused attempt left nothing behind: the same name registers now.
    expectStatus(await api(server, 'POST', '/auth/register', { body }), 201);
});

test('registration by invite: 403 invite_required without one, invalid_invite with a bad one', async () => {
    expectStatus(await patchInstance(owner.access_token, { registration: 'invite' }), 200);
    expectStatus(await tryRegister(server), 403, 'invite_required');
    expectStatus(await tryRegister(server, { invite: 'abc123' }), 403, 'invalid_invite');
    expectStatus(await tryRegister(server, { invite: 'x'.repeat(64) }), 403, 'invalid_invite');
    // A malformed invite is a validation error, not an invite lookup.
    expectStatus(await tryRegister(server, { invite: '' }), 400, 'validation_failed');
    expectStatus(await tryRegister(server, { invite: 'x'.repeat(65) }), 400, 'validation_failed');
    expectStatus(await patchInstance(owner.access_token, { registration: 'open' }), 200);
    expectStatus(await tryRegister(server), 201);
});

test('only the owner, with a user token, may PATCH the instance', async () => {
    const before = expectStatus(await api(server, 'GET', '/instance'), 200).json;
    expectStatus(await patchInstance(member.access_token, { registration: 'closed' }), 403, 'not_owner');
    expectStatus(await patchInstance(undefined, { registration: 'closed' }), 401, 'unauthorized');
    const key = expectStatus(await api(server, 'POST', '/api-keys',
        { token: owner.access_token, body: { name: 'owner bot', scopes: ['read', 'write'] } }), 201).json.key;
    expectStatus(await api(server, 'PATCH', '/instance', { apiKey: key, body: { registration: 'closed' } }),
        403, 'user_token_required');
    assert.deepEqual(expectStatus(await api(server, 'GET', '/instance'), 200).json, before);
});

test('bad values are 400 validation_failed naming the field, and change nothing', async () => {
    const before = expectStatus(await api(server, 'GET', '/instance'), 200).json;
    const cases = [
        [{ registration: 'sometimes' }, 'registration'],
        [{ registration: null }, 'registration'],
        [{ registration: true }, 'registration'],
        [{ name: '' }, 'name'],
        [{ name: 'n'.repeat(65) }, 'name'],
        [{ name: 5 }, 'name'],
        [{ max_upload_bytes: 1023 }, 'max_upload_bytes'],
        [{ max_upload_bytes: 17179869185 }, 'max_upload_bytes'],
        [{ max_upload_bytes: 2048.5 }, 'max_upload_bytes'],
        [{ max_upload_bytes: '4096' }, 'max_upload_bytes'],
        [{ max_upload_bytes: -1 }, 'max_upload_bytes'],
        [{ owner_id: member.id }, 'owner_id'],
        [{ name: 'Valid Name', registration: 'sometimes' }, 'registration'],
    ];
    for (const [body, field] of cases) {
        const res = expectStatus(await patchInstance(owner.access_token, body), 400, 'validation_failed',
            JSON.stringify(body));
        assert.equal(typeof res.json.errors?.[field], 'string', `errors.${field} in ${res.text}`);
    }
    assert.deepEqual(expectStatus(await api(server, 'GET', '/instance'), 200).json, before);
});

test('the registration mode is stored: it survives a restart', async () => {
    expectStatus(await patchInstance(owner.access_token, { registration: 'closed', name: 'Kept' }), 200);
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir: server.dataDir, workDir: server.workDir });
    const res = expectStatus(await api(server, 'GET', '/instance'), 200);
    assert.equal(res.json.registration, 'closed');
    assert.equal(res.json.name, 'Kept');
    assert.equal(res.json.owner_id, owner.id);
    expectStatus(await tryRegister(server), 403, 'registration_closed');
});

test('with registration closed from the start, the very first account may still register', async () => {
    const fresh = await startServer({ env: { DRIFTWAY_INSTANCE_REGISTRATION: 'closed' } });
    assert.equal(expectStatus(await api(fresh, 'GET', '/instance'), 200).json.registration, 'closed');
    const res = expectStatus(await tryRegister(fresh), 201, undefined, 'the first account');
    assert.equal(res.json.user.owner, true);
    expectStatus(await tryRegister(fresh), 403, 'registration_closed');
    assert.equal(await fresh.stop(), 0);
});

// API keys: shown once, act as their owner within their scopes, cannot manage
// keys themselves, and stop working the moment they are revoked.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ID, ISO_MS, api, expectStatus, registerUser, startServer, waitFor } from './lib/server.mjs';

const KEY_FORMAT = /^dw_[A-Za-z0-9_-]{43}$/;

let server;
before(async () => {
    server = await startServer();
});

async function createKey(user, name, scopes) {
    const res = expectStatus(await api(server, 'POST', '/api-keys',
        { token: user.access_token, body: { name, scopes } }), 201, undefined, `create key ${name}`);
    return res.json;
}

async function listKeys(user) {
    return expectStatus(await api(server, 'GET', '/api-keys', { token: user.access_token }), 200).json;
}

test('create shows the key once; the list never shows it', async () => {
    const u = await registerUser(server);
    const created = await createKey(u, 'ci bot', ['read', 'write']);
    assert.deepEqual(Object.keys(created).sort(), ['created_at', 'id', 'key', 'name', 'scopes']);
    assert.match(created.id, ID);
    assert.equal(created.name, 'ci bot');
    assert.deepEqual([...created.scopes].sort(), ['read', 'write']);
    assert.match(created.created_at, ISO_MS);
    assert.match(created.key, KEY_FORMAT);

    const res = expectStatus(await api(server, 'GET', '/api-keys', { token: u.access_token }), 200);
    assert.ok(Array.isArray(res.json));
    assert.equal(res.json.length, 1);
    const [listed] = res.json;
    assert.deepEqual(Object.keys(listed).sort(), ['created_at', 'id', 'last_used', 'name', 'scopes']);
    assert.equal(listed.id, created.id);
    assert.equal(listed.last_used, null);
    assert.ok(!res.text.includes(created.key), 'the list must not contain the key');
    assert.ok(!res.text.includes(created.key.slice(3)), 'the list must not contain the key body');

    // Two keys are two different secrets.
    const second = await createKey(u, 'another', ['read']);
    assert.notEqual(second.key, created.key);
    assert.equal((await listKeys(u)).length, 2);
});

test('X-API-Key acts as its owner; last_used is recorded', async () => {
    const u = await registerUser(server);
    const k = await createKey(u, 'reader-writer', ['read', 'write']);
    const res = expectStatus(await api(server, 'GET', '/users/@me', { apiKey: k.key }), 200);
    assert.equal(res.json.id, u.id);
    assert.equal(res.json.email, u.email);
    const patched = expectStatus(await api(server, 'PATCH', '/users/@me',
        { apiKey: k.key, body: { display_name: 'Bot Owner' } }), 200);
    assert.equal(patched.json.display_name, 'Bot Owner');

    const listed = await waitFor(async () => {
        const [entry] = await listKeys(u);
        return entry.last_used !== null && entry;
    }, { timeout: 5000, interval: 100, what: 'last_used to be set' });
    assert.match(listed.last_used, ISO_MS);
});

test('a key lacking the route scope gets 403 missing_scope and changes nothing', async () => {
    const u = await registerUser(server);
    const reader = await createKey(u, 'reader', ['read']);
    const writer = await createKey(u, 'writer', ['write']);

    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: reader.key }), 200);
    expectStatus(await api(server, 'PATCH', '/users/@me',
        { apiKey: reader.key, body: { display_name: 'Not Allowed' } }), 403, 'missing_scope');
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: writer.key }), 403, 'missing_scope');
    expectStatus(await api(server, 'GET', `/users/${u.id}`, { apiKey: writer.key }), 403, 'missing_scope');

    const me = expectStatus(await api(server, 'GET', '/users/@me', { token: u.access_token }), 200);
    assert.equal(me.json.display_name, u.username);
});

test('API keys cannot manage API keys: 403 user_token_required', async () => {
    const u = await registerUser(server);
    const all = await createKey(u, 'everything', ['read', 'write', 'gateway']);
    expectStatus(await api(server, 'POST', '/api-keys',
        { apiKey: all.key, body: { name: 'child', scopes: ['read'] } }), 403, 'user_token_required');
    expectStatus(await api(server, 'GET', '/api-keys', { apiKey: all.key }), 403, 'user_token_required');
    expectStatus(await api(server, 'DELETE', `/api-keys/${all.id}`, { apiKey: all.key }), 403,
        'user_token_required');
    const keys = await listKeys(u);
    assert.deepEqual(keys.map((k) => k.id), [all.id], 'no key was created or revoked');
});

test('revoke: 204, the key is refused at once, and a second revoke is 404', async () => {
    const u = await registerUser(server);
    const k = await createKey(u, 'short-lived', ['read']);
    const keep = await createKey(u, 'kept', ['read']);
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: k.key }), 200);

    const del = expectStatus(await api(server, 'DELETE', `/api-keys/${k.id}`, { token: u.access_token }), 204);
    assert.equal(del.text, '');
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: k.key }), 401, 'invalid_api_key');
    expectStatus(await api(server, 'DELETE', `/api-keys/${k.id}`, { token: u.access_token }), 404,
        'unknown_api_key');
    assert.deepEqual((await listKeys(u)).map((x) => x.id), [keep.id]);
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: keep.key }), 200);
});

test("revoking another user's key is 404 unknown_api_key and the key keeps working", async () => {
    const alice = await registerUser(server);
    const mallory = await registerUser(server);
    const k = await createKey(alice, 'alice bot', ['read']);
    expectStatus(await api(server, 'DELETE', `/api-keys/${k.id}`, { token: mallory.access_token }), 404,
        'unknown_api_key');
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: k.key }), 200);
    assert.equal((await listKeys(alice)).length, 1);
    assert.equal((await listKeys(mallory)).length, 0);
});

test('unknown keys and bad ids', async () => {
    const u = await registerUser(server);
    const made = `dw_${crypto.randomBytes(32).toString('base64url')}`;
    assert.match(made, KEY_FORMAT);
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: made }), 401, 'invalid_api_key');
    expectStatus(await api(server, 'GET', '/users/@me', { apiKey: 'nonsense' }), 401, 'invalid_api_key');
    for (const id of ['abc', '0', '999999999999999', '18446744073709551616']) {
        expectStatus(await api(server, 'DELETE', `/api-keys/${id}`, { token: u.access_token }), 404,
            'unknown_api_key', `/api-keys/${id}`);
    }
});

test('create validation: 400 validation_failed naming the field', async () => {
    const u = await registerUser(server);
    const cases = [
        [{ name: '', scopes: ['read'] }, 'name'],
        [{ name: 'x'.repeat(65), scopes: ['read'] }, 'name'],
        [{ name: 7, scopes: ['read'] }, 'name'],
        [{ scopes: ['read'] }, 'name'],
        [{ name: 'k', scopes: [] }, 'scopes'],
        [{ name: 'k', scopes: ['admin'] }, 'scopes'],
        [{ name: 'k', scopes: 'read' }, 'scopes'],
        [{ name: 'k' }, 'scopes'],
        [{ name: 'k', scopes: ['read'], key: 'dw_chosen' }, 'key'],
    ];
    for (const [body, field] of cases) {
        const res = expectStatus(await api(server, 'POST', '/api-keys', { token: u.access_token, body }), 400,
            'validation_failed', JSON.stringify(body).slice(0, 80));
        assert.equal(typeof res.json.errors?.[field], 'string', `errors.${field} in ${res.text}`);
    }
    assert.equal((await listKeys(u)).length, 0);
    // The limits themselves are allowed.
    await createKey(u, 'x'.repeat(64), ['gateway']);
});

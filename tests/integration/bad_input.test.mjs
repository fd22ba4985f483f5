// Hostile and malformed requests, one table: each gets the documented status
// and error code, and none of them changes anything - checked through the
// API before and after, and by counting rows with the sqlite3 CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    api, b64url, countRows, decodeJwt, expectStatus, login, registerUser, request, sqliteAvailable,
    startServer, uniqueName,
} from './lib/server.mjs';

const MiB = 1024 * 1024;

function nested(depth) {
    // {"preferences": {"a": {"a": ... 1}}} is `depth` objects deep.
    return `{"preferences":${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}}`;
}

function withBadBytes(prefix, bytes, suffix) {
    return Buffer.concat([Buffer.from(prefix), Buffer.from(bytes), Buffer.from(suffix)]);
}

test('bad input is refused with the documented error and changes nothing', async (t) => {
    const server = await startServer();
    const owner = await registerUser(server);
    const keyRes = expectStatus(await api(server, 'POST', '/api-keys',
        { token: owner.access_token, body: { name: 'live', scopes: ['read', 'write'] } }), 201);
    const revoked = expectStatus(await api(server, 'POST', '/api-keys',
        { token: owner.access_token, body: { name: 'dead', scopes: ['read', 'write'] } }), 201).json;
    expectStatus(await api(server, 'DELETE', `/api-keys/${revoked.id}`, { token: owner.access_token }), 204);

    const token = owner.access_token;
    const { parts, header, payload } = decodeJwt(token);
    const [h, p, s] = parts;
    const other = await registerUser(server);

    const snapshot = async () => ({
        me: expectStatus(await api(server, 'GET', '/users/@me', { token }), 200).json,
        other: expectStatus(await api(server, 'GET', '/users/@me', { token: other.access_token }), 200).json,
        instance: expectStatus(await api(server, 'GET', '/instance'), 200).json,
        keys: expectStatus(await api(server, 'GET', '/api-keys', { token }), 200).json
            .map(({ last_used: _, ...k }) => k),
        users: countRows(server.dataDir, 'users'),
        apiKeys: countRows(server.dataDir, 'api_keys'),
    });
    const before = await snapshot();
    if (sqliteAvailable) assert.equal(before.users, 2);

    // Usernames of refused registrations: each must be free afterwards.
    const refusedNames = [];
    const candidate = () => {
        const name = uniqueName('refused');
        refusedNames.push(name);
        return name;
    };
    const reg = (fields) => {
        const username = fields.username ?? candidate();
        return { username, email: `${typeof username === 'string' ? username : 'x'}@example.test`,
            password: 'a fine password', ...fields };
    };
    const regRaw = (bodyFor) => {
        const username = candidate();
        return bodyFor(username);
    };
    const goodPatch = JSON.stringify({ display_name: 'Changed By Attack' });

    const cases = [
        // Malformed JSON and wrong shapes.
        { name: 'truncated JSON', method: 'POST', path: '/api/v1/auth/register',
            rawBody: regRaw((u) => `{"username":"${u}","email":"${u}@example.test","password":"a fine pass`),
            status: 400, code: 'malformed_json' },
        { name: 'unquoted keys', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: '{display_name: "x"}', status: 400, code: 'malformed_json' },
        { name: 'trailing garbage', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: `${goodPatch} trailing`, status: 400, code: 'malformed_json' },
        { name: 'two JSON values', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: `${goodPatch}${goodPatch}`, status: 400, code: 'malformed_json' },
        { name: 'array instead of object (register)', method: 'POST', path: '/api/v1/auth/register',
            body: [reg({})], status: 400, code: 'validation_failed' },
        { name: 'array instead of object (patch)', method: 'PATCH', path: '/api/v1/users/@me', token,
            body: [{ display_name: 'Changed By Attack' }], status: 400, code: 'validation_failed' },
        { name: 'string instead of object', method: 'POST', path: '/api/v1/auth/login',
            body: 'login', status: 400, code: 'validation_failed' },
        { name: 'null instead of object', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: 'null', status: 400, code: 'validation_failed' },
        // Wrong types and missing fields.
        { name: 'username is a number', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: 12345 }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'password is a boolean', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ password: true }), status: 400, code: 'validation_failed', field: 'password' },
        { name: 'username is null', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: null }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'email missing', method: 'POST', path: '/api/v1/auth/register',
            body: (({ email: _, ...rest }) => rest)(reg({})), status: 400, code: 'validation_failed',
            field: 'email' },
        { name: 'login is an object', method: 'POST', path: '/api/v1/auth/login',
            body: { login: { $ne: '' }, password: owner.password }, status: 400, code: 'validation_failed',
            field: 'login' },
        { name: 'login without password', method: 'POST', path: '/api/v1/auth/login',
            body: { login: owner.username }, status: 400, code: 'validation_failed', field: 'password' },
        { name: 'display_name is an array', method: 'PATCH', path: '/api/v1/users/@me', token,
            body: { display_name: ['x'] }, status: 400, code: 'validation_failed', field: 'display_name' },
        // Lengths and formats.
        { name: 'username 33 chars', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: 'u'.repeat(33) }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'username 1 char', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: 'u' }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'username with a space', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: 'two words' }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'username with non-ASCII', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: 'zoë_user' }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'username with a NUL', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ username: 'nul\u0000user' }), status: 400, code: 'validation_failed', field: 'username' },
        { name: 'empty password', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ password: '' }), status: 400, code: 'validation_failed', field: 'password' },
        { name: '7-character password', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ password: 'seven77' }), status: 400, code: 'validation_failed', field: 'password' },
        { name: '257-character password', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ password: 'p'.repeat(257) }), status: 400, code: 'validation_failed', field: 'password' },
        { name: 'email without @', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ email: 'nobody.example.test' }), status: 400, code: 'validation_failed', field: 'email' },
        { name: 'email with nothing before @', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ email: '@example.test' }), status: 400, code: 'validation_failed', field: 'email' },
        { name: 'email with a space', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ email: 'some one@example.test' }), status: 400, code: 'validation_failed', field: 'email' },
        { name: 'email with two @', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ email: 'a@b@example.test' }), status: 400, code: 'validation_failed', field: 'email' },
        { name: 'email of 255 chars', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ email: `${'e'.repeat(242)}@example.test` }), status: 400, code: 'validation_failed',
            field: 'email' },
        { name: 'unknown field in register', method: 'POST', path: '/api/v1/auth/register',
            body: reg({ owner: true }), status: 400, code: 'validation_failed', field: 'owner' },
        { name: 'unknown field in patch', method: 'PATCH', path: '/api/v1/users/@me', token,
            body: { display_name: 'Changed By Attack', username: 'renamed' }, status: 400,
            code: 'validation_failed', field: 'username' },
        // Size, depth, encoding.
        { name: 'body over 1 MiB (patch)', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: `{"preferences":{"blob":"${'x'.repeat(MiB)}"}}`, status: 413, code: 'payload_too_large' },
        { name: 'body over 1 MiB (register)', method: 'POST', path: '/api/v1/auth/register',
            rawBody: regRaw((u) => JSON.stringify({ ...reg({ username: u }), pad: 'x'.repeat(MiB + 1) })),
            status: 413, code: 'payload_too_large' },
        { name: 'nesting depth 100', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: nested(100), status: 400, code: 'json_too_deep' },
        { name: 'nesting depth 33', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: nested(33), status: 400, code: 'json_too_deep' },
        { name: 'arrays nested 10000 deep', method: 'POST', path: '/api/v1/auth/login',
            rawBody: `{"login":${'['.repeat(10000)}${']'.repeat(10000)},"password":"x"}`,
            status: 400, code: 'json_too_deep' },
        { name: 'invalid UTF-8 (C3 28) in a string', method: 'POST', path: '/api/v1/auth/register',
            rawBody: regRaw((u) => withBadBytes(`{"username":"${u}","email":"${u}@example.test","password":"pass`,
                [0xc3, 0x28], 'word1"}')), status: 400, code: 'invalid_utf8' },
        { name: 'overlong UTF-8 (C0 AF)', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: withBadBytes('{"display_name":"', [0xc0, 0xaf], '"}'), status: 400, code: 'invalid_utf8' },
        { name: 'UTF-8 encoded surrogate (ED A0 80)', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: withBadBytes('{"display_name":"a', [0xed, 0xa0, 0x80], '"}'), status: 400,
            code: 'invalid_utf8' },
        { name: 'lone continuation byte (80)', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: withBadBytes('{"display_name":"a', [0x80], '"}'), status: 400, code: 'invalid_utf8' },
        // Media type.
        { name: 'text/plain body', method: 'POST', path: '/api/v1/auth/register',
            body: reg({}), headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
        { name: 'form-encoded body', method: 'PATCH', path: '/api/v1/users/@me', token,
            rawBody: 'display_name=Changed', headers: { 'content-type': 'application/x-www-form-urlencoded' },
            status: 415, code: 'unsupported_media_type' },
        // Paths and methods.
        { name: 'user id not a number', method: 'GET', path: '/api/v1/users/abc', token,
            status: 404, code: 'unknown_user' },
        { name: 'user id overflowing uint64', method: 'GET', path: '/api/v1/users/99999999999999999999999', token,
            status: 404, code: 'unknown_user' },
        { name: 'api key id not a number', method: 'DELETE', path: '/api/v1/api-keys/abc', token,
            status: 404, code: 'unknown_api_key' },
        { name: 'api key id of another key', method: 'DELETE', path: `/api/v1/api-keys/${keyRes.json.id}`,
            token: other.access_token, status: 404, code: 'unknown_api_key' },
        { name: 'unknown API route', method: 'GET', path: '/api/v1/no-such-thing', token,
            status: 404, code: 'not_found' },
        { name: 'unknown top-level route', method: 'GET', path: '/no-such-thing', status: 404, code: 'not_found' },
        { name: 'path traversal', method: 'GET', path: '/api/v1/users/..%2f..%2fetc%2fpasswd', token,
            status: 404 },
        { name: 'DELETE users/@me', method: 'DELETE', path: '/api/v1/users/@me', token,
            status: 405, code: 'method_not_allowed', allow: ['GET', 'PATCH'] },
        { name: 'GET auth/login', method: 'GET', path: '/api/v1/auth/login',
            status: 405, code: 'method_not_allowed', allow: ['POST'] },
        { name: 'POST /health', method: 'POST', path: '/health', status: 405, code: 'method_not_allowed',
            allow: ['GET'] },
        { name: 'PUT instance', method: 'PUT', path: '/api/v1/instance', token, body: { name: 'x' },
            status: 405, code: 'method_not_allowed', allow: ['GET', 'PATCH'] },
        // Credentials.
        { name: 'no credentials', method: 'PATCH', path: '/api/v1/users/@me', body: { display_name: 'x' },
            status: 401, code: 'unauthorized' },
        { name: 'malformed bearer token', method: 'PATCH', path: '/api/v1/users/@me', token: 'abc.def',
            body: { display_name: 'Changed By Attack' }, status: 401, code: 'invalid_token' },
        { name: 'tampered token payload', method: 'PATCH', path: '/api/v1/users/@me',
            token: `${h}.${b64url({ ...payload, sub: other.id })}.${s}`,
            body: { display_name: 'Changed By Attack' }, status: 401, code: 'invalid_token' },
        { name: 'token with alg HS256', method: 'GET', path: '/api/v1/users/@me',
            token: `${b64url({ ...header, alg: 'HS256' })}.${p}.${s}`, status: 401, code: 'invalid_token' },
        { name: 'token with alg none', method: 'PATCH', path: '/api/v1/users/@me',
            token: `${b64url({ ...header, alg: 'none' })}.${p}.`,
            body: { display_name: 'Changed By Attack' }, status: 401, code: 'invalid_token' },
        { name: 'revoked API key', method: 'PATCH', path: '/api/v1/users/@me', apiKey: revoked.key,
            body: { display_name: 'Changed By Attack' }, status: 401, code: 'invalid_api_key' },
        { name: 'revoked API key creating a key', method: 'POST', path: '/api/v1/api-keys', apiKey: revoked.key,
            body: { name: 'k', scopes: ['read'] }, status: 401, code: 'invalid_api_key' },
        { name: 'unknown API key', method: 'GET', path: '/api/v1/users/@me', apiKey: 'dw_nope',
            status: 401, code: 'invalid_api_key' },
        // Hostile header values must not break the request either.
        { name: 'hostile X-Request-Id on a bad request', method: 'GET', path: '/api/v1/no-such-thing',
            headers: { 'x-request-id': '<script>alert(1)</script>' }, status: 404, code: 'not_found' },
    ];

    const failures = [];
    for (const c of cases) {
        await t.test(c.name, async () => {
            let res = { status: 'no response', text: '', headers: new Headers() };
            try {
                res = await request(server, c.method, c.path, c);
                assert.equal(res.status, c.status);
                if (c.code !== undefined) {
                    assert.equal(res.json?.code, c.code);
                    assert.equal(typeof res.json.message, 'string');
                }
                if (c.field !== undefined) {
                    assert.equal(typeof res.json.errors?.[c.field], 'string', `errors.${c.field}`);
                }
                if (c.allow !== undefined) {
                    const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
                    for (const m of c.allow) assert.ok(allow.includes(m), `Allow: ${allow} lacks ${m}`);
                    assert.ok(!allow.includes(c.method), `Allow: ${allow} lists ${c.method}`);
                }
                assert.ok(res.headers.get('x-request-id'), 'X-Request-Id on error responses');
                assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
                assert.ok(!res.text.includes('<script>'), 'nothing reflected unescaped');
            } catch (err) {
                failures.push(c.name);
                err.message = `${c.method} ${c.path}: got ${res.status} ${res.text.slice(0, 300)}\n${err.message}`;
                throw err;
            }
        });
    }

    await t.test('nothing changed', async () => {
        const after = await snapshot();
        assert.deepEqual(after.me, before.me, 'users/@me of the target');
        assert.deepEqual(after.other, before.other, 'users/@me of the other user');
        assert.deepEqual(after.instance, before.instance);
        assert.deepEqual(after.keys, before.keys);
        if (sqliteAvailable) {
            assert.equal(after.users, before.users, 'rows in users');
            assert.equal(after.apiKeys, before.apiKeys, 'rows in api_keys');
        } else {
            t.diagnostic('sqlite3 CLI not installed: row counts not checked');
        }
        expectStatus(await login(server, owner.username, owner.password), 200, undefined, 'old password');
        expectStatus(await login(server, other.email, other.password), 200, undefined, 'other user');
        expectStatus(await api(server, 'GET', '/users/@me', { apiKey: keyRes.json.key }), 200);
    });

    await t.test('the refused usernames are still free', async () => {
        for (const name of refusedNames) await registerUser(server, name);
        if (sqliteAvailable) assert.equal(countRows(server.dataDir, 'users'), before.users + refusedNames.length);
    });

    await t.test('what the table refuses, the server accepts when well-formed', async () => {
        // application/json with parameters, and a JSON body without a Content-Type.
        expectStatus(await api(server, 'PATCH', '/users/@me', { token, rawBody: '{}',
            headers: { 'content-type': 'application/json; charset=utf-8' } }), 200);
        expectStatus(await api(server, 'PATCH', '/users/@me', { token, rawBody: '{}',
            headers: { 'content-type': null } }), 200);
        const deep = expectStatus(await api(server, 'PATCH', '/users/@me', { token, rawBody: nested(32) }), 200,
            undefined, 'depth 32 is the limit, not over it');
        assert.equal(typeof deep.json.preferences.a, 'object');
    });

    await t.test('the server still answers /health', async () => {
        const res = expectStatus(await request(server, 'GET', '/health'), 200);
        assert.equal(res.json.status, 'ok');
    });
    assert.deepEqual(failures, []);
});

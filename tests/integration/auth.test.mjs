// Accounts and tokens: register, login, refresh rotation and reuse detection,
// logout, the profile routes, and access tokens checked as genuine Ed25519
// JWS (RFC 7515, RFC 8037) - forged, tampered and expired ones are refused.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
    ID, ISO_MS, api, b64url, decodeJwt, expectStatus, login, registerUser, startServer,
    uniqueName, waitFor,
} from './lib/server.mjs';

const PRIVATE_USER_KEYS = ['avatar', 'created_at', 'display_name', 'email', 'id', 'owner',
    'preferences', 'status', 'username'];
const PUBLIC_USER_KEYS = ['avatar', 'created_at', 'display_name', 'id', 'username'];

let server;
let first;        // the 201 body of the first registration on `server`
let firstCreds;   // {username, email, password}
const expiry = {};  // a second server whose access tokens live 10 s

before(async () => {
    [server, expiry.server] = await Promise.all([
        startServer(),
        startServer({ env: { DRIFTWAY_AUTH_ACCESS_TOKEN_TTL: '10' } }),
    ]);
    // Started first so that its token runs out while the other tests run.
    expiry.user = await registerUser(expiry.server);
    expectStatus(await api(expiry.server, 'GET', '/users/@me', { token: expiry.user.access_token }), 200,
        undefined, 'a fresh 10 s token');

    const username = uniqueName('First');
    firstCreds = { username, email: `${username}@Example.test`, password: 'first password 1' };
    const res = await api(server, 'POST', '/auth/register', { body: firstCreds });
    expectStatus(res, 201, undefined, 'first registration');
    first = res.json;
});

function assertPrivateUser(user, { username, email }) {
    assert.deepEqual(Object.keys(user).sort(), PRIVATE_USER_KEYS);
    assert.match(user.id, ID);
    assert.equal(user.username, username);
    assert.equal(user.email.toLowerCase(), email.toLowerCase());
    assert.equal(user.display_name, username, 'display_name starts as the username');
    assert.equal(user.avatar, null);
    assert.equal(typeof user.status, 'string');
    assert.ok(user.preferences && typeof user.preferences === 'object' && !Array.isArray(user.preferences));
    assert.match(user.created_at, ISO_MS);
    assert.equal(typeof user.owner, 'boolean');
}

function assertSession(body, creds) {
    assertPrivateUser(body.user, creds);
    assert.equal(body.expires_in, 900);
    assert.equal(typeof body.refresh_token, 'string');
    assert.ok(body.refresh_token.length >= 16);
    const { header, payload } = decodeJwt(body.access_token);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(header.typ, 'JWT');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.sub, body.user.id);
    assert.ok(Number.isInteger(payload.iat) && Number.isInteger(payload.exp));
    assert.equal(payload.exp - payload.iat, 900);
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60, 'iat is now');
    assert.equal(typeof payload.jti, 'string');
    assert.ok(payload.jti.length > 0);
}

async function jwks() {
    const res = expectStatus(await api(server, 'GET', '/auth/jwks'), 200);
    assert.ok(Array.isArray(res.json.keys) && res.json.keys.length >= 1, res.text);
    return res.json.keys;
}

function me(token) {
    return api(server, 'GET', '/users/@me', { token });
}

test('register: 201 with the private user, a token pair and expires_in 900', async () => {
    assertSession(first, firstCreds);
    const keys = await jwks();
    const { header } = decodeJwt(first.access_token);
    const key = keys.find((k) => k.kid === header.kid);
    assert.ok(key, `kid ${header.kid} is not in /auth/jwks`);
    assert.deepEqual({ kty: key.kty, crv: key.crv, alg: key.alg, use: key.use },
        { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    assert.equal(Buffer.from(key.x, 'base64url').length, 32);
});

test('the access token is a genuine Ed25519 JWS under the published key', async () => {
    const keys = await jwks();
    const { parts, header, signature } = decodeJwt(first.access_token);
    const jwk = keys.find((k) => k.kid === header.kid);
    const publicKey = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    const signingInput = Buffer.from(`${parts[0]}.${parts[1]}`);
    assert.equal(crypto.verify(null, signingInput, publicKey, signature), true);
    // And the check above can fail: one flipped byte of the input does not verify.
    signingInput[signingInput.length - 1] ^= 1;
    assert.equal(crypto.verify(null, signingInput, publicKey, signature), false);
});

test('the first account is the owner, the second is not', async () => {
    assert.equal(first.user.owner, true);
    const second = await registerUser(server);
    assert.equal(second.user.owner, false);
    const inst = expectStatus(await api(server, 'GET', '/instance'), 200);
    assert.equal(inst.json.owner_id, first.user.id);
});

test('users/@me returns the private user for the token', async () => {
    const res = expectStatus(await me(first.access_token), 200);
    assertPrivateUser(res.json, firstCreds);
    assert.equal(res.json.id, first.user.id);
    assert.equal(res.json.owner, true);
});

test('login by username and by email, case-insensitively', async () => {
    const u = await registerUser(server, uniqueName('LoginCase'));
    for (const name of [u.username, u.username.toLowerCase(), u.username.toUpperCase(),
        u.email, u.email.toUpperCase()]) {
        const res = expectStatus(await login(server, name, u.password), 200, undefined, `login as ${name}`);
        assertSession(res.json, u);
        assert.equal(res.json.user.id, u.id);
        assert.equal(res.json.user.owner, false);
        expectStatus(await me(res.json.access_token), 200);
    }
});

test('wrong password and unknown user both give 401 invalid_credentials', async () => {
    const u = await registerUser(server);
    expectStatus(await login(server, u.username, `${u.password}x`), 401, 'invalid_credentials');
    expectStatus(await login(server, u.email, 'not the password'), 401, 'invalid_credentials');
    expectStatus(await login(server, uniqueName('ghost'), u.password), 401, 'invalid_credentials');
    expectStatus(await login(server, `${uniqueName('ghost')}@example.test`, u.password), 401,
        'invalid_credentials');
    // The account still works with the right password.
    expectStatus(await login(server, u.username, u.password), 200);
});

test('refresh rotates the pair; reusing a spent token revokes the whole family', async () => {
    const u = await registerUser(server);
    const r1 = u.refresh_token;
    const rotated = expectStatus(await api(server, 'POST', '/auth/refresh', { body: { refresh_token: r1 } }), 200);
    assertSession(rotated.json, u);
    assert.equal(rotated.json.user.id, u.id);
    const r2 = rotated.json.refresh_token;
    assert.notEqual(r2, r1);
    assert.notEqual(rotated.json.access_token, u.access_token);
    expectStatus(await me(rotated.json.access_token), 200);

    expectStatus(await api(server, 'POST', '/auth/refresh', { body: { refresh_token: r1 } }), 401,
        'refresh_token_reused', 'the spent token presented again');
    const newest = await api(server, 'POST', '/auth/refresh', { body: { refresh_token: r2 } });
    assert.equal(newest.status, 401, `the family's newest token must be revoked too: ${newest.text}`);
    assert.ok(['invalid_refresh_token', 'refresh_token_reused'].includes(newest.json?.code), newest.text);

    // A new login starts a new family that works.
    const again = expectStatus(await login(server, u.username, u.password), 200);
    expectStatus(await api(server, 'POST', '/auth/refresh',
        { body: { refresh_token: again.json.refresh_token } }), 200);
});

test('concurrent refreshes of one token: exactly one wins, the rest are reuse', async () => {
    const u = await registerUser(server);
    const results = await Promise.all(Array.from({ length: 8 }, () =>
        api(server, 'POST', '/auth/refresh', { body: { refresh_token: u.refresh_token } })));
    const won = results.filter((r) => r.status === 200);
    assert.equal(won.length, 1, results.map((r) => `${r.status} ${r.json?.code ?? ''}`).join(', '));
    for (const r of results.filter((x) => x.status !== 200)) expectStatus(r, 401, 'refresh_token_reused');
    // The reuse revoked the family, the winner's new token included.
    const winner = won[0].json.refresh_token;
    expectStatus(await api(server, 'POST', '/auth/refresh', { body: { refresh_token: winner } }), 401);
});

test('concurrent registrations of one username or email: exactly one account', async () => {
    const username = uniqueName('race');
    const byName = await Promise.all(Array.from({ length: 8 }, (_, i) => api(server, 'POST', '/auth/register',
        { body: { username, email: `${username}.${i}@example.test`, password: 'race password' } })));
    assert.deepEqual(byName.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of byName.filter((x) => x.status === 409)) assert.equal(r.json.code, 'username_taken');

    const email = `${uniqueName('race')}@example.test`;
    const byEmail = await Promise.all(Array.from({ length: 8 }, () => api(server, 'POST', '/auth/register',
        { body: { username: uniqueName('race'), email, password: 'race password' } })));
    assert.deepEqual(byEmail.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of byEmail.filter((x) => x.status === 409)) assert.equal(r.json.code, 'email_taken');
});

test('an unknown refresh token is 401 invalid_refresh_token', async () => {
    expectStatus(await api(server, 'POST', '/auth/refresh', { body: { refresh_token: 'no-such-token' } }),
        401, 'invalid_refresh_token');
    expectStatus(await api(server, 'POST', '/auth/refresh', { body: {} }), 400, 'validation_failed');
});

test('logout revokes the family: 204, then the token no longer refreshes', async () => {
    const u = await registerUser(server);
    const out = await api(server, 'POST', '/auth/logout', { body: { refresh_token: u.refresh_token } });
    expectStatus(out, 204);
    assert.equal(out.text, '');
    expectStatus(await api(server, 'POST', '/auth/refresh', { body: { refresh_token: u.refresh_token } }),
        401, 'invalid_refresh_token');

    // Logging out with the newest token of a rotated family revokes it as well.
    const s = expectStatus(await login(server, u.username, u.password), 200);
    const rotated = expectStatus(await api(server, 'POST', '/auth/refresh',
        { body: { refresh_token: s.json.refresh_token } }), 200);
    expectStatus(await api(server, 'POST', '/auth/logout',
        { body: { refresh_token: rotated.json.refresh_token } }), 204);
    expectStatus(await api(server, 'POST', '/auth/refresh',
        { body: { refresh_token: rotated.json.refresh_token } }), 401, 'invalid_refresh_token');

    // Unknown tokens log out quietly.
    expectStatus(await api(server, 'POST', '/auth/logout', { body: { refresh_token: 'never-issued' } }), 204);
});

test('duplicate username or email is 409, case-insensitively', async () => {
    const u = await registerUser(server, uniqueName('Dup'));
    const fresh = () => uniqueName('fresh');
    const cases = [
        [{ username: u.username, email: `${fresh()}@example.test` }, 'username_taken'],
        [{ username: u.username.toUpperCase(), email: `${fresh()}@example.test` }, 'username_taken'],
        [{ username: u.username.toLowerCase(), email: `${fresh()}@example.test` }, 'username_taken'],
        [{ username: fresh(), email: u.email }, 'email_taken'],
        [{ username: fresh(), email: u.email.toUpperCase() }, 'email_taken'],
    ];
    for (const [fields, code] of cases) {
        expectStatus(await api(server, 'POST', '/auth/register',
            { body: { ...fields, password: 'another password' } }), 409, code, JSON.stringify(fields));
    }
    // The original account is untouched.
    expectStatus(await login(server, u.username, u.password), 200);
});

test('PATCH users/@me updates fields; an empty object changes nothing', async () => {
    const u = await registerUser(server);
    const patch = (body) => api(server, 'PATCH', '/users/@me', { token: u.access_token, body });

    let res = expectStatus(await patch({ display_name: 'Night Owl', status: 'dnd',
        preferences: { theme: 'dark', compact: true } }), 200);
    assertPrivateUser({ ...res.json, display_name: u.username }, u);
    assert.equal(res.json.display_name, 'Night Owl');
    assert.equal(res.json.status, 'dnd');
    assert.deepEqual(res.json.preferences, { theme: 'dark', compact: true });

    const after = expectStatus(await me(u.access_token), 200);
    assert.deepEqual(after.json, res.json, 'GET shows what PATCH returned');

    res = expectStatus(await patch({}), 200);
    assert.deepEqual(res.json, after.json);

    for (const status of ['online', 'idle', 'invisible']) {
        res = expectStatus(await patch({ status }), 200);
        assert.equal(res.json.status, status);
    }
    // 32 code points is the limit, not 32 bytes.
    res = expectStatus(await patch({ display_name: 'é'.repeat(32) }), 200);
    assert.equal(res.json.display_name, 'é'.repeat(32));
    res = expectStatus(await patch({ display_name: null, avatar: null }), 200);
    assert.equal(res.json.display_name, u.username, 'null resets display_name to the username');
    assert.equal(res.json.avatar, null);
});

test('PATCH users/@me validation: 400 with the field named, nothing changed', async () => {
    const u = await registerUser(server);
    const patch = (body) => api(server, 'PATCH', '/users/@me', { token: u.access_token, body });
    const before = expectStatus(await patch({ display_name: 'Steady', preferences: { a: 1 } }), 200).json;

    const cases = [
        [{ display_name: '' }, 'display_name'],
        [{ display_name: 'x'.repeat(33) }, 'display_name'],
        [{ display_name: 42 }, 'display_name'],
        [{ status: 'away' }, 'status'],
        [{ status: null }, 'status'],
        [{ preferences: 'dark' }, 'preferences'],
        [{ preferences: [1, 2] }, 'preferences'],
        [{ preferences: { blob: 'x'.repeat(17 * 1024) } }, 'preferences'],
        [{ avatar: 12345 }, 'avatar'],
        [{ email: 'new@example.test' }, 'email'],
        [{ nonsense: true }, 'nonsense'],
        // One bad field spoils the whole patch.
        [{ display_name: 'Changed', status: 'away' }, 'status'],
    ];
    for (const [body, field] of cases) {
        const res = expectStatus(await patch(body), 400, 'validation_failed', JSON.stringify(body).slice(0, 80));
        assert.equal(typeof res.json.errors?.[field], 'string', `errors.${field} in ${res.text}`);
    }
    assert.deepEqual(expectStatus(await me(u.access_token), 200).json, before);
});

test('GET users/{id}: the public profile, no email; 404 unknown_user', async () => {
    const u = await registerUser(server);
    const res = expectStatus(await api(server, 'GET', `/users/${u.id}`, { token: first.access_token }), 200);
    assert.deepEqual(Object.keys(res.json).sort(), PUBLIC_USER_KEYS);
    assert.equal(res.json.id, u.id);
    assert.equal(res.json.username, u.username);
    assert.equal(res.json.display_name, u.username);
    assert.equal(res.json.avatar, null);
    assert.equal(res.json.created_at, u.user.created_at);
    assert.ok(!res.text.includes(u.email), 'the public profile does not leak the email');

    for (const id of ['999999999999999', 'abc', '0', '-1', '18446744073709551616', '1e3']) {
        expectStatus(await api(server, 'GET', `/users/${id}`, { token: first.access_token }), 404,
            'unknown_user', `/users/${id}`);
    }
    expectStatus(await api(server, 'GET', `/users/${u.id}`), 401, 'unauthorized');
});

test('the Bearer scheme name is case-insensitive (RFC 7235 section 2.1)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        const res = await api(server, 'GET', '/users/@me',
            { headers: { authorization: `${scheme} ${first.access_token}` } });
        expectStatus(res, 200, undefined, `Authorization: ${scheme} <token>`);
        assert.equal(res.json.id, first.user.id);
    }
    // Other schemes and an empty token are not credentials that work.
    for (const value of ['Basic dXNlcjpwYXNzd29yZA==', 'Bearer ', `Token ${first.access_token}`]) {
        assert.equal((await api(server, 'GET', '/users/@me', { headers: { authorization: value } })).status, 401,
            value);
    }
});

test('forged and tampered access tokens are 401 invalid_token', async () => {
    const victim = await registerUser(server);
    const keys = await jwks();
    const { parts, header, payload } = decodeJwt(first.access_token);
    const [h, p, s] = parts;
    const hs256 = (headerObj, payloadPart, secret) => {
        const input = `${b64url(headerObj)}.${payloadPart}`;
        return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    const forged = {
        'alg rewritten to HS256, signature kept': `${b64url({ ...header, alg: 'HS256' })}.${p}.${s}`,
        'alg none, empty signature': `${b64url({ ...header, alg: 'none' })}.${p}.`,
        'alg none, signature kept': `${b64url({ ...header, alg: 'none' })}.${p}.${s}`,
        'HS256 keyed with the public key (key confusion)': hs256({ ...header, alg: 'HS256' }, p,
            Buffer.from(keys[0].x, 'base64url')),
        'payload sub changed to another user': `${h}.${b64url({ ...payload, sub: victim.id })}.${s}`,
        'payload exp pushed out': `${h}.${b64url({ ...payload, exp: payload.exp + 86400 })}.${s}`,
        'unknown kid': `${b64url({ ...header, kid: 'AAAAAAAAAAAAAAAA' })}.${p}.${s}`,
        'signature truncated': `${h}.${p}.${s.slice(0, -4)}`,
        'signature flipped': `${h}.${p}.${Buffer.from(s, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b)).toString('base64url')}`,
        'two parts': `${h}.${p}`,
        'garbage': 'not-a-jwt',
    };
    for (const [what, token] of Object.entries(forged)) {
        expectStatus(await me(token), 401, 'invalid_token', what);
    }
    // The genuine token still works, and the victim's profile is untouched.
    expectStatus(await me(first.access_token), 200);
    assert.equal(expectStatus(await me(victim.access_token), 200).json.id, victim.id);
});

test('an expired access token is 401 token_expired (TTL 10 s: waits up to ~13 s)', async () => {
    const { payload } = decodeJwt(expiry.user.access_token);
    assert.equal(payload.exp - payload.iat, 10);
    assert.equal(expiry.user.expires_in, 10);
    const deadline = (payload.exp + 3) * 1000;
    const res = await waitFor(async () => {
        const r = await api(expiry.server, 'GET', '/users/@me', { token: expiry.user.access_token });
        if (r.status === 200) {
            assert.ok(Date.now() / 1000 < payload.exp + 1, 'the token is still accepted after exp');
            return false;
        }
        return r;
    }, { timeout: Math.max(0, deadline - Date.now()), interval: 250, what: 'the token to expire' });
    assert.ok(Date.now() / 1000 >= payload.exp - 1, `rejected before it expired: ${res.text}`);
    expectStatus(res, 401, 'token_expired');
    // The refresh token still gets a fresh access token.
    const refreshed = expectStatus(await api(expiry.server, 'POST', '/auth/refresh',
        { body: { refresh_token: expiry.user.refresh_token } }), 200);
    expectStatus(await api(expiry.server, 'GET', '/users/@me', { token: refreshed.json.access_token }), 200);
});

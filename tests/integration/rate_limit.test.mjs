// Rate limits (GCRA): the login route bucket per IP, the per-user bucket, the
// per-key bucket, the X-RateLimit-* headers on ordinary responses, and the
// 429 body. Sustained rates are set near zero so that buckets do not refill
// while a test runs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, expectStatus, login, registerUser, request, startServer } from './lib/server.mjs';

let server;

before(async () => {
    server = await startServer({
        env: {
            DRIFTWAY_RATE_LIMITS_LOGIN_BURST: '3',
            DRIFTWAY_RATE_LIMITS_LOGIN_PER_SECOND: '0.001',
            DRIFTWAY_RATE_LIMITS_USER_BURST: '5',
            DRIFTWAY_RATE_LIMITS_USER_PER_SECOND: '0.001',
            DRIFTWAY_RATE_LIMITS_KEY_BURST: '2',
            DRIFTWAY_RATE_LIMITS_KEY_PER_SECOND: '0.001',
        },
    });
});

function limitHeaders(res) {
    const get = (n) => res.headers.get(`x-ratelimit-${n}`);
    const h = { limit: get('limit'), remaining: get('remaining'), resetAfter: get('reset-after'),
        bucket: get('bucket') };
    for (const [k, v] of Object.entries(h)) assert.ok(v !== null, `X-RateLimit-${k} missing: ${res.status} ${res.text}`);
    assert.match(h.limit, /^\d+$/);
    assert.match(h.remaining, /^\d+$/);
    assert.match(h.resetAfter, /^\d+(\.\d+)?$/);
    return { limit: Number(h.limit), remaining: Number(h.remaining), resetAfter: Number(h.resetAfter),
        bucket: h.bucket };
}

function assert429(res, scope) {
    expectStatus(res, 429, 'rate_limited');
    assert.equal(res.json.scope, scope, res.text);
    assert.equal(typeof res.json.message, 'string');
    assert.equal(typeof res.json.retry_after, 'number');
    assert.ok(res.json.retry_after > 0, res.text);
    const retryAfter = res.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, 'Retry-After is whole seconds');
    assert.equal(Number(retryAfter), Math.ceil(res.json.retry_after), 'Retry-After is retry_after rounded up');
    const h = limitHeaders(res);
    assert.equal(h.remaining, 0);
}

function assertDecreasing(seq, what) {
    for (let i = 1; i < seq.length; i += 1) {
        assert.ok(seq[i] < seq[i - 1], `${what} should decrease: ${seq.join(', ')}`);
    }
}

test('login: the 4th attempt from one IP is 429 with scope "ip"', async () => {
    const u = await registerUser(server);
    const remaining = [];
    // Two failures and a success: every attempt counts, whatever its outcome.
    const attempts = [
        [u.username, 'wrong password 1', 401],
        [u.email, 'wrong password 2', 401],
        [u.username, u.password, 200],
    ];
    for (const [name, password, status] of attempts) {
        const res = expectStatus(await login(server, name, password), status);
        const h = limitHeaders(res);
        assert.equal(h.bucket, 'route:login', `the login bucket is the closest to its limit: ${h.bucket}`);
        assert.equal(h.limit, 3);
        remaining.push(h.remaining);
    }
    assertDecreasing(remaining, 'X-RateLimit-Remaining');
    assert.equal(remaining.at(-1), 0);

    const limited = await login(server, u.username, u.password);
    assert429(limited, 'ip');
    assert.ok(limited.json.retry_after > 100, `at 0.001/s the wait is long: ${limited.json.retry_after}`);
    assert.equal(limited.json.access_token, undefined);

    // server.trust_proxy is off by default: a client cannot pick its own address.
    const spoofed = await api(server, 'POST', '/auth/login', {
        body: { login: u.username, password: u.password },
        headers: { 'x-forwarded-for': '10.9.8.7', 'x-real-ip': '10.9.8.7', forwarded: 'for=10.9.8.7' },
    });
    assert429(spoofed, 'ip');

    // The route bucket is the login route's alone.
    expectStatus(await api(server, 'GET', '/instance'), 200);
    expectStatus(await api(server, 'GET', '/users/@me', { token: u.access_token }), 200);
});

test('user: the 6th request of one user is 429 with scope "user"; another user is served', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const remaining = [];
    for (let i = 0; i < 5; i += 1) {
        const res = expectStatus(await api(server, 'GET', '/users/@me', { token: alice.access_token }), 200,
            undefined, `request ${i + 1}`);
        const h = limitHeaders(res);
        assert.equal(h.bucket, 'user');
        assert.equal(h.limit, 5);
        assert.ok(h.resetAfter >= 0);
        remaining.push(h.remaining);
    }
    assertDecreasing(remaining, 'X-RateLimit-Remaining');
    assert.equal(remaining.at(-1), 0);

    assert429(await api(server, 'GET', '/users/@me', { token: alice.access_token }), 'user');
    // Refused writes do nothing.
    assert429(await api(server, 'PATCH', '/users/@me',
        { token: alice.access_token, body: { display_name: 'Too Fast' } }), 'user');

    const res = expectStatus(await api(server, 'GET', '/users/@me', { token: bob.access_token }), 200);
    assert.equal(limitHeaders(res).bucket, 'user');
    assert.equal(res.json.id, bob.id);
    // Unauthenticated routes from the same IP are not the user's bucket.
    expectStatus(await api(server, 'GET', '/instance'), 200);
});

test('key: the 3rd request with one API key is 429 with scope "key"', async () => {
    const carol = await registerUser(server);
    const key = expectStatus(await api(server, 'POST', '/api-keys',
        { token: carol.access_token, body: { name: 'fast bot', scopes: ['read'] } }), 201).json.key;
    for (let i = 0; i < 2; i += 1) {
        expectStatus(await api(server, 'GET', '/users/@me', { apiKey: key }), 200, undefined, `request ${i + 1}`);
    }
    assert429(await api(server, 'GET', '/users/@me', { apiKey: key }), 'key');
});

test('rate_limit_hits_total counts the refusals by scope', async () => {
    const res = expectStatus(await request(server, 'GET', '/metrics'), 200);
    for (const scope of ['ip', 'user', 'key']) {
        const line = res.text.split('\n').find((l) => l.startsWith('rate_limit_hits_total{')
            && l.includes(`scope="${scope}"`));
        assert.ok(line, `no rate_limit_hits_total line for scope ${scope}:\n${res.text}`);
        assert.ok(Number(line.trim().split(/\s+/).at(-1)) >= 1, line);
    }
});

// What operators and browsers see around the API: /health, /metrics,
// request ids, security headers and CORS.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
    ISO_MS, api, expectStatus, registerUser, request, startServer,
} from './lib/server.mjs';

const PLAIN_ID = /^[A-Za-z0-9._-]{1,128}$/;

let server;
let user;

before(async () => {
    server = await startServer();
    user = await registerUser(server);
});

// Samples of a metric family: [{labels: {...}, value}].
function samples(text, name) {
    const out = [];
    for (const line of text.split('\n')) {
        const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/);
        if (!m || m[1] !== name) continue;
        const labels = {};
        for (const lm of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
        out.push({ labels, value: Number(m[4]) });
    }
    return out;
}

async function metrics() {
    const res = expectStatus(await request(server, 'GET', '/metrics'), 200);
    return res;
}

test('/health reports ok with database and memory checks', async () => {
    const res = expectStatus(await request(server, 'GET', '/health'), 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const b = res.json;
    assert.equal(b.status, 'ok');
    assert.match(b.timestamp, ISO_MS);
    assert.ok(Math.abs(Date.parse(b.timestamp) - Date.now()) < 60_000, 'timestamp is now');
    assert.equal(typeof b.version, 'string');
    assert.equal(typeof b.uptime_seconds, 'number');
    assert.ok(b.uptime_seconds >= 0);
    assert.equal(b.checks.database.status, 'ok');
    assert.equal(typeof b.checks.database.latency_ms, 'number');
    assert.ok(b.checks.database.latency_ms >= 0);
    assert.equal(b.checks.memory.status, 'ok');
    assert.ok(Number.isInteger(b.checks.memory.rss_bytes) && b.checks.memory.rss_bytes > 1024 * 1024,
        `rss_bytes: ${b.checks.memory.rss_bytes}`);
});

test('/metrics: request counters by route pattern, durations, JWT results, process gauges', async () => {
    expectStatus(await api(server, 'GET', '/users/@me', { token: user.access_token }), 200);
    expectStatus(await api(server, 'GET', `/users/${user.id}`, { token: user.access_token }), 200);
    expectStatus(await api(server, 'GET', '/users/@me', { token: 'not.a.token' }), 401, 'invalid_token');
    const junk = randomBytes(6).toString('hex');
    expectStatus(await api(server, 'GET', `/no-such-route-${junk}`), 404, 'not_found');

    const res = await metrics();
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; ?version=0\.0\.4/);
    const text = res.text;

    const requests = samples(text, 'http_requests_total');
    const me = requests.find((s) => s.labels.route === '/api/v1/users/@me' && s.labels.method === 'GET'
        && s.labels.status === '200');
    assert.ok(me && me.value >= 1, `no http_requests_total for GET /api/v1/users/@me 200:\n${text}`);
    assert.ok(requests.some((s) => /^\/api\/v1\/users\/\{[a-z_]+\}$/.test(s.labels.route ?? '')),
        'routes with ids are labelled by their pattern');
    assert.ok(!text.includes(user.id), 'a raw user id became a label');
    assert.ok(!text.includes(junk), 'an unknown path became a label');

    const jwt = samples(text, 'jwt_validations_total');
    assert.ok(jwt.find((s) => s.labels.result === 'ok')?.value >= 2, 'jwt ok count');
    assert.ok(jwt.find((s) => s.labels.result === 'invalid')?.value >= 1, 'jwt invalid count');

    const buckets = samples(text, 'http_request_duration_seconds_bucket');
    assert.ok(buckets.length > 0, 'http_request_duration_seconds_bucket');
    const counted = buckets.filter((s) => s.labels.le === '+Inf').reduce((sum, s) => sum + s.value, 0);
    assert.ok(counted >= 4, `the +Inf buckets count the requests made: ${counted}`);
    assert.ok(samples(text, 'http_request_duration_seconds_count').length > 0);
    assert.ok(samples(text, 'http_request_duration_seconds_sum').length > 0);

    const rss = samples(text, 'process_resident_memory_bytes');
    assert.equal(rss.length, 1);
    assert.ok(rss[0].value > 1024 * 1024, `process_resident_memory_bytes ${rss[0].value}`);
    for (const name of ['process_cpu_seconds_total', 'process_open_fds', 'process_start_time_seconds']) {
        assert.equal(samples(text, name).length, 1, `${name} in /metrics`);
    }
    const start = samples(text, 'process_start_time_seconds')[0].value;
    assert.ok(Math.abs(start - Date.now() / 1000) < 3600, `process_start_time_seconds ${start}`);
    const build = samples(text, 'driftway_build_info');
    assert.equal(build.length, 1);
    assert.equal(build[0].labels.version,
        expectStatus(await request(server, 'GET', '/health'), 200).json.version);
    assert.ok(text.includes('# TYPE http_requests_total counter'), 'TYPE lines');
    assert.ok(text.includes('# TYPE http_request_duration_seconds histogram'));
});

test('X-Request-Id: echoed when plain, generated when absent or hostile', async () => {
    const echoed = await request(server, 'GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
    const onError = await api(server, 'GET', '/users/@me', { headers: { 'x-request-id': 'err.req_9' } });
    assert.equal(onError.status, 401);
    assert.equal(onError.headers.get('x-request-id'), 'err.req_9');

    const generated = [];
    for (const sent of [undefined, '<script>', 'a b', 'x'.repeat(129), '']) {
        const headers = sent === undefined ? {} : { 'x-request-id': sent };
        const res = await request(server, 'GET', '/health', { headers });
        const id = res.headers.get('x-request-id');
        assert.match(id ?? '', PLAIN_ID, `generated id for ${JSON.stringify(sent)}: ${id}`);
        assert.notEqual(id, sent);
        generated.push(id);
    }
    assert.equal(new Set(generated).size, generated.length, 'generated ids are unique');
    const longest = 'y'.repeat(128);
    const res = await request(server, 'GET', '/health', { headers: { 'x-request-id': longest } });
    assert.equal(res.headers.get('x-request-id'), longest, '128 characters is still plain');
});

test('security headers on every response; no HSTS over plain HTTP', async () => {
    const responses = [
        await request(server, 'GET', '/health'),
        await request(server, 'GET', '/metrics'),
        await api(server, 'GET', '/instance'),
        await api(server, 'GET', '/users/@me', { token: user.access_token }),
        await api(server, 'GET', '/nowhere'),
        await api(server, 'DELETE', '/instance'),
    ];
    for (const res of responses) {
        const h = (n) => res.headers.get(n);
        const what = `${res.status} ${res.text.slice(0, 80)}`;
        assert.equal(h('x-content-type-options'), 'nosniff', what);
        assert.equal(h('referrer-policy'), 'no-referrer', what);
        assert.equal(h('x-frame-options'), 'DENY', what);
        assert.match(h('content-security-policy') ?? '', /default-src/, what);
        assert.match(h('content-security-policy') ?? '', /frame-ancestors 'none'/, what);
        assert.ok(h('cross-origin-opener-policy'), `Cross-Origin-Opener-Policy: ${what}`);
        assert.ok(h('permissions-policy'), `Permissions-Policy: ${what}`);
        assert.equal(h('strict-transport-security'), null, what);
        assert.ok(h('x-request-id'), what);
    }
    const api404 = responses[4];
    assert.match(api404.headers.get('content-type') ?? '', /^application\/json/);
});

test('CORS: allowed origin preflight 204, other origins 403, simple requests tagged', async () => {
    const origin = 'http://app.example';
    const cors = await startServer({ env: { DRIFTWAY_SERVER_CORS_ORIGINS: `${origin},http://other.example` } });
    const preflight = (from, method = 'PATCH') => request(cors, 'OPTIONS', '/api/v1/users/@me', {
        headers: {
            origin: from,
            'access-control-request-method': method,
            'access-control-request-headers': 'authorization, content-type',
        },
    });

    const ok = await preflight(origin);
    assert.equal(ok.status, 204, ok.text);
    assert.equal(ok.headers.get('access-control-allow-origin'), origin);
    const methods = (ok.headers.get('access-control-allow-methods') ?? '').toUpperCase();
    assert.ok(methods.includes('PATCH'), `Access-Control-Allow-Methods: ${methods}`);
    const allowHeaders = (ok.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    assert.ok(allowHeaders.includes('authorization'), `Access-Control-Allow-Headers: ${allowHeaders}`);
    assert.ok(allowHeaders.includes('content-type'), `Access-Control-Allow-Headers: ${allowHeaders}`);
    assert.equal(ok.headers.get('access-control-allow-origin') === '*', false, 'never a wildcard');

    const second = await preflight('http://other.example', 'GET');
    assert.equal(second.status, 204);
    assert.equal(second.headers.get('access-control-allow-origin'), 'http://other.example');

    for (const evil of ['http://evil.example', 'http://app.example.evil.test', 'https://app.example', 'null']) {
        const denied = await preflight(evil);
        expectStatus(denied, 403, 'cors_origin_denied', evil);
        assert.equal(denied.headers.get('access-control-allow-origin'), null, evil);
    }

    const simple = await api(cors, 'GET', '/instance', { headers: { origin } });
    assert.equal(simple.status, 200);
    assert.equal(simple.headers.get('access-control-allow-origin'), origin);
    const foreign = await api(cors, 'GET', '/instance', { headers: { origin: 'http://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);

    // The server without an allow-list allows no cross-origin preflight.
    expectStatus(await request(server, 'OPTIONS', '/api/v1/users/@me', {
        headers: { origin, 'access-control-request-method': 'GET' },
    }), 403, 'cors_origin_denied');
    assert.equal(await cors.stop(), 0);
});

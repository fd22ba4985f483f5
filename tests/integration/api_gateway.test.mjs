// `driftway gateway` (the REST proxy of the cluster shape) in front of real
// `driftway serve` upstreams and of a scripted upstream that counts what it
// receives: proxying with request ids, failover and the circuit breaker when
// an upstream dies and comes back, retries for idempotent methods only, the
// gateway's rate limit, and stale cached reads when every upstream is down.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import readline from 'node:readline';
import {
    bin, childEnv, makeTempDir, request, startServer, waitFor, START_TIMEOUT_MS,
} from './lib/server.mjs';

const gateways = new Set();

// Starts `driftway gateway` and resolves once it logs "listening".
async function startGateway(env) {
    const dataDir = await makeTempDir('driftway-apigw-');
    const child = spawn(bin, ['gateway', '--listen', '127.0.0.1:0', '--data', dataDir], {
        env: childEnv({ DRIFTWAY_LOG_LEVEL: 'info', ...env }),
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    const lines = [];
    const exited = new Promise((resolve) => child.once('close', resolve));
    const gw = { child, lines, exited };
    gateways.add(gw);
    const listening = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${lines.join('\n')}`)),
            START_TIMEOUT_MS);
        child.once('close', (code) => {
            clearTimeout(timer);
            reject(new Error(`gateway exited with ${code}:\n${lines.join('\n')}`));
        });
        readline.createInterface({ input: child.stderr }).on('line', (line) => {
            lines.push(line);
            try {
                const entry = JSON.parse(line);
                if (entry.msg === 'listening') {
                    clearTimeout(timer);
                    resolve(entry);
                }
            } catch { /* not JSON */ }
        });
    });
    gw.url = `http://127.0.0.1:${listening.port}`;
    gw.stop = async () => {
        gateways.delete(gw);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
    };
    return gw;
}

after(async () => {
    for (const gw of [...gateways]) await gw.stop();
});

// A scripted upstream: /health answers 200; everything else is counted per
// method and answered with `status`.
async function startScriptedUpstream(status) {
    const counts = {};
    const server = http.createServer((req, res) => {
        if (req.url === '/health') {
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
            return;
        }
        req.resume();
        req.on('end', () => {
            counts[req.method] = (counts[req.method] ?? 0) + 1;
            res.writeHead(status, { 'content-type': 'application/json' })
                .end(JSON.stringify({ code: 'bad_gateway', message: 'scripted' }));
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => new Promise((resolve) => server.close(resolve)));
    server.closeIdleConnections?.();
    return { counts, address: `127.0.0.1:${server.address().port}` };
}

async function metricValue(gw, name, upstream) {
    const res = await request(gw, 'GET', '/metrics');
    const line = res.text.split('\n').find((l) => l.startsWith(`${name}{upstream="${upstream}"}`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
}

const fastChecks = {
    DRIFTWAY_PROXY_HEALTH_INTERVAL_MS: '100',
    DRIFTWAY_PROXY_HEALTH_TIMEOUT_MS: '500',
    DRIFTWAY_PROXY_REQUEST_TIMEOUT_MS: '3000',
    DRIFTWAY_PROXY_BREAKER_FAILURES: '2',
    DRIFTWAY_PROXY_BREAKER_OPEN_MS: '300',
    DRIFTWAY_PROXY_BACKOFF_BASE_MS: '5',
    DRIFTWAY_PROXY_BACKOFF_MAX_MS: '20',
};

test('proxies, fails over, opens and closes the breaker, serves stale reads', async (t) => {
    const upstreamEnv = (name) => ({ DRIFTWAY_INSTANCE_NAME: name, DRIFTWAY_LOG_ACCESS_LOG: 'true' });
    const alpha = await startServer({ env: upstreamEnv('alpha') });
    const beta = await startServer({ env: upstreamEnv('beta') });
    const alphaAddress = `127.0.0.1:${alpha.port}`;
    const gw = await startGateway({
        ...fastChecks,
        DRIFTWAY_PROXY_TEXT_UPSTREAMS: `${alphaAddress},127.0.0.1:${beta.port}`,
    });

    await t.test('requests reach both upstreams with the request id', async () => {
        const names = new Set();
        for (let i = 0; i < 4; i++) {
            const id = `apigw-it-${i}-${Date.now()}`;
            const res = await request(gw, 'GET', '/api/v1/instance', { headers: { 'x-request-id': id } });
            assert.equal(res.status, 200, res.text);
            assert.equal(res.headers.get('x-request-id'), id);
            names.add(res.json.name);
            const upstream = res.json.name === 'alpha' ? alpha : beta;
            const logged = await upstream.waitForLog((l) => l.msg === 'request' && l.request_id === id,
                { timeout: 5000 });
            assert.equal(logged.path, '/api/v1/instance');
        }
        assert.deepEqual([...names].sort(), ['alpha', 'beta']);
        // A malformed id is replaced, not forwarded.
        const res = await request(gw, 'GET', '/api/v1/instance', { headers: { 'x-request-id': 'bad id!' } });
        assert.equal(res.status, 200);
        assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
        const health = await request(gw, 'GET', '/health');
        assert.equal(health.status, 200);
        assert.equal(health.json.checks.upstreams.status, 'ok');
    });

    await t.test('a killed upstream opens its breaker while requests keep succeeding', async () => {
        await alpha.stop({ signal: 'SIGKILL' });
        for (let i = 0; i < 10; i++) {
            const res = await request(gw, 'GET', '/api/v1/instance');
            assert.equal(res.status, 200, res.text);
            assert.equal(res.json.name, 'beta');
        }
        await waitFor(async () => (await metricValue(gw, 'proxy_breaker_state', alphaAddress)) === 1,
            { timeout: 5000, what: 'the breaker of the dead upstream to open' });
        await waitFor(async () => (await metricValue(gw, 'proxy_upstream_healthy', alphaAddress)) === 0,
            { timeout: 5000, what: 'the dead upstream to be marked unhealthy' });
    });

    await t.test('the breaker closes once the upstream is back on its port', async () => {
        const revived = await startServer({
            listen: alphaAddress, dataDir: alpha.dataDir, env: upstreamEnv('alpha'),
        });
        await waitFor(async () => (await metricValue(gw, 'proxy_breaker_state', alphaAddress)) === 0,
            { timeout: 10000, what: 'the breaker to close' });
        await waitFor(async () => (await request(gw, 'GET', '/api/v1/instance')).json?.name === 'alpha',
            { timeout: 5000, what: 'traffic to reach the revived upstream' });
        const metrics = (await request(gw, 'GET', '/metrics')).text;
        assert.match(metrics, new RegExp(`proxy_requests_total\\{[^}]*upstream="${alphaAddress}"`));
        assert.match(metrics, /proxy_request_duration_seconds_count\{upstream=/);
        t.revived = revived;
    });

    await t.test('stale cached reads while every upstream is down; writes get 503', async () => {
        const fresh = await request(gw, 'GET', '/api/v1/instance');
        assert.equal(fresh.status, 200);
        assert.equal(fresh.headers.get('x-driftway-cache'), null);
        await t.revived.stop({ signal: 'SIGKILL' });
        await beta.stop({ signal: 'SIGKILL' });
        // Whichever upstream answered last, its copy is served now.
        const stale = await waitFor(async () => {
            const res = await request(gw, 'GET', '/api/v1/instance');
            return res.headers.get('x-driftway-cache') === 'stale' ? res : null;
        }, { timeout: 5000, what: 'a stale copy' });
        assert.equal(stale.status, 200);
        assert.ok(['alpha', 'beta'].includes(stale.json.name));
        const write = await request(gw, 'POST', '/api/v1/auth/register',
            { body: { username: 'nobody', email: 'n@example.test', password: 'long enough password' } });
        assert.equal(write.status, 503, write.text);
        assert.equal(write.json.code, 'upstream_unavailable');
        const uncached = await request(gw, 'GET', '/api/v1/auth/jwks');
        assert.equal(uncached.status, 503);
        assert.equal(uncached.json.code, 'upstream_unavailable');
        await waitFor(async () => (await request(gw, 'GET', '/health')).status === 503,
            { timeout: 5000, what: 'the gateway health to report no upstream' });
    });
});

test('idempotent requests are retried on 502, POST never', async () => {
    const first = await startScriptedUpstream(502);
    const second = await startScriptedUpstream(502);
    const gw = await startGateway({
        ...fastChecks,
        DRIFTWAY_PROXY_BREAKER_FAILURES: '1000',
        DRIFTWAY_PROXY_RETRIES: '2',
        DRIFTWAY_PROXY_TEXT_UPSTREAMS: `${first.address},${second.address}`,
    });
    const get = await request(gw, 'GET', '/api/v1/instance');
    assert.equal(get.status, 502);
    assert.equal((first.counts.GET ?? 0) + (second.counts.GET ?? 0), 3);  // 1 + 2 retries
    assert.ok(first.counts.GET >= 1 && second.counts.GET >= 1, 'retries go to the other upstream');
    const retries = (await metricValue(gw, 'proxy_retries_total', first.address)) +
        (await metricValue(gw, 'proxy_retries_total', second.address));
    assert.equal(retries, 2);

    const post = await request(gw, 'POST', '/api/v1/channels/1/messages', { body: { content: 'x' } });
    assert.equal(post.status, 502);
    assert.equal((first.counts.POST ?? 0) + (second.counts.POST ?? 0), 1);
    const put = await request(gw, 'PUT', '/api/v1/channels/1/pins/2');
    assert.equal(put.status, 502);
    assert.equal((first.counts.PUT ?? 0) + (second.counts.PUT ?? 0), 3);
});

test('the gateway rate-limits callers before any upstream sees them', async () => {
    const upstream = await startScriptedUpstream(502);
    const gw = await startGateway({
        ...fastChecks,
        DRIFTWAY_PROXY_BREAKER_FAILURES: '1000',  // the scripted 502s must not open it
        DRIFTWAY_PROXY_RETRIES: '0',
        DRIFTWAY_RATE_LIMITS_IP_BURST: '3',
        DRIFTWAY_RATE_LIMITS_IP_PER_SECOND: '0.01',
        DRIFTWAY_PROXY_TEXT_UPSTREAMS: upstream.address,
    });
    for (let i = 0; i < 3; i++) {
        const res = await request(gw, 'GET', '/api/v1/instance');
        assert.equal(res.status, 502, res.text);
        assert.equal(res.headers.get('x-ratelimit-bucket'), 'ip');
        assert.equal(res.headers.get('x-ratelimit-remaining'), String(2 - i));
    }
    const limited = await request(gw, 'GET', '/api/v1/instance');
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.json.code, 'rate_limited');
    assert.equal(limited.json.scope, 'ip');
    assert.ok(limited.json.retry_after > 0);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(limited.headers.get('x-ratelimit-limit'), '3');
    assert.equal(upstream.counts.GET, 3);
});

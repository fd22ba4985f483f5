// Graceful shutdown and durability: SIGTERM with an idle keep-alive
// connection exits 0 promptly, and what was written before is there after a
// restart on the same data directory (accounts, profile, signing key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { api, expectStatus, login, registerUser, startServer } from './lib/server.mjs';

function keepAliveGet(agent, port, urlPath) {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent, timeout: 5000 }, (res) => {
            // Captured now: once the body is read the agent takes the socket back.
            const { socket } = res;
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c) => { body += c; });
            res.on('end', () => resolve({ status: res.statusCode, body, socket }));
        });
        req.on('timeout', () => req.destroy(new Error('request timed out')));
        req.on('error', reject);
        req.end();
    });
}

function connectRefused(port) {
    return new Promise((resolve) => {
        const sock = net.connect({ host: '127.0.0.1', port });
        sock.once('connect', () => { sock.destroy(); resolve(false); });
        sock.once('error', (err) => resolve(err.code === 'ECONNREFUSED'));
    });
}

test('SIGTERM with an idle keep-alive connection exits 0 in under 5 s and closes it', async () => {
    const server = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
        const res = await keepAliveGet(agent, server.port, '/health');
        assert.equal(res.status, 200);
        const again = await keepAliveGet(agent, server.port, '/api/v1/instance');
        assert.equal(again.status, 200);
        assert.equal(again.socket, res.socket, 'the connection was kept alive');
        const socket = res.socket;
        const closed = new Promise((resolve) => socket.once('close', resolve));
        assert.equal(socket.destroyed, false, 'the keep-alive connection is open before SIGTERM');

        const started = Date.now();
        assert.equal(await server.stop({ timeout: 5000 }), 0);
        const took = Date.now() - started;
        assert.ok(took < 5000, `shutdown took ${took} ms`);
        await closed;
        assert.equal(await connectRefused(server.port), true, 'the port no longer accepts connections');
    } finally {
        agent.destroy();
    }
});

test('data written before SIGTERM is there after a restart', async () => {
    const first = await startServer();
    const u = await registerUser(first);
    expectStatus(await api(first, 'PATCH', '/users/@me', { token: u.access_token,
        body: { display_name: 'Persisted', preferences: { theme: 'dark' }, status: 'idle' } }), 200);
    const key = expectStatus(await api(first, 'POST', '/api-keys',
        { token: u.access_token, body: { name: 'survivor', scopes: ['read'] } }), 201).json;
    const jwks = expectStatus(await api(first, 'GET', '/auth/jwks'), 200).json;
    const before = expectStatus(await api(first, 'GET', '/users/@me', { token: u.access_token }), 200).json;
    assert.equal(await first.stop(), 0);

    const keyFile = path.join(first.dataDir, 'keys', 'jwt_ed25519.key');
    const st = await stat(keyFile);
    assert.equal(st.mode & 0o777, 0o600, `mode of ${keyFile}: ${(st.mode & 0o777).toString(8)}`);

    const second = await startServer({ dataDir: first.dataDir, workDir: first.workDir });
    expectStatus(await login(second, u.username, u.password), 200, undefined, 'login after restart');
    // The signing key persisted: the old access token still verifies.
    const after = expectStatus(await api(second, 'GET', '/users/@me', { token: u.access_token }), 200).json;
    assert.deepEqual(after, before);
    assert.equal(after.display_name, 'Persisted');
    assert.deepEqual(expectStatus(await api(second, 'GET', '/auth/jwks'), 200).json, jwks);
    expectStatus(await api(second, 'GET', '/users/@me', { apiKey: key.key }), 200);
    expectStatus(await api(second, 'POST', '/auth/refresh', { body: { refresh_token: u.refresh_token } }), 200);
    assert.equal(await second.stop(), 0);
});

// TLS: HTTPS with HSTS, certificate reload on SIGHUP (new connections get the
// new certificate; a broken file keeps the old one), and the plain-HTTP
// listener that redirects to https with 308.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { makeTempDir, startServer, waitFor } from './lib/server.mjs';

let dir;
let server;
let redirectPort;
let firstSerial;

// A self-signed P-256 certificate with a chosen serial; returns the serial in
// the form node reports it (upper-case hex).
function makeCert(certFile, keyFile) {
    const serial = randomInt(0x100000, 0x7fffffff);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-set_serial', String(serial), '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
    return serial.toString(16).toUpperCase();
}

// One request on a fresh TLS connection: {status, headers, body, serial}.
function httpsGet(port, urlPath) {
    return new Promise((resolve, reject) => {
        const req = https.request({
            host: '127.0.0.1', port, path: urlPath, method: 'GET', rejectUnauthorized: false, agent: false,
            servername: 'localhost', timeout: 5000,
        }, (res) => {
            const cert = res.socket.getPeerCertificate();
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c) => { body += c; });
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body,
                serial: cert.serialNumber?.replace(/^0+/, '').toUpperCase() }));
        });
        req.on('timeout', () => req.destroy(new Error('https request timed out')));
        req.on('error', reject);
        req.end();
    });
}

function httpGet(port, urlPath, headers = {}) {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'GET', headers, agent: false,
            timeout: 5000 }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
        });
        req.on('timeout', () => req.destroy(new Error('http request timed out')));
        req.on('error', reject);
        req.end();
    });
}

before(async () => {
    dir = await makeTempDir();
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    firstSerial = makeCert(certFile, keyFile);
    server = await startServer({
        workDir: dir,
        tls: true,
        env: {
            DRIFTWAY_TLS_ENABLED: 'true',
            DRIFTWAY_TLS_CERT_FILE: certFile,
            DRIFTWAY_TLS_KEY_FILE: keyFile,
            DRIFTWAY_TLS_REDIRECT_LISTEN: '127.0.0.1:0',
        },
    });
    // The bound redirect port: on the listening line, or on a line of its own.
    const fromListening = server.listening.redirect_port;
    if (Number.isInteger(fromListening) && fromListening > 0) {
        redirectPort = fromListening;
    } else {
        const line = await server.waitForLog((l) => typeof l.msg === 'string' && /redirect/i.test(l.msg)
            && Number.isInteger(l.port) && l.port > 0, { timeout: 2000 });
        redirectPort = line.port;
    }
});

test('the listening line says https and where the redirect listener is', (t) => {
    t.diagnostic(`listening line: ${JSON.stringify(server.listening)}`);
    const redirectLine = server.logs.find((l) => typeof l.msg === 'string' && /redirect/i.test(l.msg));
    if (redirectLine) t.diagnostic(`redirect line: ${JSON.stringify(redirectLine)}`);
    assert.equal(server.listening.url, `https://127.0.0.1:${server.port}`);
    assert.ok(redirectPort > 0 && redirectPort !== server.port);
});

test('HTTPS serves the API with Strict-Transport-Security', async () => {
    const res = await httpsGet(server.port, '/health');
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).status, 'ok');
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age=31536000/);
    assert.equal(res.serial, firstSerial);
    const inst = await httpsGet(server.port, '/api/v1/instance');
    assert.equal(inst.status, 200, inst.body);
    assert.match(inst.headers['strict-transport-security'] ?? '', /max-age=\d+/);
    assert.equal(inst.headers['x-content-type-options'], 'nosniff');
});

test('SIGHUP reloads the certificate for new connections; a broken file keeps the old one', async () => {
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    // Write the new pair beside the old and rename over it, so the server
    // never sees a half-written file.
    const newSerial = makeCert(path.join(dir, 'cert.new.pem'), path.join(dir, 'key.new.pem'));
    assert.notEqual(newSerial, firstSerial);
    await rename(path.join(dir, 'key.new.pem'), keyFile);
    await rename(path.join(dir, 'cert.new.pem'), certFile);

    const since = server.logs.length;
    server.process.kill('SIGHUP');
    await server.waitForLog((l) => l.msg === 'tls reloaded', { since, timeout: 5000 });
    await waitFor(async () => (await httpsGet(server.port, '/health')).serial === newSerial,
        { timeout: 5000, interval: 100, what: 'a new connection to present the new certificate' });

    // A broken certificate: the reload fails, says so, and the server keeps serving the last good one.
    await writeFile(path.join(dir, 'cert.bad.pem'), '-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n');
    await rename(path.join(dir, 'cert.bad.pem'), certFile);
    const since2 = server.logs.length;
    server.process.kill('SIGHUP');
    const complaint = await server.waitForLog((l) => ['warn', 'error'].includes(l.level), { since: since2, timeout: 5000 });
    assert.ok(!server.logs.slice(since2).some((l) => l.msg === 'tls reloaded'),
        `a broken certificate was reported as reloaded: ${JSON.stringify(complaint)}`);
    const still = await httpsGet(server.port, '/health');
    assert.equal(still.status, 200);
    assert.equal(still.serial, newSerial);
    assert.equal(server.exitInfo, null, 'the server is still running');
});

test('plain HTTP on the redirect listener gets 308 to the https URL', async () => {
    const res = await httpGet(redirectPort, '/api/v1/instance?x=1&y=%20');
    assert.equal(res.status, 308);
    const location = new URL(res.headers.location);
    assert.equal(location.protocol, 'https:');
    assert.equal(location.hostname, '127.0.0.1');
    assert.equal(Number(location.port), server.port, `Location ${res.headers.location}`);
    assert.equal(`${location.pathname}${location.search}`, '/api/v1/instance?x=1&y=%20');
});

test('SIGTERM exits 0 with TLS on', async () => {
    assert.equal(await server.stop(), 0);
});

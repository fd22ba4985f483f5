// coturn for the relay scenario: started on a free loopback UDP port with
// the TURN REST API scheme (--use-auth-secret) and the secret Driftway is
// given, ready once it answers a STUN Binding request. Stopped by PID.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const TURNSERVER = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';

function freeUdpPort() {
    return new Promise((resolve, reject) => {
        const s = dgram.createSocket('udp4');
        s.once('error', reject);
        s.bind(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

// One STUN Binding request (RFC 5389 §6); resolves true on any response.
function stunPing(port, timeoutMs) {
    return new Promise((resolve) => {
        const s = dgram.createSocket('udp4');
        const req = Buffer.alloc(20);
        req.writeUInt16BE(0x0001, 0);
        req.writeUInt32BE(0x2112a442, 4);
        randomBytes(12).copy(req, 8);
        const timer = setTimeout(() => finish(false), timeoutMs);
        function finish(ok) {
            clearTimeout(timer);
            s.close();
            resolve(ok);
        }
        s.on('message', (m) => finish(m.length >= 20 && m.readUInt16BE(0) === 0x0101));
        s.on('error', () => finish(false));
        s.send(req, port, '127.0.0.1');
    });
}

export async function startCoturn({ secret, realm = 'driftway.test', timeout = 10_000 } = {}) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'driftway-turn-'));
    const port = await freeUdpPort();
    const child = spawn(TURNSERVER, [
        '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
        '--min-port=49160', '--max-port=49200', '--fingerprint', '--allow-loopback-peers',
        '--no-tls', '--no-dtls', '--no-cli', `--realm=${realm}`,
        '--use-auth-secret', `--static-auth-secret=${secret}`,
        `--pidfile=${path.join(dir, 'turn.pid')}`, `--log-file=${path.join(dir, 'turn.log')}`, '--simple-log',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    let exited = false;
    const done = new Promise((resolve) => child.once('exit', () => ((exited = true), resolve())));
    const stop = async () => {
        if (!exited) {
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 5000);
            await done;
            clearTimeout(t);
        }
        await rm(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + timeout;
    while (!(await stunPing(port, 250))) {
        if (exited || Date.now() > deadline) {
            await stop();
            throw new Error(`coturn did not answer STUN on 127.0.0.1:${port} within ${timeout} ms\n${output}`);
        }
    }
    return { port, pid: child.pid, url: `turn:127.0.0.1:${port}?transport=udp`, stop, output: () => output };
}

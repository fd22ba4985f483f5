// Harness for the integration tier: starts the real driftway binary on a
// loopback port chosen by the kernel, with a fresh data directory, and talks
// to it over HTTP.
//
// Every server and CLI process started through this module is stopped by an
// after() hook registered on the file's root test, so a failing test never
// leaves a process behind. Temporary directories go with them.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const testDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const bin = process.env.DRIFTWAY_BIN
    ? path.resolve(process.env.DRIFTWAY_BIN)
    : path.resolve(testDir, '../../build/release/src/app/driftway');

function requireBinary() {
    if (!existsSync(bin)) {
        throw new Error(`no driftway binary at ${bin}: build it, or point DRIFTWAY_BIN at one`);
    }
}

export const START_TIMEOUT_MS = 10_000;
export const STOP_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 10_000;

// Cheap hashing and a quiet log for every process; generous rate limits so
// that only rate_limit.test.mjs (which sets its own) ever meets them.
export const defaultEnv = Object.freeze({
    DRIFTWAY_AUTH_PASSWORD_COST: 'min',
    DRIFTWAY_LOG_ACCESS_LOG: 'false',
    DRIFTWAY_RATE_LIMITS_IP_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_USER_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_KEY_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_LOGIN_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_REGISTER_BURST: '100000',
});

const running = new Set();   // child processes not yet exited
const servers = new Set();   // server handles not yet stopped
const tempDirs = new Set();

// The binary rejects unknown DRIFTWAY_* variables, and the test runner's own
// (DRIFTWAY_BIN) is one of them: children only see what a test asks for.
// A value of null removes a default.
export function childEnv(extra = {}, { defaults = true } = {}) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('DRIFTWAY_')) env[k] = v;
    }
    const merged = { ...(defaults ? defaultEnv : {}), ...extra };
    for (const [k, v] of Object.entries(merged)) {
        if (v === null || v === undefined) delete env[k];
        else env[k] = String(v);
    }
    return env;
}

export async function makeTempDir(prefix = 'driftway-it-') {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

function track(child) {
    running.add(child);
    child.once('exit', () => running.delete(child));
}

function describeOutput(stderrLines, stdout = '') {
    const err = stderrLines.join('\n');
    return `--- stderr ---\n${err || '(empty)'}${stdout ? `\n--- stdout ---\n${stdout}` : ''}`;
}

// Starts `driftway serve`. Options:
//   env      extra environment (merged over defaultEnv; null removes a key)
//   config   TOML text written to <workDir>/driftway.toml and passed with --config
//   dataDir  reuse a data directory (a restart); default: a fresh one
//   listen   --listen value (default 127.0.0.1:0); null: no --listen flag
//   args     extra arguments after the standard ones
//   tls      true when the listener speaks TLS (only changes the url scheme)
export async function startServer(opts = {}) {
    requireBinary();
    const workDir = opts.workDir ?? (await makeTempDir());
    const dataDir = opts.dataDir ?? path.join(workDir, 'data');
    await mkdir(dataDir, { recursive: true });

    const args = [opts.command ?? 'serve'];  // or 'text', 'voice' (cluster_wiring.test.mjs)
    if (opts.config !== undefined) {
        const file = path.join(workDir, 'driftway.toml');
        await writeFile(file, opts.config);
        args.push('--config', file);
    }
    const listen = opts.listen === undefined ? '127.0.0.1:0' : opts.listen;
    if (listen !== null) args.push('--listen', listen);
    args.push('--data', dataDir, ...(opts.args ?? []));

    const child = spawn(bin, args, {
        env: childEnv(opts.env),
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);

    const logs = [];
    const stderrLines = [];
    let stdout = '';
    const waiters = new Set();
    let exitInfo = null;

    const exited = new Promise((resolve) => {
        child.once('close', (code, signal) => {
            exitInfo = { code, signal };
            for (const w of waiters) w.onExit();
            resolve(exitInfo);
        });
    });
    child.once('error', (err) => {
        stderrLines.push(`spawn error: ${err.message}`);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
        stderrLines.push(line);
        let entry;
        try {
            entry = JSON.parse(line);
        } catch {
            entry = { raw: line };
        }
        if (entry === null || typeof entry !== 'object') entry = { raw: line };
        logs.push(entry);
        for (const w of waiters) w.onLog(entry);
    });

    // Resolves with the first log entry (from index `since` on) matching pred.
    function waitForLog(pred, { timeout = START_TIMEOUT_MS, since = 0 } = {}) {
        const earlier = logs.slice(since).find(pred);
        if (earlier) return Promise.resolve(earlier);
        return new Promise((resolve, reject) => {
            const w = {
                onLog(entry) {
                    if (pred(entry)) finish(() => resolve(entry));
                },
                onExit() {
                    finish(() => reject(new Error(
                        `driftway exited (code ${exitInfo.code}, signal ${exitInfo.signal}) ` +
                        `before the expected log line\n${describeOutput(stderrLines, stdout)}`)));
                },
            };
            const timer = setTimeout(() => finish(() => reject(new Error(
                `no matching log line within ${timeout} ms\n${describeOutput(stderrLines, stdout)}`))), timeout);
            function finish(f) {
                clearTimeout(timer);
                waiters.delete(w);
                f();
            }
            if (exitInfo) return w.onExit();
            waiters.add(w);
        });
    }

    async function stop({ signal = 'SIGTERM', timeout = STOP_TIMEOUT_MS } = {}) {
        servers.delete(server);
        if (!exitInfo) {
            child.kill(signal);
            let timer;
            const outcome = await Promise.race([exited, new Promise((resolve) => {
                timer = setTimeout(resolve, timeout, null);
            })]);
            clearTimeout(timer);
            if (outcome === null) {
                child.kill('SIGKILL');
                await exited;
                throw new Error(`driftway did not exit within ${timeout} ms of ${signal}\n` +
                    describeOutput(stderrLines, stdout));
            }
        }
        return exitInfo.code;
    }

    const server = {
        process: child,
        pid: child.pid,
        workDir,
        dataDir,
        logs,
        stderrLines,
        get stdout() { return stdout; },
        get exitInfo() { return exitInfo; },
        exited,
        waitForLog,
        stop,
        stderrText: () => stderrLines.join('\n'),
        url: undefined,
        port: undefined,
        listening: undefined,
    };
    servers.add(server);

    let listening;
    try {
        listening = await waitForLog((l) => l.msg === 'listening', { timeout: START_TIMEOUT_MS });
    } catch (err) {
        if (!exitInfo) {
            child.kill('SIGKILL');
            await exited;
        }
        servers.delete(server);
        throw err;
    }
    assert.ok(Number.isInteger(listening.port) && listening.port > 0,
        `the listening log line has no port: ${JSON.stringify(listening)}`);
    server.listening = listening;
    server.port = listening.port;
    server.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${listening.port}`;
    return server;
}

// Stops every server still running (SIGTERM, then SIGKILL after the
// deadline), kills stray CLI processes and removes temporary directories.
// Throws when a server had to be killed: that is a shutdown bug.
export async function stopAll() {
    const failures = [];
    for (const s of [...servers]) {
        try {
            await s.stop();
        } catch (err) {
            failures.push(err);
        }
    }
    for (const child of [...running]) child.kill('SIGKILL');
    for (const dir of [...tempDirs]) {
        tempDirs.delete(dir);
        await rm(dir, { recursive: true, force: true });
    }
    if (failures.length) throw failures[0];
}

after(stopAll);
process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
});

// Runs the binary with args and resolves with {code, signal, stdout, stderr}.
// stdin: text written to the process's stdin (then closed).
export function runCli(args, { stdin, env, timeout = START_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
        requireBinary();
        const child = spawn(bin, args, { env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
        track(child);
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stdout.on('data', (c) => { stdout += c; });
        child.stderr.on('data', (c) => { stderr += c; });
        child.once('error', reject);
        child.stdin.on('error', () => {});  // the process may exit without reading
        child.stdin.end(stdin ?? '');
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeout);
        child.once('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout, stderr, timedOut });
        });
    });
}

// ---------------------------------------------------------------- HTTP

// One HTTP request. body: a value sent as JSON; rawBody: a string or Buffer
// sent as is (Content-Type application/json unless headers say otherwise; a
// header given as null is left out). Resolves with {status, headers, json, text}.
export async function request(server, method, urlPath, opts = {}) {
    const { token, apiKey, body, rawBody, headers = {} } = opts;
    const h = {};
    if (token !== undefined) h.authorization = `Bearer ${token}`;
    if (apiKey !== undefined) h['x-api-key'] = apiKey;
    let payload;
    if (rawBody !== undefined) {
        payload = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
        h['content-type'] = 'application/json';
    } else if (body !== undefined) {
        payload = Buffer.from(JSON.stringify(body), 'utf8');
        h['content-type'] = 'application/json';
    }
    for (const [k, v] of Object.entries(headers)) {
        if (v === null) delete h[k.toLowerCase()];
        else h[k.toLowerCase()] = v;
    }
    const res = await fetch(server.url + urlPath, {
        method,
        headers: h,
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let json;
    if (text.length > 0) {
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined;
        }
    }
    return { status: res.status, headers: res.headers, json, text };
}

// A request under /api/v1.
export function api(server, method, apiPath, opts = {}) {
    return request(server, method, `/api/v1${apiPath}`, opts);
}

// Asserts the status and, when given, the error code; returns the response.
export function expectStatus(res, status, code, what = '') {
    const where = `${what ? `${what}: ` : ''}got ${res.status} ${res.text.slice(0, 500)}`;
    assert.equal(res.status, status, where);
    if (code !== undefined) assert.equal(res.json?.code, code, where);
    return res;
}

let nameCounter = 0;
// A username no other test uses: 2..32 chars of [A-Za-z0-9_.-].
export function uniqueName(prefix = 'user') {
    nameCounter += 1;
    const tail = `${process.pid.toString(36)}${nameCounter.toString(36)}${randomBytes(2).toString('hex')}`;
    return `${prefix.slice(0, 12)}_${tail}`.slice(0, 32);
}

export const DEFAULT_PASSWORD = 'correct horse battery staple';

// Registers a user; resolves with the 201 body plus the credentials used:
// {user, access_token, refresh_token, expires_in, username, email, password, id}.
export async function registerUser(server, name, { password = DEFAULT_PASSWORD, email, invite } = {}) {
    const username = name ?? uniqueName();
    const mail = email ?? `${username.toLowerCase()}@example.test`;
    const body = { username, email: mail, password };
    if (invite !== undefined) body.invite = invite;
    const res = await api(server, 'POST', '/auth/register', { body });
    expectStatus(res, 201, undefined, `register ${username}`);
    return { ...res.json, username, email: mail, password, id: res.json.user.id };
}

export async function login(server, loginName, password = DEFAULT_PASSWORD) {
    return api(server, 'POST', '/auth/login', { body: { login: loginName, password } });
}

// Polls fn until it returns a truthy value; rejects after timeout ms.
export async function waitFor(fn, { timeout = 5000, interval = 50, what = 'condition' } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
        last = await fn();
        if (last) return last;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
        await delay(interval);
    }
}

// ---------------------------------------------------------------- JWT

export function decodeJwt(token) {
    const parts = token.split('.');
    assert.equal(parts.length, 3, `a JWS has three parts: ${token}`);
    return {
        parts,
        header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
        payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
        signature: Buffer.from(parts[2], 'base64url'),
    };
}

export function b64url(value) {
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    return buf.toString('base64url');
}

// ---------------------------------------------------------------- sqlite3 CLI

export const sqliteAvailable = spawnSync('sqlite3', ['-version'], { stdio: 'ignore' }).status === 0;

// Rows in a table of <dataDir>/driftway.db, read with the sqlite3 CLI while
// the server runs (WAL lets a reader in). null when the CLI is not installed.
export function countRows(dataDir, table) {
    if (!sqliteAvailable) return null;
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 3000', path.join(dataDir, 'driftway.db'),
        `select count(*) from ${table};`], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
    return Number.parseInt(r.stdout.trim(), 10);
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const ID = /^[1-9]\d*$/;

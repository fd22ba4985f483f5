// Processes of the cluster test: every child is tracked by PID and stopped
// (SIGTERM, then SIGKILL after a deadline) by stopAll(), which the test file
// runs in after(). Logs are kept in memory and waited on with deadlines.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

export const START_TIMEOUT_MS = 20_000;
export const STOP_TIMEOUT_MS = 10_000;

const running = new Set();
const tempDirs = new Set();
const cleanups = [];

export async function makeTempDir(prefix = 'driftway-cluster-') {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

// Work to do in stopAll() after the processes are gone (e.g. removing the
// PostgreSQL cluster); run in reverse order of registration.
export function onCleanup(fn) {
    cleanups.push(fn);
}

// A port nobody listens on right now. Nodes get their ports before they
// start because nginx and the gateways must know them, and a node restarted
// after SIGKILL must come back on the same address.
export function freePort(host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, host, () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

// Starts a process; its stdout and stderr lines are recorded (JSON lines are
// parsed). Returns a handle with waitForLog, stop and kill.
export function startProcess(name, command, args, { env = process.env, cwd } = {}) {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const lines = [];
    const entries = [];
    const waiters = new Set();
    let exitInfo = null;
    const exited = new Promise((resolve) => {
        child.once('close', (code, signal) => {
            exitInfo = { code, signal };
            running.delete(child);
            for (const w of [...waiters]) w();
            resolve(exitInfo);
        });
    });
    child.once('error', (err) => lines.push(`spawn error: ${err.message}`));
    for (const stream of [child.stdout, child.stderr]) {
        readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
            lines.push(line);
            let entry;
            try {
                entry = JSON.parse(line);
            } catch {
                entry = { raw: line };
            }
            if (entry === null || typeof entry !== 'object') entry = { raw: line };
            entries.push(entry);
            for (const w of [...waiters]) w();
        });
    }
    const tail = () => lines.slice(-30).join('\n');

    // Resolves with the first entry matching pred; rejects on exit or timeout.
    function waitForLog(pred, { timeout = START_TIMEOUT_MS, what = 'log line' } = {}) {
        return new Promise((resolve, reject) => {
            let timer;
            const check = () => {
                const e = entries.find(pred);
                if (e) return finish(() => resolve(e));
                if (exitInfo) {
                    return finish(() => reject(new Error(`${name} exited (${JSON.stringify(exitInfo)}) before ${what}\n${tail()}`)));
                }
                return undefined;
            };
            const finish = (f) => {
                clearTimeout(timer);
                waiters.delete(check);
                f();
            };
            timer = setTimeout(() => finish(() => reject(new Error(`${name}: no ${what} within ${timeout} ms\n${tail()}`))), timeout);
            waiters.add(check);
            check();
        });
    }

    async function stop({ signal = 'SIGTERM', timeout = STOP_TIMEOUT_MS } = {}) {
        if (exitInfo) return exitInfo;
        child.kill(signal);
        let timer;
        const outcome = await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, timeout, null); })]);
        clearTimeout(timer);
        if (outcome === null) {
            child.kill('SIGKILL');
            await exited;
        }
        return exitInfo;
    }

    return {
        name,
        pid: child.pid,
        child,
        lines,
        entries,
        exited,
        get exitInfo() { return exitInfo; },
        waitForLog,
        stop,
        kill: () => stop({ signal: 'SIGKILL' }),
        tail,
    };
}

// Waits until something accepts TCP connections on host:port.
export async function waitForPort(port, { host = '127.0.0.1', timeout = START_TIMEOUT_MS, proc } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const ok = await new Promise((resolve) => {
            const s = net.connect(port, host);
            s.once('connect', () => { s.destroy(); resolve(true); });
            s.once('error', () => resolve(false));
        });
        if (ok) return;
        if (proc?.exitInfo) throw new Error(`${proc.name} exited (${JSON.stringify(proc.exitInfo)})\n${proc.tail()}`);
        if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeout} ms${proc ? `\n${proc.tail()}` : ''}`);
        await delay(50);
    }
}

// Polls fn until it returns a truthy value; rejects after timeout ms.
export async function waitFor(fn, { timeout = 10_000, interval = 100, what = 'condition' } = {}) {
    const deadline = Date.now() + timeout;
    let lastError;
    for (;;) {
        try {
            const v = await fn();
            if (v) return v;
            lastError = undefined;
        } catch (err) {
            lastError = err;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
        }
        await delay(interval);
    }
}

export async function stopAll() {
    for (const child of [...running]) child.kill('SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (running.size && Date.now() < deadline) await delay(50);
    for (const child of [...running]) child.kill('SIGKILL');
    while (cleanups.length) {
        try {
            await cleanups.pop()();
        } catch {
            // best effort: the rest must still run
        }
    }
    for (const dir of [...tempDirs]) {
        tempDirs.delete(dir);
        await rm(dir, { recursive: true, force: true });
    }
}

process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
});

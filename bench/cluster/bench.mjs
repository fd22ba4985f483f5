// bench/cluster/run's body: starts each shape with tests/cluster's harness,
// drives it with bench/ws's load generator and prints one markdown table.
import { spawn } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { capabilities, startCluster, startNode, startPostgres } from '../../tests/cluster/lib/cluster.mjs';
import { freePort, makeTempDir, stopAll } from '../../tests/cluster/lib/procs.mjs';

const env = process.env;
const num = (name, dflt) => Number(env[name] ?? dflt);
const burst = [num('BENCH_BURST_CLIENTS', 2000), num('BENCH_BURST_MESSAGES', 50)];
const chat = [num('BENCH_CHAT_CLIENTS', 1000), num('BENCH_CHAT_CHANNELS', 10), num('BENCH_CHAT_RATE', 200),
    num('BENCH_CHAT_SECONDS', 10)];
const insertSeconds = num('BENCH_INSERT_SECONDS', 10);
const phaseTimeout = num('BENCH_TIMEOUT', 120);
const loadgen = env.BENCH_LOADGEN;

const log = (msg) => process.stderr.write(`bench-cluster: ${msg}\n`);

// Driftway's limits far above what the load generator sends (as bench/ws).
const unlimited = {};
for (const k of ['IP', 'USER', 'KEY', 'LOGIN', 'REGISTER']) {
    unlimited[`DRIFTWAY_RATE_LIMITS_${k}_PER_SECOND`] = '1000000';
    unlimited[`DRIFTWAY_RATE_LIMITS_${k}_BURST`] = '1000000';
}
unlimited.DRIFTWAY_AUTH_ACCESS_TOKEN_TTL = '3600';


// nginx's per-IP limits would refuse a load generator on four addresses.
const benchLimits = [
    // Keyed by request: even a million per second binds when a hundred
    // concurrent requests land in the same millisecond (burst is counted in
    // requests), so no key is ever shared here.
    'limit_req_zone $request_id zone=driftway_api:10m rate=1000000r/s;',
    'limit_req_zone $request_id zone=driftway_auth:10m rate=1000000r/s;',
    'limit_req_zone $request_id zone=driftway_ws:10m rate=1000000r/s;',
    // Keyed by connection, not address: the locations' `limit_conn … 100`
    // then never binds (one connection per key).
    'limit_conn_zone $connection zone=driftway_conn:10m;',
    '',
].join('\n');

// Runs the load generator; resolves with its key=value results or throws.
function runLoadgen(port, mode, args) {
    return new Promise((resolve, reject) => {
        const argv = ['--dialect', 'driftway', '--server', `127.0.0.1:${port}`, '--timeout', String(phaseTimeout),
            mode, ...args.map(String)];
        log(`${mode} ${args.join(' ')} -> 127.0.0.1:${port}`);
        const child = spawn(loadgen, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c) => { out += c; });
        child.stderr.on('data', (c) => { err += c; });
        const timer = setTimeout(() => child.kill('SIGKILL'), phaseTimeout * 6 * 1000);
        child.once('close', (code) => {
            clearTimeout(timer);
            const values = {};
            for (const line of out.split('\n')) {
                const eq = line.indexOf('=');
                if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
            }
            if (code !== 0) reject(new Error(`loadgen ${mode} exited ${code}: ${err.split('\n').slice(-12).join(' ')}`));
            else resolve(values);
        });
    });
}

const warnings = [];
const fmt = (n) => (Number.isFinite(Number(n)) ? Math.round(Number(n)).toLocaleString('en-US') : 'failed');

async function measure(port, cells) {
    try {
        const b = await runLoadgen(port, 'burst', burst);
        cells.burst = fmt(b.deliveries_per_s);
        if (b.deliveries !== b.expected) warnings.push(`burst: ${b.deliveries} of ${b.expected} delivered`);
    } catch (e) {
        warnings.push(e.message);
    }
    try {
        const ch = await runLoadgen(port, 'chat', chat);
        cells.chat = `${Number(ch.latency_p50_ms).toFixed(2)} / ${Number(ch.latency_p99_ms).toFixed(2)} ms`;
        cells.chatRate = fmt(Number(ch.deliveries) / chat[3]);
        if (ch.deliveries !== ch.expected) warnings.push(`chat: ${ch.deliveries} of ${ch.expected} delivered`);
    } catch (e) {
        warnings.push(e.message);
    }
}

async function inserts(port) {
    try {
        const r = await runLoadgen(port, 'inserts', [insertSeconds]);
        return `${fmt(r.inserts_per_s)} (p99 ${r.post_answer_p99_ms} ms)`;
    } catch (e) {
        warnings.push(e.message);
        return 'failed';
    }
}

const single = {};
const cluster = {};
try {
    const root = await makeTempDir('driftway-bench-cluster-');
    await chmod(root, 0o755);  // PostgreSQL runs as its own user inside
    // One node, SQLite: the reference figures.
    {
        const data = path.join(root, 'single');
        await mkdir(data);
        const node = await startNode('serve', 'serve', await freePort(), { ...unlimited, DRIFTWAY_SERVER_SHARDS: '0' }, data);
        await measure(node.port, single);
        single.inserts = await inserts(node.port);
        await node.proc.stop();
    }
    // One node on PostgreSQL: durable inserts only.
    {
        const pg = await startPostgres(root);
        const data = path.join(root, 'single-pg');
        await mkdir(data);
        const node = await startNode('serve-pg', 'serve', await freePort(), {
            ...unlimited,
            DRIFTWAY_STORAGE_DRIVER: 'postgres',
            DRIFTWAY_STORAGE_POSTGRES_URL: pg.conninfo,
        }, data);
        single.pgInserts = await inserts(node.port);
        await node.proc.stop();
    }
    // The cluster through nginx.
    const caps = capabilities();
    if (caps.text && caps.gateway) {
        const benchPort = await freePort();
        await startCluster({
            texts: 2, gateways: 2, voices: 0, nginxLimits: benchLimits, benchListen: benchPort,
            textEnv: unlimited, gatewayEnv: unlimited,
        });
        await measure(benchPort, cluster);
    } else {
        warnings.push('cluster rows not run: this binary has no `driftway text` / `driftway gateway`');
    }
} catch (e) {
    warnings.push(`aborted: ${e.message.split('\n')[0]}`);
} finally {
    await stopAll();
}

const rows = [
    [`burst: deliveries/s (${burst[0]} clients, ${burst[1]} messages)`, single.burst, cluster.burst],
    [`chat: p50 / p99 end-to-end (${chat[0]} clients, ${chat[1]} channels, ${chat[2]} msg/s, ${chat[3]} s)`,
        single.chat, cluster.chat],
    ['chat: deliveries/s', single.chatRate, cluster.chatRate],
    ['durable inserts/s, SQLite (one node, REST, 128 connections)', single.inserts, 'n/a'],
    ['durable inserts/s, PostgreSQL (one node, REST, 128 connections)', single.pgInserts, 'n/a'],
];
console.log('\n| | one node (`driftway serve`) | cluster (nginx, 2 gateways, 2 text nodes, Redis) |');
console.log('|---|---|---|');
for (const [title, a, b] of rows) console.log(`| ${title} | ${a ?? 'not run'} | ${b ?? 'not run'} |`);
console.log(`\nMachine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}; every process` +
    ' (nodes, nginx, Redis, PostgreSQL, load generator) shares them. Cluster: clients connect to nginx in' +
    ' clear (the load generator has no TLS) and are spread over both text nodes by least_conn; messages are' +
    ' posted over REST through nginx and the gateways, so half the deliveries cross Redis.' +
    ' PostgreSQL keeps fsync and synchronous_commit on; SQLite runs WAL with synchronous=FULL.');
for (const w of warnings) console.log(`Warning: ${w}`);

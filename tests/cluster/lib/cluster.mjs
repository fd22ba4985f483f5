// The cluster shape on loopback (docs/operations.md "Deployment"): Redis,
// PostgreSQL (tests/cluster/start-postgres), nginx running the real
// deploy/nginx/driftway.conf with generated include files and a self-signed
// certificate, and driftway gateway, text and voice nodes. Every process is
// started here with a fixed port chosen up front, so that a node killed with
// SIGKILL comes back on the same address.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { request } from './client.mjs';
import { freePort, makeTempDir, onCleanup, startProcess, waitFor, waitForPort } from './procs.mjs';

const run = promisify(execFile);

export const clusterDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(clusterDir, '../..');
export const nginxConf = path.join(repoRoot, 'deploy/nginx/driftway.conf');

export const bin = process.env.DRIFTWAY_BIN
    ? path.resolve(process.env.DRIFTWAY_BIN)
    : path.join(repoRoot, 'build/release/src/app/driftway');

// Which cluster commands this binary has (its usage text names them).
export function capabilities() {
    if (!existsSync(bin)) throw new Error(`no driftway binary at ${bin}: build it or set DRIFTWAY_BIN`);
    const r = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    const usage = `${r.stdout}${r.stderr}`;
    return {
        text: /driftway text\b/.test(usage),
        gateway: /driftway gateway\b/.test(usage),
        voice: /driftway voice\b/.test(usage),
    };
}

// Cheap hashing, quiet logs and Driftway's own limits out of the way: the
// test exercises nginx's per-IP limits, and every request reaches the text
// nodes from the gateways' address.
const baseEnv = {
    DRIFTWAY_AUTH_PASSWORD_COST: 'min',
    DRIFTWAY_LOG_ACCESS_LOG: 'false',
    DRIFTWAY_RATE_LIMITS_IP_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_USER_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_KEY_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_LOGIN_BURST: '100000',
    DRIFTWAY_RATE_LIMITS_REGISTER_BURST: '100000',
    DRIFTWAY_SERVER_SHARDS: '1',
    // A short heartbeat so that a client notices a dead node quickly.
    DRIFTWAY_GATEWAY_HEARTBEAT_INTERVAL_MS: '5000',
};

function childEnv(extra) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DRIFTWAY_')) env[k] = v;
    return { ...env, ...baseEnv, ...extra };
}

// ------------------------------------------------------------- PostgreSQL

export async function startPostgres(root) {
    const dir = path.join(root, 'pg');
    const script = path.join(clusterDir, 'start-postgres');
    const { stdout } = await run(script, ['--dir', dir], { timeout: 60_000 });
    onCleanup(() => run(script, ['--stop', dir], { timeout: 30_000 }));
    return {
        conninfo: stdout.trim(),
        pause: () => run(script, ['--pause', dir], { timeout: 30_000 }),
        resume: () => run(script, ['--resume', dir], { timeout: 60_000 }),
    };
}

// ------------------------------------------------------------------ Redis

export async function startRedis(root) {
    const port = await freePort();
    const dir = path.join(root, 'redis');
    await mkdir(dir, { recursive: true });
    const redis = { port, url: `redis://127.0.0.1:${port}`, proc: null };
    redis.start = async () => {
        redis.proc = startProcess('redis-server', 'redis-server', [
            '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no',
            '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes',
        ]);
        await waitForPort(port, { proc: redis.proc });
    };
    redis.stop = () => redis.proc.kill();
    await redis.start();
    return redis;
}

// ------------------------------------------------------------------ nginx

async function makeCertificate(dir) {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1',
        '-keyout', key, '-out', cert], { timeout: 20_000 });
    return { key, cert, pem: await readFile(cert, 'utf8') };
}

// A web client stand-in: index.html and one hashed asset, enough to check
// how nginx serves the built client (web/dist has the same shape).
async function makeWebRoot(dir) {
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Driftway</title><div id="app"></div>\n');
    await writeFile(path.join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log("driftway");\n');
}

const upstream = (name, ports, extra = '') =>
    `upstream ${name} {\n${extra}${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;\n`).join('')}}\n`;

// Writes the generated include files next to a main nginx.conf that
// includes the real deploy/nginx/driftway.conf, and starts nginx.
// benchListen: also serve the HTTPS site's locations in clear on this port
// (the benchmark's load generator speaks no TLS).
export async function startNginx(root, ports, { limits, benchListen } = {}) {
    const dir = path.join(root, 'nginx');
    const conf = path.join(dir, 'driftway');
    await mkdir(conf, { recursive: true });
    for (const sub of ['logs', 'tmp']) await mkdir(path.join(dir, sub), { recursive: true });
    const tls = await makeCertificate(dir);
    const web = path.join(dir, 'web');
    await makeWebRoot(web);
    const https = await freePort();
    const plain = await freePort();

    // The files that do not depend on the site are the shipped ones.
    for (const f of ['proxy-headers.conf', 'websocket.conf', 'security-headers.conf']) {
        await writeFile(path.join(conf, f), await readFile(path.join(repoRoot, 'deploy/nginx/driftway', f)));
    }
    await writeFile(path.join(conf, 'limits.conf'),
        limits ?? await readFile(path.join(repoRoot, 'deploy/nginx/driftway/limits.conf')));
    await writeFile(path.join(conf, 'upstreams.conf'), [
        upstream('driftway_gateway', ports.gateways, '    least_conn;\n'),
        upstream('driftway_text', ports.texts, '    least_conn;\n'),
        upstream('driftway_voice', ports.voices),
        ...ports.voices.map((p, i) => upstream(`driftway_voice_v${i + 1}`, [p])),
    ].join('\n'));
    await writeFile(path.join(conf, 'https-server.conf'), [
        `listen 127.0.0.1:${https} ssl;`,
        benchListen ? `listen 127.0.0.1:${benchListen};` : '',
        'server_name _;',
        `ssl_certificate ${tls.cert};`,
        `ssl_certificate_key ${tls.key};`,
        `root ${web};`,
        '',
    ].join('\n'));
    await writeFile(path.join(conf, 'http-server.conf'), `listen 127.0.0.1:${plain};\nserver_name _;\n`);

    // As root the workers would run as nobody, who cannot read a 0700 temp
    // directory: keep them as root (a test on loopback only).
    const asRoot = process.getuid?.() === 0;
    const main = path.join(dir, 'nginx.conf');
    await writeFile(main, [
        asRoot ? 'user root;' : '',
        'worker_processes 1;',
        'worker_rlimit_nofile 19000;',
        'daemon off;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/logs/error.log warn;`,
        'events { worker_connections 9000; }',
        'http {',
        '    include /etc/nginx/mime.types;',
        '    default_type application/octet-stream;',
        `    access_log ${dir}/logs/access.log;`,
        `    client_body_temp_path ${dir}/tmp/body;`,
        `    proxy_temp_path ${dir}/tmp/proxy;`,
        `    fastcgi_temp_path ${dir}/tmp/fastcgi;`,
        `    uwsgi_temp_path ${dir}/tmp/uwsgi;`,
        `    scgi_temp_path ${dir}/tmp/scgi;`,
        `    include ${nginxConf};`,
        '}',
        '',
    ].join('\n'));
    const check = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', main], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    const proc = startProcess('nginx', 'nginx', ['-p', dir, '-c', main]);
    await waitForPort(https, { proc });
    return {
        proc,
        dir,
        endpoint: { url: `https://127.0.0.1:${https}`, ca: tls.pem },
        plainUrl: `http://127.0.0.1:${plain}`,
        httpsPort: https,
    };
}

// ------------------------------------------------------------------ nodes

// Starts one driftway node (`command` is serve, text, gateway or voice) on
// port, waits for its "listening" line, and returns a handle whose
// restart() starts it again with the same settings.
export async function startNode(name, command, port, env, dataDir) {
    const node = { name, command, port, endpoint: { url: `http://127.0.0.1:${port}` }, proc: null };
    node.start = async () => {
        node.proc = startProcess(name, bin, [command, '--listen', `127.0.0.1:${port}`, '--data', dataDir],
            { env: childEnv(env) });
        await node.proc.waitForLog((e) => e.msg === 'listening', { what: 'the listening line' });
    };
    node.restart = node.start;
    await node.start();
    return node;
}

// The whole shape. opts.texts / opts.gateways / opts.voices: node counts.
// Without `driftway text` (an older binary) text nodes run `driftway serve`
// on PostgreSQL without Redis and nginx sends /api to them directly.
export async function startCluster(opts = {}) {
    const caps = capabilities();
    const nTexts = opts.texts ?? 2;
    const nGateways = caps.gateway ? (opts.gateways ?? 2) : 0;
    const nVoices = caps.voice ? (opts.voices ?? 1) : 0;
    const root = await makeTempDir();
    // PostgreSQL runs as another user (start-postgres), nginx's workers may:
    // both must reach their folders inside.
    await chmod(root, 0o755);
    const dataDir = path.join(root, 'data');  // shared: the JWT key and files
    await mkdir(dataDir, { recursive: true });

    const [pg, redis] = await Promise.all([startPostgres(root), startRedis(root)]);
    const ports = { texts: [], gateways: [], voices: [] };
    for (let i = 0; i < nTexts; i += 1) ports.texts.push(await freePort());
    for (let i = 0; i < nGateways; i += 1) ports.gateways.push(await freePort());
    for (let i = 0; i < nVoices; i += 1) ports.voices.push(await freePort());
    const nginx = await startNginx(root, {
        texts: ports.texts,
        gateways: nGateways ? ports.gateways : ports.texts,
        voices: nVoices ? ports.voices : ports.texts,
    }, { limits: opts.nginxLimits, benchListen: opts.benchListen });

    const storageEnv = {
        DRIFTWAY_STORAGE_DRIVER: 'postgres',
        DRIFTWAY_STORAGE_POSTGRES_URL: pg.conninfo,
        DRIFTWAY_STORAGE_POSTGRES_POOL_SIZE: '3',
        DRIFTWAY_SERVER_TRUST_PROXY: 'true',
        ...(caps.text ? { DRIFTWAY_REDIS_URL: redis.url } : {}),
    };
    const texts = [];
    // One after the other: the first creates the shared key and migrates.
    for (let i = 0; i < nTexts; i += 1) {
        texts.push(await startNode(`text${i + 1}`, caps.text ? 'text' : 'serve', ports.texts[i], {
            ...storageEnv,
            DRIFTWAY_SERVER_NODE_ID: String(i + 1),
            DRIFTWAY_VOICE_ENABLED: nVoices ? 'true' : 'false',
            ...(opts.textEnv ?? {}),
        }, dataDir));
    }
    const gateways = [];
    for (let i = 0; i < nGateways; i += 1) {
        gateways.push(await startNode(`gateway${i + 1}`, 'gateway', ports.gateways[i], {
            DRIFTWAY_PROXY_TEXT_UPSTREAMS: ports.texts.map((p) => `127.0.0.1:${p}`).join(','),
            DRIFTWAY_PROXY_VOICE_UPSTREAMS: ports.voices.map((p) => `127.0.0.1:${p}`).join(','),
            DRIFTWAY_PROXY_HEALTH_INTERVAL_MS: '250',
            DRIFTWAY_PROXY_HEALTH_TIMEOUT_MS: '500',
            DRIFTWAY_PROXY_BREAKER_FAILURES: '2',
            DRIFTWAY_PROXY_BREAKER_OPEN_MS: '1000',
            DRIFTWAY_PROXY_BACKOFF_BASE_MS: '20',
            DRIFTWAY_PROXY_BACKOFF_MAX_MS: '200',
            DRIFTWAY_SERVER_NODE_ID: String(100 + i),
            ...(opts.gatewayEnv ?? {}),
        }, dataDir));
    }
    const voices = [];
    for (let i = 0; i < nVoices; i += 1) {
        voices.push(await startNode(`voice${i + 1}`, 'voice', ports.voices[i], {
            DRIFTWAY_SERVER_NODE_ID: String(200 + i),
            DRIFTWAY_VOICE_ENDPOINT: `wss://127.0.0.1:${nginx.httpsPort}/voice/v${i + 1}`,
            DRIFTWAY_VOICE_MEDIA_LISTEN: '127.0.0.1:0',
            ...(caps.text ? { DRIFTWAY_REDIS_URL: redis.url } : {}),
        }, dataDir));
    }
    // Through nginx, the cluster answers once a gateway sees a text node.
    await waitFor(async () => (await request(nginx.endpoint, 'GET', '/health')).status === 200,
        { timeout: 20_000, what: '/health through nginx' });
    return { caps, root, dataDir, pg, redis, nginx, texts, gateways, voices, edge: nginx.endpoint };
}

// A counter or gauge of a node's /metrics (the sum over its series whose
// labels contain every `labels` fragment).
export async function metric(node, name, labels = []) {
    const res = await request(node.endpoint, 'GET', '/metrics');
    if (res.status !== 200) throw new Error(`${node.name} /metrics: ${res.status}`);
    let sum = 0;
    let seen = false;
    for (const line of res.text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
        if (!m || m[1] !== name) continue;
        if (!labels.every((l) => (m[2] ?? '').includes(l))) continue;
        sum += Number(m[3]);
        seen = true;
    }
    return seen ? sum : undefined;
}

// Retried asynchronous work end to end: an http_post job to a local receiver
// that fails is retried with backoff, dead-lettered after [jobs] max_attempts,
// listed by `driftway admin dead-letters list --json`, replayed with `replay`
// and delivered once the receiver answers 200. The admin commands run beside
// the live server on the same data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request, runCli, startServer, waitFor } from './lib/server.mjs';

const MAX_ATTEMPTS = 3;

// Counts every POST it receives and answers with `status`.
async function startReceiver() {
    const receiver = { status: 500, attempts: [], server: null, url: '' };
    receiver.server = http.createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
            receiver.attempts.push({
                method: req.method,
                url: req.url,
                contentType: req.headers['content-type'],
                idempotencyKey: req.headers['idempotency-key'],
                body,
                answered: receiver.status,
            });
            res.writeHead(receiver.status, { 'content-type': 'text/plain' });
            res.end(receiver.status === 200 ? 'ok' : 'receiver is down');
        });
    });
    await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${receiver.server.address().port}/hooks/test?source=driftway`;
    return receiver;
}

async function admin(server, args) {
    const r = await runCli(['admin', ...args, '--data', server.dataDir]);
    assert.equal(r.code, 0, `admin ${args.join(' ')}:\n${r.stderr}`);
    return r.stdout;
}

async function deadLetters(server) {
    return JSON.parse(await admin(server, ['dead-letters', 'list', '--json'])).dead_letters;
}

test('an http_post job is retried, dead-lettered, listed, replayed and delivered', async () => {
    const receiver = await startReceiver();
    try {
        const server = await startServer({
            env: {
                DRIFTWAY_JOBS_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
                DRIFTWAY_JOBS_BACKOFF_BASE_MS: '50',
                DRIFTWAY_JOBS_BACKOFF_MAX_MS: '200',
                DRIFTWAY_JOBS_POLL_INTERVAL_MS: '20',
            },
        });

        const payload = { event: 'test', n: 42 };
        const id = (await admin(server, ['jobs', 'enqueue-http-post', '--url', receiver.url,
            '--payload', JSON.stringify(payload)])).trim();
        assert.match(id, /^\d+$/);

        // Every attempt reaches the receiver, then the job is a dead letter.
        const dead = await waitFor(async () => {
            const list = await deadLetters(server);
            return list.length > 0 ? list : null;
        }, { timeout: 10_000, what: 'the dead letter' });
        assert.equal(receiver.attempts.length, MAX_ATTEMPTS);
        for (const a of receiver.attempts) {
            assert.equal(a.method, 'POST');
            assert.equal(a.url, '/hooks/test?source=driftway');
            assert.equal(a.contentType, 'application/json');
            assert.equal(a.idempotencyKey, id);
            assert.deepEqual(JSON.parse(a.body), payload);
        }
        assert.equal(dead.length, 1);
        assert.equal(dead[0].id, id);
        assert.equal(dead[0].kind, 'http_post');
        assert.equal(dead[0].attempts, MAX_ATTEMPTS);
        assert.equal(dead[0].last_error, 'HTTP 500: receiver is down');
        assert.deepEqual(dead[0].payload, { url: receiver.url, body: payload });
        assert.ok(Date.parse(dead[0].failed_at) >= Date.parse(dead[0].created_at));

        // A dead letter stays put: no more attempts arrive.
        const settled = receiver.attempts.length;
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(receiver.attempts.length, settled);

        const metrics = (await request(server, 'GET', '/metrics')).text;
        assert.match(metrics, /jobs_dead_letters_total(\{\})? 1\b/);
        assert.match(metrics, /jobs_runs_total\{kind="http_post",outcome="retry"\} 2\b/);
        assert.match(metrics, /jobs_runs_total\{kind="http_post",outcome="dead_letter"\} 1\b/);

        // Replayed once the receiver is back: delivered, and gone from the list.
        receiver.status = 200;
        assert.match(await admin(server, ['dead-letters', 'replay', id]), /replayed/);
        await waitFor(() => receiver.attempts.some((a) => a.answered === 200),
            { timeout: 10_000, what: 'the replayed delivery' });
        assert.equal(receiver.attempts.length, MAX_ATTEMPTS + 1);
        assert.deepEqual(await deadLetters(server), []);
        await waitFor(async () => /jobs_runs_total\{kind="http_post",outcome="success"\} 1\b/
            .test((await request(server, 'GET', '/metrics')).text), { what: 'the success metric' });

        // Replaying or deleting what is not there fails with exit code 1.
        const again = await runCli(['admin', 'dead-letters', 'replay', id, '--data', server.dataDir]);
        assert.equal(again.code, 1, again.stderr);
        const gone = await runCli(['admin', 'dead-letters', 'delete', id, '--data', server.dataDir]);
        assert.equal(gone.code, 1, gone.stderr);
    } finally {
        receiver.server.close();
    }
});

test('admin dead-letters: delete, replay --all and usage errors', async () => {
    const receiver = await startReceiver();
    try {
        const server = await startServer({
            env: {
                DRIFTWAY_JOBS_MAX_ATTEMPTS: '1',
                DRIFTWAY_JOBS_POLL_INTERVAL_MS: '20',
            },
        });
        const ids = [];
        for (let i = 0; i < 3; i++) {
            ids.push((await admin(server, ['jobs', 'enqueue-http-post', '--url', receiver.url,
                '--payload', JSON.stringify({ i })])).trim());
        }
        await waitFor(async () => (await deadLetters(server)).length === 3,
            { timeout: 10_000, what: 'three dead letters' });

        // Paged newest first.
        const first = JSON.parse(await admin(server, ['dead-letters', 'list', '--json', '--limit', '2']));
        assert.deepEqual(first.dead_letters.map((d) => d.id), [ids[2], ids[1]]);
        assert.equal(first.next_before, ids[1]);
        const second = JSON.parse(await admin(server,
            ['dead-letters', 'list', '--json', '--limit', '2', '--before', first.next_before]));
        assert.deepEqual(second.dead_letters.map((d) => d.id), [ids[0]]);
        assert.equal(second.next_before, null);
        assert.match(await admin(server, ['dead-letters', 'list']), new RegExp(`${ids[0]}\\s+http_post`));

        assert.match(await admin(server, ['dead-letters', 'delete', ids[1]]), /deleted/);
        receiver.status = 200;
        assert.match(await admin(server, ['dead-letters', 'replay', '--all']), /replayed 2 dead letters/);
        await waitFor(() => receiver.attempts.filter((a) => a.answered === 200).length === 2,
            { timeout: 10_000, what: 'two replayed deliveries' });
        assert.deepEqual(await deadLetters(server), []);

        for (const args of [['dead-letters'], ['dead-letters', 'bogus'], ['dead-letters', 'replay'],
            ['dead-letters', 'delete', 'abc'], ['jobs', 'enqueue-http-post', '--url', 'ftp://x/', '--payload', '{}'],
            ['jobs', 'enqueue-http-post', '--url', receiver.url, '--payload', '{not json']]) {
            const r = await runCli(['admin', ...args, '--data', server.dataDir]);
            assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        }
    } finally {
        receiver.server.close();
    }
});

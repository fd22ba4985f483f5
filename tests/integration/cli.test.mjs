// The command line: --version, configuration errors (exit 2 naming the key),
// `admin migrate`, `admin create-owner`, and a clean exit on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
    api, expectStatus, login, makeTempDir, registerUser, request, runCli, startServer, uniqueName,
} from './lib/server.mjs';

const VERSION_LINE = /^driftway (\d+\.\d+\.\d+\S*)$/;

test('--version prints the version and exits 0', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), VERSION_LINE);
});

// Each case must fail at start-up with exit code 2 and a message on stderr
// naming the offending setting. A server that starts instead is killed by
// runCli's deadline and the case fails.
async function expectConfigError({ toml, env = {}, args = [], names }) {
    const dir = await makeTempDir();
    const argv = ['serve', '--data', path.join(dir, 'data')];
    if (toml !== undefined) {
        const file = path.join(dir, 'driftway.toml');
        await writeFile(file, toml);
        argv.push('--config', file);
    }
    argv.push(...args);
    const r = await runCli(argv, { env, timeout: 5000 });
    assert.equal(r.timedOut, false, `the server started instead of rejecting its config:\n${r.stderr}`);
    assert.equal(r.code, 2, `exit code; stderr:\n${r.stderr}`);
    for (const name of names) assert.ok(r.stderr.includes(name), `stderr should name ${name}:\n${r.stderr}`);
}

test('an unknown key in the TOML file exits 2 naming the key', async () => {
    await expectConfigError({
        toml: '[server]\nlisten = "127.0.0.1:0"\nbogus_setting = 1\n',
        names: ['server.bogus_setting'],
    });
});

test('a value of the wrong type exits 2 naming the key', async () => {
    await expectConfigError({
        toml: '[server]\nlisten = "127.0.0.1:0"\nmax_body_bytes = "lots"\n',
        names: ['server.max_body_bytes'],
    });
});

test('an unknown section key in the environment exits 2 naming the variable', async () => {
    await expectConfigError({
        env: { DRIFTWAY_SERVER_NO_SUCH_THING: '1' },
        args: ['--listen', '127.0.0.1:0'],
        names: ['DRIFTWAY_SERVER_NO_SUCH_THING'],
    });
});

test('DRIFTWAY_SERVER_LISTEN=nonsense exits 2 naming the variable', async () => {
    // No --listen flag: it would override the environment.
    await expectConfigError({
        env: { DRIFTWAY_SERVER_LISTEN: 'nonsense' },
        names: ['DRIFTWAY_SERVER_LISTEN'],
    });
});

test('TLS enabled without certificate files exits 2 naming tls', async () => {
    await expectConfigError({
        env: { DRIFTWAY_TLS_ENABLED: 'true' },
        args: ['--listen', '127.0.0.1:0'],
        names: ['tls'],
    });
});

test('a missing config file exits 2 naming the file', async () => {
    const dir = await makeTempDir();
    const missing = path.join(dir, 'no-such-dir', 'driftway.toml');
    const r = await runCli(['serve', '--config', missing, '--listen', '127.0.0.1:0',
        '--data', path.join(dir, 'data')], { timeout: 5000 });
    assert.equal(r.timedOut, false, `the server started without its config file:\n${r.stderr}`);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(missing), `stderr should name ${missing}:\n${r.stderr}`);
});

test('admin migrate prints the schema version, and again on a migrated dir', async () => {
    const dir = await makeTempDir();
    const data = path.join(dir, 'data');
    const first = await runCli(['admin', 'migrate', '--data', data]);
    assert.equal(first.code, 0, first.stderr);
    const v1 = first.stdout.match(/\d+/);
    assert.ok(v1, `no version number in: ${first.stdout}`);
    assert.ok(Number(v1[0]) >= 1, first.stdout);

    const second = await runCli(['admin', 'migrate', '--data', data]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.match(/\d+/)?.[0], v1[0], 'the version is stable on a second run');
});

test('admin create-owner makes the instance owner; a second owner is refused', async () => {
    const dir = await makeTempDir();
    const data = path.join(dir, 'data');
    const username = uniqueName('owner');
    const email = `${username}@example.test`;
    const password = 'owner password 1';

    // Invalid input first: nothing must be created by it.
    const weak = await runCli(['admin', 'create-owner', '--data', data, '--username', username,
        '--email', email], { stdin: 'short\n' });
    assert.equal(weak.code, 1, `a 5-character password must be refused:\n${weak.stderr}`);
    assert.ok(weak.stderr.trim().length > 0, 'a refusal says why on stderr');
    // The same rules as POST /auth/register.
    for (const [u, e] of [['two words', email], ['x', email], ['zoë_owner', email],
        [username, 'not-an-email'], [username, 'owner@'], [username, 'own er@example.test']]) {
        const bad = await runCli(['admin', 'create-owner', '--data', data, '--username', u, '--email', e],
            { stdin: `${password}\n` });
        assert.equal(bad.code, 1, `username ${JSON.stringify(u)} email ${JSON.stringify(e)} must be refused:\n` +
            `${bad.stdout}${bad.stderr}`);
    }

    const made = await runCli(['admin', 'create-owner', '--data', data, '--username', username,
        '--email', email], { stdin: `${password}\n` });
    assert.equal(made.code, 0, made.stderr);

    const server = await startServer({ dataDir: data, workDir: dir });
    const res = expectStatus(await login(server, username, password), 200, undefined, 'owner login');
    const me = expectStatus(await api(server, 'GET', '/users/@me', { token: res.json.access_token }), 200);
    assert.equal(me.json.username, username);
    assert.equal(me.json.owner, true);
    const inst = expectStatus(await api(server, 'GET', '/instance'), 200);
    assert.equal(inst.json.owner_id, me.json.id);

    // The first account came from the CLI, so a registered one is not owner.
    const other = await registerUser(server);
    assert.equal(other.user.owner, false);
    assert.equal(await server.stop(), 0);

    const again = await runCli(['admin', 'create-owner', '--data', data, '--username',
        uniqueName('owner2'), '--email', `${uniqueName('o2')}@example.test`], { stdin: `${password}\n` });
    assert.equal(again.code, 1, `a second owner must be refused:\n${again.stderr}`);
    assert.ok(again.stderr.trim().length > 0, 'a refusal says why on stderr');
});

test('the listening line carries the bound port and url; SIGTERM exits 0', async () => {
    const server = await startServer();
    assert.equal(server.listening.url, `http://127.0.0.1:${server.port}`);
    expectStatus(await request(server, 'GET', '/health'), 200);
    assert.equal(await server.stop({ signal: 'SIGTERM' }), 0);
    assert.equal(server.exitInfo.signal, null);
});

test('SIGINT exits 0 as well', async () => {
    const server = await startServer();
    assert.equal(await server.stop({ signal: 'SIGINT' }), 0);
});

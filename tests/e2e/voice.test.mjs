// Voice end to end, against the real `driftway serve` and its SFU:
//  1. two Chromium pages join one voice channel through the web client and
//     hear each other; speaking rings light; mute stops the flow, unmute
//     brings it back;
//  2. an aiortc peer (tests/e2e/interop/peer.py) and a Chromium page hear
//     each other: the peer's recording is not silent, Chromium's inbound
//     audio energy rises;
//  3. a Chromium page forced to relay through coturn (TURN REST API
//     credentials from the join answer) hears and is heard.
// Run inside a network namespace holding only lo (make voice-test): see
// /work/shared/TESTING.md. Every wait has a deadline; on failure each page's
// signaling frames and getStats are written to build/e2e-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeTempDir, registerUser, startServer } from '../integration/lib/server.mjs';
import { artifactsDir, screenshot, webRoot } from './lib/browser.mjs';
import { joinThroughUi, launchVoiceBrowser, makeSpace, measureRate, openVoiceUser, selectedPair, voiceDump, waitForFlow, waitForStall } from './lib/voice.mjs';
import { startCoturn } from './lib/voice_turn.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = randomBytes(16).toString('hex');
const PYTHON = process.env.PYTHON_BIN ?? '/usr/bin/python3';

let server;
let turn;
let browser;
let users;
let setup;

before(async () => {
    turn = await startCoturn({ secret: SECRET });
    server = await startServer({
        env: { DRIFTWAY_SERVER_WEB_ROOT: webRoot, DRIFTWAY_VOICE_TURN_SECRET: SECRET, DRIFTWAY_VOICE_TURN_URLS: turn.url },
    });
    users = {};
    for (const name of ['alice', 'bob', 'carol', 'dave']) users[name] = await registerUser(server, `${name}_${randomBytes(2).toString('hex')}`);
    setup = await makeSpace(server, users.alice, [users.bob, users.carol, users.dave], ['Interop', 'Relay']);
    browser = await launchVoiceBrowser();
});

after(async () => {
    await browser?.close();
    await turn?.stop();
});

// Runs fn; on failure saves each page's screenshot and voice dump.
async function withDiagnostics(name, pages, fn) {
    try {
        await fn();
    } catch (err) {
        for (const [who, page] of Object.entries(pages)) {
            await screenshot(page, `voice-failed-${name}-${who}`).catch(() => {});
            const dump = await voiceDump(page);
            await writeFile(path.join(artifactsDir, `voice-failed-${name}-${who}.json`), JSON.stringify(dump, null, 2)).catch(() => {});
        }
        throw err;
    }
}

const member = (page, userId) => page.locator(`.voice-member[data-user-id="${userId}"]`);
const panel = (page) => page.getByRole('region', { name: 'Voice connection' });
const cleanProblems = (problems) => problems.filter((p) => !/Failed to load resource/.test(p));

function assertRate(rate, what) {
    // Opus at 20 ms frames: ~50 packets/s from one speaker.
    assert.ok(rate > 35 && rate < 70, `${what}: ${rate.toFixed(1)} packets/s, expected about 50`);
}

test('two Chromium pages talk through the web client', { timeout: 120_000 }, async (t) => {
    const a = await openVoiceUser(browser, server, users.alice);
    const b = await openVoiceUser(browser, server, users.bob);
    const { space, text } = setup;
    await withDiagnostics('two-pages', { alice: a.page, bob: b.page }, async () => {
        await joinThroughUi(a.page, space.id, text.id, 'General');
        await joinThroughUi(b.page, space.id, text.id, 'General');
        await panel(a.page).getByText('Voice connected').waitFor({ timeout: 15_000 });
        await panel(b.page).getByText('Voice connected').waitFor({ timeout: 15_000 });

        await waitForFlow(b.page, { what: "alice's audio at bob" });
        await waitForFlow(a.page, { what: "bob's audio at alice" });
        const [atB, atA] = await Promise.all([measureRate(b.page), measureRate(a.page)]);
        assertRate(atB.rate, "alice's audio at bob");
        assertRate(atA.rate, "bob's audio at alice");
        t.diagnostic(`alice->bob ${atB.rate.toFixed(1)} pkt/s, bob->alice ${atA.rate.toFixed(1)} pkt/s`);

        // Both see both in the channel, and each sees the other speak (the
        // fake microphone beeps).
        for (const p of [a.page, b.page]) {
            await member(p, users.alice.id).waitFor();
            await member(p, users.bob.id).waitFor();
        }
        await a.page.locator(`.voice-member.speaking[data-user-id="${users.bob.id}"]`).waitFor({ timeout: 10_000 });
        await b.page.locator(`.voice-member.speaking[data-user-id="${users.alice.id}"]`).waitFor({ timeout: 10_000 });
        await screenshot(a.page, 'voice-01-in-call');

        // Mute stops alice's packets at bob; bob's still reach alice.
        await panel(a.page).getByRole('button', { name: 'Mute', exact: true }).click();
        await waitForStall(b.page);
        await waitForFlow(a.page, { what: "bob's audio at alice while alice is muted" });
        await member(b.page, users.alice.id).and(b.page.locator('[aria-label*="muted"]')).waitFor({ timeout: 10_000 });
        await screenshot(a.page, 'voice-02-muted');
        await panel(a.page).getByRole('button', { name: 'Unmute' }).click();
        await waitForFlow(b.page, { what: "alice's audio at bob after unmute" });
        assertRate((await measureRate(b.page)).rate, "alice's audio at bob after unmute");

        // The server's view: both transports up, packets forwarded, and the
        // receiver reports Chromium sends (every few seconds) measured.
        const metric = (text, name) => Number((text.match(new RegExp(`^${name} (\\S+)$`, 'm')) ?? [])[1] ?? 0);
        let scraped = '';
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
            scraped = await (await fetch(`${server.url}/metrics`)).text();
            if (metric(scraped, 'voice_leg_rtt_seconds_count') > 0) break;
            await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(metric(scraped, 'webrtc_connections_total') >= 2, 'two DTLS transports');
        assert.ok(metric(scraped, 'voice_packets_forwarded_total') > 100, 'packets forwarded');
        assert.ok(metric(scraped, 'voice_leg_rtt_seconds_count') > 0, 'round-trip times from receiver reports');
        assert.ok(metric(scraped, 'voice_leg_jitter_seconds_count') > 0, 'jitter from receiver reports');

        // The voice settings tab lists the fake devices.
        await a.page.getByRole('button', { name: 'User settings' }).click();
        await a.page.getByRole('tab', { name: 'Voice' }).click();
        await a.page.getByLabel('Echo cancellation').waitFor();
        assert.ok((await a.page.locator('#voice-input option').count()) >= 1);
        await screenshot(a.page, 'voice-03-settings');
        await a.page.keyboard.press('Escape');

        // Leaving ends the call for bob too.
        await panel(b.page).getByRole('button', { name: 'Leave voice' }).click();
        await member(a.page, users.bob.id).waitFor({ state: 'detached', timeout: 10_000 });
        await panel(a.page).getByRole('button', { name: 'Leave voice' }).click();
        await panel(a.page).waitFor({ state: 'detached' });
        assert.deepEqual(cleanProblems(a.problems), []);
        assert.deepEqual(cleanProblems(b.problems), []);
    });
    await a.context.close();
    await b.context.close();
});

// Runs peer.py; resolves with its events when it prints "done" or exits.
function runPeer(args, { timeout = 45_000 } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(PYTHON, [path.join(here, 'interop/peer.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        const events = [];
        let stderr = '';
        child.stderr.on('data', (c) => (stderr += c));
        readline.createInterface({ input: child.stdout }).on('line', (line) => {
            try {
                events.push(JSON.parse(line));
            } catch {
                events.push({ event: 'raw', line });
            }
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
        child.once('error', reject);
        child.once('close', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, events, stderr });
        });
    });
}

function soxStat(file) {
    const r = spawnSync('sox', [file, '-n', 'remix', '1', 'stat'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sox stat ${file}: ${r.stderr}`);
    const num = (label) => Number((r.stderr.match(new RegExp(`${label}:\\s*(-?[\\d.]+)`)) ?? [])[1]);
    return { length: num('Length \\(seconds\\)'), rms: num('RMS\\s+amplitude'), freq: num('Rough\\s+frequency'), text: r.stderr };
}

test('an aiortc peer and a Chromium page hear each other', { timeout: 120_000 }, async (t) => {
    const dir = await makeTempDir('driftway-voice-');
    const tone = path.join(dir, 'tone.wav');
    const rec = path.join(dir, 'rec.wav');
    const made = spawnSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', tone, 'synth', '10', 'sine', '440', 'vol', '0.5'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const a = await openVoiceUser(browser, server, users.alice);
    const { space, text, voice } = setup;
    await withDiagnostics('interop', { alice: a.page }, async () => {
        await joinThroughUi(a.page, space.id, text.id, 'Interop');
        await panel(a.page).getByText('Voice connected').waitFor({ timeout: 15_000 });
        const peer = runPeer(['--base', server.url, '--token', users.carol.access_token, '--channel', voice.Interop.id, '--tone', tone, '--record', rec, '--seconds', '8']);
        // While the peer records, Chromium must be receiving its tone.
        const flow = await waitForFlow(a.page, { what: "the aiortc peer's tone at Chromium", timeout: 25_000 })
            .then(() => measureRate(a.page))
            .catch((e) => e);
        const result = await peer;
        const done = result.events.find((e) => e.event === 'done');
        if (!done) {
            await writeFile(path.join(artifactsDir, 'voice-failed-interop-peer.json'), JSON.stringify(result, null, 2));
            assert.fail(`peer.py did not finish (code ${result.code}): ${JSON.stringify(result.events.filter((e) => e.event !== 'done')).slice(0, 2000)}\n${result.stderr.slice(-2000)}`);
        }
        if (flow instanceof Error) throw flow;
        assertRate(flow.rate, "the peer's audio at Chromium");
        // The tone's energy measured while the peer was in the channel (its
        // inbound stream goes away once it leaves).
        assert.ok(flow.energyDelta > 0, `Chromium heard no energy: ${JSON.stringify(flow.stats)}`);
        assert.ok(done.stats.packets_received > 100, `the peer received ${done.stats.packets_received} packets`);
        const stat = soxStat(rec);
        t.diagnostic(`peer->chromium ${flow.rate.toFixed(1)} pkt/s; peer got ${done.stats.packets_received} packets; recording ${stat.length} s, RMS ${stat.rms}, ~${stat.freq} Hz`);
        assert.ok(stat.length >= 2, `recording is ${stat.length} s\n${stat.text}`);
        assert.ok(stat.rms > 0.003, `recording is silent (RMS ${stat.rms})\n${stat.text}`);
        await screenshot(a.page, 'voice-04-interop');
        await panel(a.page).getByRole('button', { name: 'Leave voice' }).click();
        assert.deepEqual(cleanProblems(a.problems), []);
    });
    await a.context.close();
});

test('a Chromium page forced to relay through coturn hears and is heard', { timeout: 120_000 }, async (t) => {
    const d = await openVoiceUser(browser, server, users.dave, { forceRelay: true });
    const b = await openVoiceUser(browser, server, users.bob);
    const { space, text } = setup;
    await withDiagnostics('relay', { dave: d.page, bob: b.page }, async () => {
        await joinThroughUi(b.page, space.id, text.id, 'Relay');
        await joinThroughUi(d.page, space.id, text.id, 'Relay');
        await panel(d.page).getByText('Voice connected').waitFor({ timeout: 20_000 });
        const pair = await selectedPair(d.page);
        assert.equal(pair?.local, 'relay', `dave's selected pair: ${JSON.stringify(pair)}`);
        await waitForFlow(d.page, { what: "bob's audio at dave (relayed)" });
        await waitForFlow(b.page, { what: "dave's relayed audio at bob" });
        const [atD, atB] = await Promise.all([measureRate(d.page), measureRate(b.page)]);
        assertRate(atD.rate, "bob's audio at dave");
        assertRate(atB.rate, "dave's audio at bob");
        t.diagnostic(`relayed pair ${JSON.stringify(pair)}; bob->dave ${atD.rate.toFixed(1)} pkt/s, dave->bob ${atB.rate.toFixed(1)} pkt/s`);
        await screenshot(d.page, 'voice-05-relay');
        await panel(d.page).getByRole('button', { name: 'Leave voice' }).click();
        await panel(b.page).getByRole('button', { name: 'Leave voice' }).click();
        assert.deepEqual(cleanProblems(d.problems), []);
    });
    await d.context.close();
    await b.context.close();
});

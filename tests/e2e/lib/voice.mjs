// Helpers for the voice tests: Chromium with fake media devices, users set
// up over REST and signed in to the web client, and getStats read from the
// page's voice connection (the client exposes it as window.driftwayVoice
// when localStorage 'driftway.voice.debug' is '1').
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { artifactsDir, CHROMIUM, FLAGS, requireSetup } from './browser.mjs';

export const VOICE_FLAGS = [
    ...FLAGS,
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection',
];

export async function launchVoiceBrowser() {
    requireSetup();
    await mkdir(artifactsDir, { recursive: true });
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: VOICE_FLAGS, timeout: 30_000 });
}

export async function rest(server, token, method, path, body) {
    const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
}

// A space owned by `owner` with the others joined by invite; resolves with
// the space, its first text channel and its voice channels by name.
export async function makeSpace(server, owner, others, voiceNames = []) {
    const space = await rest(server, owner.access_token, 'POST', '/spaces', { name: 'Voice Harbour' });
    const channels = space.channels ?? (await rest(server, owner.access_token, 'GET', `/spaces/${space.id}/channels`));
    const text = channels.find((c) => c.type === 'text');
    const voice = {};
    for (const c of channels) if (c.type === 'voice') voice[c.name] = c;
    for (const name of voiceNames) {
        if (!voice[name]) voice[name] = await rest(server, owner.access_token, 'POST', `/spaces/${space.id}/channels`, { name, type: 'voice' });
    }
    const invite = await rest(server, owner.access_token, 'POST', `/spaces/${space.id}/invites`, {});
    for (const u of others) await rest(server, u.access_token, 'POST', `/invites/${invite.code}`);
    return { space, text, voice };
}

// A browser context signed in as `user` (the session the web client keeps in
// localStorage), with the voice debug handle on, optionally forced to relay.
export async function openVoiceUser(browser, server, user, { forceRelay = false } = {}) {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const session = { access: user.access_token, refresh: user.refresh_token, expiresAt: Date.now() + user.expires_in * 1000 };
    await context.addInitScript(
        ({ session, forceRelay }) => {
            if (!localStorage.getItem('driftway.session')) localStorage.setItem('driftway.session', JSON.stringify(session));
            localStorage.setItem('driftway.voice.debug', '1');
            if (forceRelay) localStorage.setItem('driftway.voice.forceRelay', '1');
        },
        { session, forceRelay },
    );
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    return { context, page, problems, user };
}

// Joins a voice channel by clicking it in the sidebar.
export async function joinThroughUi(page, spaceId, textChannelId, voiceName) {
    await page.goto(`/channels/${spaceId}/${textChannelId}`);
    await page.getByRole('link', { name: `${voiceName} (voice)` }).click();
    await page.getByRole('region', { name: 'Voice connection' }).waitFor();
}

// Sums of the audio inbound-rtp streams of the page's connection, per mid too.
export async function inbound(page) {
    return page.evaluate(async () => {
        const pc = window.driftwayVoice?.pc;
        const out = { packets: 0, energy: 0, lost: 0, streams: [] };
        if (!pc) return out;
        (await pc.getStats()).forEach((s) => {
            if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
            out.packets += s.packetsReceived ?? 0;
            out.energy += s.totalAudioEnergy ?? 0;
            out.lost += s.packetsLost ?? 0;
            out.streams.push({ mid: s.mid, ssrc: s.ssrc, packetsReceived: s.packetsReceived, totalAudioEnergy: s.totalAudioEnergy });
        });
        return out;
    });
}

// Waits until, within `window` ms, at least `minPackets` more packets and
// more audio energy arrived; resolves with the measured packet rate.
export async function waitForFlow(page, { window = 2000, minPackets = 60, timeout = 15_000, what = 'audio' } = {}) {
    const deadline = Date.now() + timeout;
    let start = await inbound(page);
    let t0 = Date.now();
    let last = start;
    while (Date.now() < deadline) {
        await delay(250);
        last = await inbound(page);
        const dt = Date.now() - t0;
        if (dt >= window) {
            if (last.packets - start.packets >= minPackets && last.energy > start.energy) {
                return { rate: ((last.packets - start.packets) * 1000) / dt, energyDelta: last.energy - start.energy, stats: last };
            }
            start = last;
            t0 = Date.now();
        }
    }
    throw new Error(`no ${what} flowing within ${timeout} ms (last inbound: ${JSON.stringify(last)})`);
}

// The packet rate and energy gain over the next `window` ms (call once
// audio flows: the first window after a join includes the ramp-up).
export async function measureRate(page, window = 2000) {
    const a = await inbound(page);
    const t0 = Date.now();
    await delay(window);
    const b = await inbound(page);
    return { rate: ((b.packets - a.packets) * 1000) / (Date.now() - t0), energyDelta: b.energy - a.energy, stats: b };
}

// Waits until packetsReceived stays unchanged over `window` ms.
export async function waitForStall(page, { window = 1500, timeout = 10_000 } = {}) {
    const deadline = Date.now() + timeout;
    let start = await inbound(page);
    let t0 = Date.now();
    while (Date.now() < deadline) {
        await delay(250);
        const now = await inbound(page);
        if (now.packets !== start.packets) {
            start = now;
            t0 = Date.now();
        } else if (Date.now() - t0 >= window) {
            return now;
        }
    }
    throw new Error(`packets kept arriving for ${timeout} ms (last: ${JSON.stringify(await inbound(page))})`);
}

// The selected candidate pair's local and remote candidate types.
export async function selectedPair(page) {
    return page.evaluate(async () => {
        const pc = window.driftwayVoice?.pc;
        if (!pc) return null;
        const stats = await pc.getStats();
        let pair = null;
        stats.forEach((s) => {
            if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
        });
        if (!pair) return null;
        const local = stats.get(pair.localCandidateId);
        const remote = stats.get(pair.remoteCandidateId);
        return { local: local?.candidateType, localAddress: local?.address, remote: remote?.candidateType, remoteAddress: remote?.address, state: pair.state };
    });
}

// What to print when media does not flow: the signaling frames (SDP
// included) and the getStats entries that matter, like webrtc-internals.
export async function voiceDump(page) {
    return page
        .evaluate(async () => {
            const v = window.driftwayVoice;
            if (!v) return { error: 'no voice client on the page' };
            const stats = [];
            if (v.pc) {
                (await v.pc.getStats()).forEach((s) => {
                    if (['inbound-rtp', 'outbound-rtp', 'candidate-pair', 'local-candidate', 'remote-candidate', 'transport', 'remote-inbound-rtp', 'media-source'].includes(s.type)) stats.push(s);
                });
            }
            return {
                connectionState: v.pc?.connectionState,
                iceConnectionState: v.pc?.iceConnectionState,
                signalingState: v.pc?.signalingState,
                localDescription: v.pc?.localDescription?.sdp,
                frames: v.frames,
                stats,
            };
        })
        .catch((e) => ({ error: String(e) }));
}

export async function waitForCondition(fn, { timeout = 10_000, interval = 100, what = 'condition' } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
        await delay(interval);
    }
}

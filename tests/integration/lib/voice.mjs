// Voice signaling for the tests (docs/voice.md): joining through REST and the
// /voice socket, and answers made from the SFU's offers without a media
// stack (the SFU negotiates; no packet flows — media is tested in tests/e2e).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { GatewayClient } from './gateway.mjs';
import { call } from './spaces.mjs';

export async function voiceChannel(server, owner, spaceId, name = 'Lounge') {
    return call(server, owner, 'POST', `/spaces/${spaceId}/channels`, { name, type: 'voice' }, 201,
        'create voice channel');
}

export async function voiceJoin(server, user, channelId) {
    return call(server, user, 'POST', `/voice/${channelId}/join`, undefined, 200, 'voice join');
}

export class VoiceClient extends GatewayClient {
    constructor(server, endpoint) {
        super(server, endpoint);
    }

    static async open(server, endpoint) {
        const c = new VoiceClient(server, endpoint);
        await new Promise((resolve, reject) => {
            c.ws.once('open', resolve);
            c.ws.once('error', reject);
        });
        return c;
    }

    // REST join, socket, `join`, then `ready` and the first offer.
    static async joined(server, user, channelId) {
        const grant = await voiceJoin(server, user, channelId);
        const c = await VoiceClient.open(server, grant.endpoint);
        c.send('join', { token: grant.token });
        c.ready = await c.next((f) => f.op === 'ready', { what: 'ready' });
        c.offers = 0;
        return c;
    }

    // Waits for the n-th offer (1-based) counting from the first frame.
    async offer(n) {
        const f = await this.next(() => this.frames.filter((x) => x.op === 'offer').length >= n,
            { what: `offer #${n}` });
        assert.ok(f);
        return this.frames.filter((x) => x.op === 'offer')[n - 1].d.sdp;
    }

    answer(offerSdp) {
        this.send('answer', { sdp: answerFor(offerSdp) });
    }
}

// The media sections of an SDP, each as its lines.
export function sections(sdp) {
    const parts = sdp.split('\r\n').join('\n').split('\nm=');
    return parts.slice(1).map((p) => `m=${p}`.split('\n').filter(Boolean));
}

const attr = (lines, name) => lines.find((l) => l.startsWith(`a=${name}`));

// A JSEP-shaped answer: same sections, reversed directions, our own ICE
// credentials and a certificate fingerprint, DTLS client (setup:active).
export function answerFor(offer) {
    const ufrag = randomBytes(4).toString('hex');
    const pwd = randomBytes(12).toString('hex');
    const fp = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
    const reverse = { 'a=sendonly': 'a=recvonly', 'a=recvonly': 'a=sendonly', 'a=sendrecv': 'a=sendrecv',
        'a=inactive': 'a=inactive' };
    const out = ['v=0', `o=- ${Date.now()} 2 IN IP4 127.0.0.1`, 's=-', 't=0 0'];
    const bundle = offer.split(/\r?\n/).find((l) => l.startsWith('a=group:BUNDLE'));
    if (bundle) out.push(bundle);
    for (const lines of sections(offer)) {
        const m = lines[0];
        const dir = lines.find((l) => reverse[l]) ?? 'a=sendrecv';
        out.push(m, 'c=IN IP4 0.0.0.0', attr(lines, 'mid:'), `a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`,
            `a=fingerprint:sha-256 ${fp}`, 'a=setup:active', reverse[dir], 'a=rtcp-mux');
        for (const l of lines) if (l.startsWith('a=rtpmap:') || l.startsWith('a=fmtp:')) out.push(l);
    }
    return `${out.filter(Boolean).join('\r\n')}\r\n`;
}

// Attachments: upload (multipart or raw), the type sniffed from the bytes,
// safe serving headers, who may fetch, attaching to messages, and the
// instance's size limit.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { ID, api, expectStatus, registerUser, startServer } from './lib/server.mjs';
import { history, post, postOk, spaceWithMembers } from './lib/messaging.mjs';

let server;
let admin;  // the first account: the instance owner, who sets the upload limit
before(async () => {
    server = await startServer();
    admin = await registerUser(server);
});

function crc32(buf) {
    let crc = 0xffffffff;
    for (const byte of buf) {
        crc ^= byte;
        for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
}

// A valid 1x1 red RGB PNG (RFC 2083): signature, IHDR, IDAT, IEND.
function tinyPng() {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(1, 0);
    ihdr.writeUInt32BE(1, 4);
    ihdr[8] = 8;  // bit depth
    ihdr[9] = 2;  // colour type: truecolour
    const scanline = Buffer.from([0, 255, 0, 0]);  // filter type 0, then R G B
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        pngChunk('IHDR', ihdr),
        pngChunk('IDAT', zlib.deflateSync(scanline)),
        pngChunk('IEND', Buffer.alloc(0)),
    ]);
}

async function uploadForm(user, bytes, filename, type = 'application/octet-stream') {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), filename);
    const res = await fetch(`${server.url}/api/v1/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.access_token}` },
        body: form,
        signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

function uploadRaw(user, bytes, query, contentType = 'application/octet-stream') {
    return api(server, 'POST', `/attachments${query}`, {
        token: user.access_token,
        rawBody: bytes,
        headers: { 'content-type': contentType },
    });
}

async function fetchFile(user, url, headers = {}) {
    const res = await fetch(server.url + url, {
        headers: user ? { authorization: `Bearer ${user.access_token}`, ...headers } : headers,
        signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

test('a PNG uploaded as multipart comes back byte for byte, inline, with safe headers', async () => {
    const u = await registerUser(server);
    const png = tinyPng();
    // The declared type is a lie on purpose: the server sniffs.
    const res = await uploadForm(u, png, 'pixel.png', 'text/html');
    assert.equal(res.status, 201, res.text);
    const a = res.json;
    assert.deepEqual(Object.keys(a).sort(), ['content_type', 'filename', 'id', 'size', 'url']);
    assert.match(a.id, ID);
    assert.equal(a.filename, 'pixel.png');
    assert.equal(a.content_type, 'image/png');
    assert.equal(a.size, png.length);
    assert.equal(a.url, `/api/v1/attachments/${a.id}/pixel.png`);

    const got = await fetchFile(u, a.url);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(png), 'the same bytes');
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.match(got.headers.get('content-disposition'), /^inline; filename="pixel\.png"/);
    assert.match(got.headers.get('cache-control'), /^private, max-age=\d+$/);
    assert.match(got.headers.get('content-security-policy'), /(^|;\s*)sandbox(;|$)/);

    // Revalidation by content hash.
    const etag = got.headers.get('etag');
    assert.ok(etag);
    const again = await fetchFile(u, a.url, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
});

test('HTML is stored as text and served as a download that cannot run script', async () => {
    const u = await registerUser(server);
    const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
    const res = expectStatus(await uploadRaw(u, html, '?filename=page.html', 'text/html'), 201);
    assert.equal(res.json.filename, 'page.html');
    assert.equal(res.json.content_type, 'text/plain; charset=utf-8');

    const got = await fetchFile(u, res.json.url);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString('utf8'), html);
    assert.equal(got.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.match(got.headers.get('content-disposition'), /^attachment; filename="page\.html"/);
    assert.match(got.headers.get('content-security-policy'), /(^|;\s*)sandbox(;|$)/);

    // An SVG is not an image we show inline either.
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const s = expectStatus(await uploadRaw(u, svg, '?filename=icon.svg', 'image/svg+xml'), 201).json;
    assert.equal(s.content_type, 'text/plain; charset=utf-8');
    assert.match((await fetchFile(u, s.url)).headers.get('content-disposition'), /^attachment;/);

    // Binary junk is a download of application/octet-stream.
    const bin = expectStatus(await uploadRaw(u, Buffer.from([0, 1, 2, 0xff, 0xfe]), '?filename=blob.bin'), 201).json;
    assert.equal(bin.content_type, 'application/octet-stream');
});

test('who may fetch: the uploader, then whoever can read the channel', async () => {
    const { owner, member, outsider, general, hidden } = await spaceWithMembers(server);
    const up = (await uploadForm(member, tinyPng(), 'shared.png')).json;
    assert.ok(up?.id);

    // Not attached yet: only the uploader.
    assert.equal((await fetchFile(member, up.url)).status, 200);
    assert.equal((await fetchFile(owner, up.url)).status, 404);
    assert.equal((await fetchFile(outsider, up.url)).status, 404);
    assert.equal((await fetchFile(null, up.url)).status, 401);

    const m = await postOk(server, member, general.id, { content: '', attachment_ids: [up.id] });
    assert.equal(m.content, '');
    assert.deepEqual(m.attachments.map((a) => a.id), [up.id]);
    assert.equal(m.attachments[0].url, up.url);
    const listed = expectStatus(await history(server, owner, general.id), 200).json.find((x) => x.id === m.id);
    assert.deepEqual(listed.attachments, m.attachments);

    assert.equal((await fetchFile(owner, up.url)).status, 200);
    assert.equal((await fetchFile(outsider, up.url)).status, 404);
    // The name is part of the address.
    assert.equal((await fetchFile(owner, `/api/v1/attachments/${up.id}/other.png`)).status, 404);
    assert.equal((await fetchFile(owner, '/api/v1/attachments/123456789/shared.png')).status, 404);

    // Attached in a channel the member cannot view: the member gets 404.
    const secretFile = (await uploadForm(owner, Buffer.from('secret plans'), 'plans.txt')).json;
    await postOk(server, owner, hidden.id, { content: 'see file', attachment_ids: [secretFile.id] });
    assert.equal((await fetchFile(owner, secretFile.url)).status, 200);
    const denied = await fetchFile(member, secretFile.url);
    assert.equal(denied.status, 404);
    assert.ok(!denied.body.toString().includes('secret plans'));
    assert.equal((await fetchFile(outsider, secretFile.url)).status, 404);
});

test('attachment_ids: own unused uploads only; a nonce retry is fine', async () => {
    const { owner, member, general } = await spaceWithMembers(server);
    const mine = (await uploadForm(member, Buffer.from('one'), 'one.txt')).json;
    const theirs = (await uploadForm(owner, Buffer.from('two'), 'two.txt')).json;

    let res = expectStatus(await post(server, member, general.id, { content: 'x', attachment_ids: [theirs.id] }),
        400, 'validation_failed');
    assert.ok('attachment_ids' in res.json.errors);

    const first = expectStatus(await post(server, member, general.id,
        { content: 'with file', nonce: 'att-1', attachment_ids: [mine.id] }), 201).json;
    const retry = expectStatus(await post(server, member, general.id,
        { content: 'with file', nonce: 'att-1', attachment_ids: [mine.id] }), 200).json;
    assert.equal(retry.id, first.id);
    assert.deepEqual(retry.attachments.map((a) => a.id), [mine.id]);

    // Used once is used.
    res = expectStatus(await post(server, member, general.id, { content: 'again', attachment_ids: [mine.id] }),
        400, 'validation_failed');
    assert.ok('attachment_ids' in res.json.errors);
    res = expectStatus(await post(server, member, general.id,
        { content: 'again', nonce: 'att-2', attachment_ids: [mine.id] }), 400, 'validation_failed');

    // Several at once, duplicates collapse.
    const a = (await uploadForm(member, Buffer.from('aaa'), 'a.txt')).json;
    const b = (await uploadForm(member, Buffer.from('bbb'), 'b.txt')).json;
    const both = await postOk(server, member, general.id, { content: 'two files', attachment_ids: [a.id, b.id, a.id] });
    assert.deepEqual(both.attachments.map((x) => x.id).sort(), [a.id, b.id].sort());
});

test('file names are sanitized and kept in the address', async () => {
    const u = await registerUser(server);
    let a = expectStatus(await uploadRaw(u, 'x', `?filename=${encodeURIComponent('../../etc/evil\n.txt')}`), 201).json;
    assert.equal(a.filename, 'evil.txt');
    a = expectStatus(await uploadRaw(u, 'x', `?filename=${encodeURIComponent('C:\\temp\\report.txt')}`), 201).json;
    assert.equal(a.filename, 'report.txt');

    const name = 'r\u00e9sum\u00e9 #1 \u20ac.txt';
    a = expectStatus(await uploadRaw(u, 'cv', `?filename=${encodeURIComponent(name)}`), 201).json;
    assert.equal(a.filename, name);
    assert.equal(a.url, `/api/v1/attachments/${a.id}/${encodeURIComponent(name)}`);
    const got = await fetchFile(u, a.url);
    assert.equal(got.status, 200);
    assert.equal(got.body.toString(), 'cv');
    assert.ok(got.headers.get('content-disposition').includes(`filename*=UTF-8''${encodeURIComponent(name)}`));

    for (const q of ['', '?filename=', `?filename=${encodeURIComponent('..')}`, `?filename=${encodeURIComponent('a/')}`]) {
        expectStatus(await uploadRaw(u, 'x', q), 400, 'validation_failed', `query ${q}`);
    }
});

test('malformed uploads are refused', async () => {
    const u = await registerUser(server);
    expectStatus(await uploadRaw(u, '', '?filename=empty.txt'), 400, 'validation_failed');

    const broken = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nno end';
    expectStatus(await uploadRaw(u, broken, '', 'multipart/form-data; boundary=b'), 400, 'invalid_multipart');
    expectStatus(await uploadRaw(u, broken, '', 'multipart/form-data'), 400, 'invalid_multipart');

    const wrongField = '--b\r\nContent-Disposition: form-data; name="upload"; filename="a.txt"\r\n\r\nx\r\n--b--\r\n';
    expectStatus(await uploadRaw(u, wrongField, '', 'multipart/form-data; boundary=b'), 400, 'validation_failed');
    const noFile = '--b--\r\n';
    expectStatus(await uploadRaw(u, noFile, '', 'multipart/form-data; boundary=b'), 400, 'validation_failed');

    // A well-formed body written by hand (what curl -F sends).
    const good = '--b\r\nContent-Disposition: form-data; name="file"; filename="hand.txt"\r\n' +
        'Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n';
    const a = expectStatus(await uploadRaw(u, good, '', 'multipart/form-data; boundary=b'), 201).json;
    assert.equal(a.filename, 'hand.txt');
    assert.equal(a.size, 5);
    assert.equal((await fetchFile(u, a.url)).body.toString(), 'hello');
});

test("uploads above the instance's limit are 413", async () => {
    const u = await registerUser(server);
    expectStatus(await api(server, 'PATCH', '/instance',
        { token: admin.access_token, body: { max_upload_bytes: 2048 } }), 200);
    try {
        const over = await uploadRaw(u, Buffer.alloc(2049, 0x41), '?filename=big.txt');
        expectStatus(over, 413, 'payload_too_large');
        const overForm = await uploadForm(u, Buffer.alloc(2049, 0x41), 'big.txt');
        assert.equal(overForm.status, 413, overForm.text);
        expectStatus(await uploadRaw(u, Buffer.alloc(2048, 0x41), '?filename=fits.txt'), 201);
    } finally {
        expectStatus(await api(server, 'PATCH', '/instance',
            { token: admin.access_token, body: { max_upload_bytes: 25 * 1024 * 1024 } }), 200);
    }
});

test('an avatar is public to signed-in users; only an image of the user\'s own counts', async () => {
    const bob = await registerUser(server);
    const alice = await registerUser(server);
    const carol = await registerUser(server);

    // No avatar yet.
    expectStatus(await api(server, 'GET', `/users/${bob.user.id}/avatar`, { token: alice.access_token }),
        404, 'unknown_avatar');

    const png = tinyPng();
    const up = await uploadForm(bob, png, 'me.png', 'image/png');
    assert.equal(up.status, 201, up.text);
    expectStatus(await api(server, 'PATCH', '/users/@me',
        { token: bob.access_token, body: { avatar: up.json.id } }), 200);

    // Alice shares nothing with Bob, yet sees his avatar.
    const got = await fetchFile(alice, `/api/v1/users/${bob.user.id}/avatar`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(got.body, png);
    // Not without signing in.
    assert.equal((await fetchFile(null, `/api/v1/users/${bob.user.id}/avatar`)).status, 401);

    // Alice's private upload cannot be exposed by pointing an avatar at it.
    const secret = await uploadForm(alice, png, 'private.png', 'image/png');
    assert.equal(secret.status, 201, secret.text);
    expectStatus(await api(server, 'PATCH', '/users/@me',
        { token: carol.access_token, body: { avatar: secret.json.id } }), 200);
    expectStatus(await api(server, 'GET', `/users/${carol.user.id}/avatar`, { token: bob.access_token }),
        404, 'unknown_avatar');
});

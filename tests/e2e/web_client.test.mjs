// The web client end to end: two people in two browser contexts against a
// real `driftway serve` that serves web/dist, through the scenario of the
// web client issue, including a server restart in the middle.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../integration/lib/server.mjs';
import { launchBrowser, openUser, screenshot, webRoot } from './lib/browser.mjs';
import { makePng } from './lib/png.mjs';

const PASSWORD = 'correct horse battery staple';
const T = 10_000;

let browser;
after(async () => {
    await browser?.close();
});

const main = (page) => page.locator('main');
const threadPanel = (page) => page.getByRole('complementary', { name: 'Thread' });
// A message by its own text (a reply also shows the text it replies to).
const message = (scope, text) => scope.locator('.message').filter({ has: scope.page().locator('.message-content', { hasText: text }) });
const composer = (scope, name) => scope.getByRole('textbox', { name });

async function register(page, { username, email }) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
}

async function send(scope, box, text) {
    const input = composer(scope, box);
    await input.click();
    await input.fill(text);
    await input.press('Enter');
    await message(scope, text.split('\n')[0]).first().waitFor();
}

async function tokenOf(page) {
    return page.evaluate(() => JSON.parse(localStorage.getItem('driftway.session')).access);
}

async function rest(server, token, method, path, body) {
    const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
}

function rawGet(port, path) {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', reject);
        req.end();
    });
}

// Messages on screen in the main pane, oldest first.
async function shownMessages(page) {
    return main(page).locator('.message .message-content').allInnerTexts();
}

function cleanProblems(problems) {
    // A restart makes the page see refused connections; anything else
    // (a script error, a CSP refusal) is a bug.
    return problems.filter((p) => !/Failed to load resource|WebSocket connection to|ERR_CONNECTION_REFUSED/.test(p));
}

test('two people chat through the web client', { timeout: 150_000 }, async (t) => {
    let server = await startServer({ env: { DRIFTWAY_SERVER_WEB_ROOT: webRoot } });
    const port = server.port;
    browser = await launchBrowser();
    const alice = await openUser(browser, server.url);
    const bob = await openUser(browser, server.url);
    const A = alice.page;
    const B = bob.page;
    const names = { alice: 'alice', bob: 'bob' };
    // Each step leaves screenshots of both pages when it fails.
    let stepNo = 0;
    const step = (name, fn) =>
        t.test(name, async () => {
            stepNo += 1;
            try {
                await fn();
            } catch (err) {
                await screenshot(A, `failed-${stepNo}-alice`).catch(() => {});
                await screenshot(B, `failed-${stepNo}-bob`).catch(() => {});
                throw err;
            }
        });
    let inviteLink;

    await step('the server serves the app with its CSP and caching', async () => {
        const res = await fetch(`${server.url}/channels/1/2`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type'), /text\/html/);
        assert.equal(res.headers.get('cache-control'), 'no-cache');
        assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
        const html = await res.text();
        const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
        const js = await fetch(server.url + asset);
        assert.equal(js.status, 200);
        assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        const again = await fetch(server.url + asset, { headers: { 'If-None-Match': js.headers.get('etag') } });
        assert.equal(again.status, 304);
        assert.equal((await fetch(`${server.url}/api/v1/nothing`)).status, 404);
        // Sent as is (fetch would resolve the dots first).
        const raw = await rawGet(port, '/%2e%2e/%2e%2e/etc/passwd');
        assert.equal(raw.status, 404);
        assert.doesNotMatch(raw.body, /root:/);
    });

    await step('alice registers and creates a space, a channel and an invite', async () => {
        await A.goto('/');
        await A.getByRole('heading', { name: 'Welcome back!' }).waitFor();
        await screenshot(A, '01-login');
        await A.getByRole('link', { name: 'Register' }).click();
        await register(A, { username: names.alice, email: 'alice@example.test' });
        await A.getByRole('button', { name: 'Create a space' }).click();
        await A.getByLabel('Space name').fill('Harbour');
        await A.getByRole('button', { name: 'Create', exact: true }).click();
        await A.getByRole('heading', { name: 'general', exact: true }).waitFor();

        await A.getByRole('button', { name: 'Harbour, space menu' }).click();
        await A.getByRole('menuitem', { name: 'Create channel' }).click();
        await A.getByLabel('Channel name').fill('Dock Talk');
        await A.getByRole('button', { name: 'Create', exact: true }).click();
        await A.getByRole('heading', { name: 'dock-talk', exact: true }).waitFor();

        await A.getByRole('button', { name: 'Harbour, space menu' }).click();
        await A.getByRole('menuitem', { name: 'Invite people' }).click();
        const link = A.getByLabel('Send this invite link to a friend');
        await A.waitForFunction(() => document.querySelector('#invite-link')?.value.includes('/invite/'));
        inviteLink = await link.inputValue();
        assert.match(inviteLink, /^http:\/\/127\.0\.0\.1:\d+\/invite\/[A-Za-z0-9]{8}$/);
        await A.keyboard.press('Escape');
    });

    await step('bob follows the invite link, registers and joins', async () => {
        await B.goto(inviteLink);
        await B.getByText('You have been invited to join a space').waitFor();
        await screenshot(B, '02-invite-register');
        await register(B, { username: names.bob, email: 'bob@example.test' });
        await B.getByRole('heading', { name: 'Harbour' }).waitFor();
        await screenshot(B, '03-invite-accept');
        await B.getByRole('button', { name: 'Accept invite' }).click();
        await B.getByRole('heading', { name: 'general', exact: true }).waitFor();
        await B.getByRole('link', { name: /^dock-talk/ }).click();
        await B.getByRole('heading', { name: 'dock-talk', exact: true }).waitFor();
    });

    await step('presence and typing are shown', async () => {
        await A.getByRole('complementary', { name: 'Members' }).getByRole('button', { name: /^bob, Online/ }).waitFor();
        await composer(B, 'Message #dock-talk').pressSequentially('typing something', { delay: 5 });
        await main(A).getByText(/bob\s+is typing/).waitFor();
        await composer(B, 'Message #dock-talk').fill('');
    });

    await step('messages arrive in real time, with mentions from the autocomplete', async () => {
        await send(main(B), 'Message #dock-talk', 'hello from bob');
        await message(main(A), 'hello from bob').waitFor();

        const box = composer(main(A), 'Message #dock-talk');
        await box.click();
        await box.pressSequentially('hi @bo');
        await A.getByRole('option', { name: /bob/ }).waitFor();
        await box.press('Enter'); // picks the suggestion
        await box.pressSequentially('welcome aboard');
        await box.press('Enter');
        const mention = message(main(B), 'welcome aboard').locator('.mention.mention-me');
        await mention.waitFor();
        assert.equal(await mention.innerText(), '@bob');
        await screenshot(A, '04-main');
    });

    await step('bob edits his last message with the up arrow', async () => {
        const box = composer(main(B), 'Message #dock-talk');
        await box.click();
        await box.press('ArrowUp');
        const edit = B.getByRole('textbox', { name: 'Edit message' });
        await edit.fill('hello from bob, edited');
        await edit.press('Enter');
        await message(main(A), 'hello from bob, edited').locator('.edited').waitFor();
        // Esc cancels an edit without saving.
        await box.press('ArrowUp');
        await edit.fill('not saved');
        await edit.press('Escape');
        await edit.waitFor({ state: 'detached' });
        assert.equal(await message(main(B), 'not saved').count(), 0);
    });

    await step('reactions, replies and deletes', async () => {
        const msg = message(main(A), 'hello from bob, edited');
        await msg.hover();
        await msg.getByRole('button', { name: 'Add reaction' }).click();
        await A.getByRole('dialog', { name: 'Pick a reaction' }).getByRole('option', { name: 'thumbs' }).first().click();
        await message(main(B), 'hello from bob, edited').getByRole('button', { name: /👍 1 reaction/ }).waitFor();

        await msg.hover();
        await msg.getByRole('button', { name: 'Reply' }).click();
        await send(main(A), 'Message #dock-talk', 'replying to you');
        await message(main(B), 'replying to you').getByRole('button', { name: 'Jump to the replied message' }).waitFor();

        await send(main(A), 'Message #dock-talk', 'this will vanish');
        await message(main(B), 'this will vanish').waitFor();
        const doomed = message(main(A), 'this will vanish');
        await doomed.hover();
        A.once('dialog', (d) => d.accept());
        await doomed.getByRole('button', { name: 'Delete message' }).click();
        await message(main(B), 'this will vanish').waitFor({ state: 'detached' });
    });

    await step('a thread in the side panel', async () => {
        const msg = message(main(A), 'hello from bob, edited');
        await msg.hover();
        await msg.getByRole('button', { name: 'Create thread' }).click();
        await threadPanel(A).waitFor();
        await send(threadPanel(A), /^Message #hello-from-bob/, 'first reply in the thread');
        const link = message(main(B), 'hello from bob, edited').locator('.thread-link');
        await link.waitFor();
        await link.click();
        await message(threadPanel(B), 'first reply in the thread').waitFor();
        await send(threadPanel(B), /^Message #hello-from-bob/, 'bob answers in the thread');
        await message(threadPanel(A), 'bob answers in the thread').waitFor();
        await screenshot(A, '05-thread');
        await threadPanel(A).getByRole('button', { name: 'Close thread' }).click();
        await threadPanel(B).getByRole('button', { name: 'Close thread' }).click();
    });

    await step('an image dropped on the channel uploads with progress and shows a preview', async () => {
        const png = makePng(120, 80).toString('base64');
        const transfer = await B.evaluateHandle((b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], 'harbour.png', { type: 'image/png' }));
            return dt;
        }, png);
        await B.dispatchEvent('.channel-view', 'drop', { dataTransfer: transfer });
        await B.getByRole('progressbar', { name: 'Upload of harbour.png' }).waitFor({ state: 'attached' });
        await B.getByText(/^Ready/).waitFor();
        await send(main(B), 'Message #dock-talk', 'look at this');
        const img = message(main(A), 'look at this').getByRole('img', { name: 'harbour.png' });
        await img.waitFor();
        assert.match(await img.getAttribute('src'), /^blob:/);
        await A.waitForFunction(() => [...document.querySelectorAll('img.preview')].some((i) => i.complete && i.naturalWidth === 120));
    });

    await step('hostile markup renders inert', async () => {
        const hostile = [
            'pwn <img src=x onerror="window.pwnedFlag=1"> <script>window.pwnedFlag=2</script>',
            '[click me](javascript:window.pwnedFlag=3) javascript:window.pwnedFlag=4 <a href="javascript:window.pwnedFlag=5">x</a>',
            '```\n<img src=y onerror=window.pwnedFlag=6>\n```',
        ].join('\n');
        await send(main(B), 'Message #dock-talk', hostile);
        const m = message(main(A), 'pwn');
        await m.waitFor();
        assert.match(await m.innerText(), /<img src=x onerror="window.pwnedFlag=1">/);
        const report = await A.evaluate(() => ({
            onerror: document.querySelectorAll('[onerror]').length,
            scripts: [...document.querySelectorAll('.message script, .message img:not(.preview)')].length,
            jsLinks: [...document.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
            pwned: window.pwnedFlag,
        }));
        assert.deepEqual(report, { onerror: 0, scripts: 0, jsLinks: 0, pwned: undefined });
        // The markdown link with a javascript: target is not a link at all.
        assert.equal(await m.getByRole('link', { name: 'click me' }).count(), 0);
        await m.getByText('[click me](javascript:window.pwnedFlag=3)').waitFor();
    });

    await step('history scrolls back keeping its place, and search jumps to a result', async () => {
        const token = await tokenOf(B);
        const channelId = new URL(B.url()).pathname.split('/')[3];
        await rest(server, token, 'POST', `/channels/${channelId}/messages`, { content: 'the needle: bananas in the hold' });
        for (let i = 1; i <= 110; i++) {
            await rest(server, token, 'POST', `/channels/${channelId}/messages`, { content: `filler ${i}` });
        }
        await message(main(A), 'filler 110').waitFor();

        // A reload starts from the newest page only (and reloads a client route).
        await A.reload();
        await message(main(A), 'filler 110').waitFor();
        const before = await shownMessages(A);
        assert.ok(before.length <= 60, `one page at first, got ${before.length}`);
        const firstShown = before[0];
        await A.locator('main .message-scroller').evaluate((el) => {
            el.scrollTop = 0;
        });
        await A.waitForFunction((n) => document.querySelectorAll('main .message').length > n, before.length);
        const anchor = message(main(A), firstShown).first();
        const box = await anchor.boundingBox();
        const pane = await A.locator('main .message-scroller').boundingBox();
        assert.ok(box && box.y >= pane.y - 5 && box.y < pane.y + pane.height, 'the message at the top stays in view');

        await A.getByRole('button', { name: 'Search' }).click();
        await A.getByRole('searchbox', { name: 'Search Harbour' }).fill('bananas');
        await A.getByRole('searchbox', { name: 'Search Harbour' }).press('Enter');
        const result = A.getByRole('list', { name: 'Search results' }).getByRole('button').first();
        await result.waitFor();
        assert.equal(await result.locator('mark').innerText(), 'bananas');
        await screenshot(A, '06-search');
        await result.click();
        const target = message(main(A), 'the needle: bananas');
        await target.waitFor();
        await A.waitForFunction(() => {
            const el = document.querySelector('main .message.highlight');
            const pane = document.querySelector('main .message-scroller');
            if (!el || !pane) return false;
            const r = el.getBoundingClientRect();
            const p = pane.getBoundingClientRect();
            return r.top >= p.top && r.bottom <= p.bottom;
        });
        await A.getByRole('button', { name: 'Close search' }).click();
        const present = A.getByRole('button', { name: /Jump to present/ });
        if (await present.count()) await present.click();
        await message(main(A), 'filler 110').waitFor();
    });

    await step('after a server restart the client reconnects and shows what it missed', async () => {
        const token = await tokenOf(B);
        const channelId = new URL(B.url()).pathname.split('/')[3];
        const dataDir = server.dataDir;
        await server.stop();
        await A.getByRole('alert').filter({ hasText: /Connection lost|Reconnecting/ }).waitFor();
        await screenshot(A, '07-reconnecting');
        server = await startServer({ dataDir, listen: `127.0.0.1:${port}`, env: { DRIFTWAY_SERVER_WEB_ROOT: webRoot } });
        // Sent before the page is back: only the history re-read can show it.
        await rest(server, token, 'POST', `/channels/${channelId}/messages`, { content: 'sent while you were away' });
        await message(main(A), 'sent while you were away').waitFor({ timeout: 15_000 });
        await A.getByRole('alert').filter({ hasText: /Connection lost|Reconnecting/ }).waitFor({ state: 'detached' });
        await B.getByRole('alert').filter({ hasText: /Connection lost|Reconnecting/ }).waitFor({ state: 'detached', timeout: 15_000 });
        await send(main(B), 'Message #dock-talk', 'live again');
        await message(main(A), 'live again').waitFor();
    });

    await step('settings screens open', async () => {
        await A.getByRole('button', { name: 'Harbour, space menu' }).click();
        await A.getByRole('menuitem', { name: 'Space settings' }).click();
        await A.getByRole('tab', { name: 'Roles' }).click();
        await A.getByRole('button', { name: 'Create role' }).click();
        await A.getByLabel('Role name').waitFor();
        await A.getByRole('tab', { name: 'Audit log' }).click();
        await A.getByText('channel_create').first().waitFor();
        await screenshot(A, '08-space-settings');
        await A.keyboard.press('Escape');
        await A.getByRole('button', { name: 'User settings' }).click();
        await A.getByRole('tab', { name: 'API keys' }).click();
        await A.getByLabel('Key name').fill('ci bot');
        await A.getByRole('button', { name: 'Create key' }).click();
        await A.locator('code.secret').waitFor();
        await screenshot(A, '09-user-settings');
        await A.keyboard.press('Escape');
        await A.getByRole('button', { name: 'Instance settings' }).click();
        await A.getByLabel('Registration').waitFor();
        await A.keyboard.press('Escape');
    });

    await step('unread and mention badges, and the read marker', async () => {
        await B.getByRole('link', { name: /^general/ }).click();
        await B.getByRole('heading', { name: 'general', exact: true }).waitFor();
        const box = composer(main(A), 'Message #dock-talk');
        await box.click();
        await box.pressSequentially('ping @bo');
        await A.getByRole('option', { name: /bob/ }).waitFor();
        await box.press('Tab');
        await box.pressSequentially('are you there');
        await box.press('Enter');
        const link = B.getByRole('link', { name: 'dock-talk, 1 mentions' });
        await link.waitFor();
        assert.equal(await link.locator('.badge').innerText(), '1');
        await link.click();
        await main(B).getByRole('separator', { name: 'New messages' }).waitFor();
        await B.getByRole('link', { name: 'dock-talk' }).waitFor(); // read: no badge, not unread
        await A.waitForFunction(() => true);
    });

    await step('usable at phone width', async () => {
        const navAt = (where) =>
            B.waitForFunction((w) => {
                const r = document.querySelector('.nav').getBoundingClientRect();
                return w === 'hidden' ? r.right <= 0 : r.left === 0;
            }, where);
        await B.setViewportSize({ width: 390, height: 760 });
        await navAt('hidden');
        await message(main(B), 'live again').waitFor();
        await screenshot(B, '10-phone');
        await B.getByRole('button', { name: 'Open navigation' }).click();
        await navAt('shown');
        await screenshot(B, '11-phone-nav');
        await B.getByRole('link', { name: /^general/ }).click();
        await B.getByRole('heading', { name: 'general', exact: true }).waitFor();
        await navAt('hidden');
    });

    await step('no script errors and no CSP refusals', () => {
        assert.deepEqual(cleanProblems(alice.problems), []);
        assert.deepEqual(cleanProblems(bob.problems), []);
    });
});

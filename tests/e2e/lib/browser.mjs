// Debian's Chromium driven by playwright-core (no browser download). One
// browser process; each user gets a fresh context (its own profile:
// storage, cookies, cache), so two users never share a session.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const FLAGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
];

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const artifactsDir = path.join(repoRoot, 'build/e2e-artifacts');
export const webRoot = path.resolve(process.env.DRIFTWAY_WEB_ROOT ?? path.join(repoRoot, 'web/dist'));

export function requireSetup() {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/install-deps (Debian package chromium)`);
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error(`no built web client in ${webRoot}: cd web && npm ci && npm run build`);
}

export async function launchBrowser() {
    requireSetup();
    await mkdir(artifactsDir, { recursive: true });
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
}

// A user's tab. Collects page errors and console errors (a CSP violation is
// reported there) so that a test can assert the page ran clean.
export async function openUser(browser, baseURL, { viewport = { width: 1280, height: 800 } } = {}) {
    const context = await browser.newContext({ baseURL, viewport });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    return { context, page, problems };
}

export async function screenshot(page, name) {
    await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

// Shared by the end-to-end tests and the browser benchmark: serves www/ on
// 127.0.0.1 (a random free port) and launches Debian's Chromium headless.
import { createServer } from 'node:http';
import { before, after } from 'node:test';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const www = join(root, 'www');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** Serves www/ on 127.0.0.1; resolves to { url, close }. */
export async function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(www, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(www)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Debian's Chromium, headless, with the flags this sandbox needs. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A fresh page (1366×900 unless `viewport` says) that records console errors and page errors into `errors`. */
export async function openPage(browser, url, errors, viewport = { width: 1366, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]');
  return page;
}

/**
 * For a test file: serves www/ and launches Chromium before its tests and
 * closes both after them; returns `{ server, browser }`, filled in by then.
 */
export function useBrowser() {
  const ctx = {};
  before(async () => {
    ctx.server = await serve();
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/**
 * Runs at `speed` ticks/s until `predicate(arg)` holds in the page, then
 * pauses unless the run stopped by itself (a preset ends at tick 700).
 */
export async function runUntil(page, predicate, arg, speed = '240') {
  await page.locator('#speed').fill(speed);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForFunction(predicate, arg, { timeout: 60_000 });
  await page.evaluate(() => {
    const run = document.getElementById('run');
    if (run.textContent === 'Pause') run.click();
  });
}

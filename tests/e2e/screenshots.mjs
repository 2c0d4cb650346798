// The README's screenshots (`node tests/e2e/screenshots.mjs` writes
// www/shots/*.png): the page at 1366×768 and on a phone at 390×844, each
// from a share link, so every picture can be made again exactly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, launch, openPage, root } from './harness.mjs';

const DESK = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const out = join(root, 'www', 'shots');
mkdirSync(out, { recursive: true });
const server = await serve();
const browser = await launch();

/** A page opened on `body` (a link without its checksum), sealed by the core. */
async function open(body, viewport) {
  const maker = await openPage(browser, server.url, []);
  const link = await maker.evaluate((b) => window.ftkv.Playground.seal(b), body);
  await maker.context().close();
  return openPage(browser, `${server.url}#${link}`, [], viewport);
}

const step = async (page, n) => {
  for (let i = 0; i < n; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
};

// 1. A partition drawn on the ring, seen a few ticks back with the Time slider,
//    a read's transaction and its message sequence open.
const split = 'v=1&peers=10&seed=7&tick=70&do=40.create.1.k.a;40.create.6.j.x;55.part.1-2-3-9;62.read.4.k&sel=4&key=k&tx=3';
{
  const page = await open(split, DESK);
  await step(page, 4);
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.screenshot({ path: join(out, 'partition.png') });
  await page.context().close();
}

// 2. The history with a key the checker flags: R = W = 1, one replica cut off.
{
  const page = await open('v=1&peers=10&seed=7&rep=3.1.1&tick=75&do=40.create.1.k.a;40.create.6.j.x;45.part.1;45.update.7.k.b;50.read.1.k;50.read.6.j;70.heal', DESK);
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByRole('button', { name: 'Check history' }).click();
  await page.getByRole('region', { name: 'History', exact: true }).scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, -60));
  await page.screenshot({ path: join(out, 'history.png') });
  await page.context().close();
}

// 3. A preset explaining itself: the guide, the tested key, points per window, plots over time.
{
  const page = await open('v=1&peers=10&seed=3&preset=read&tick=240', DESK);
  await page.screenshot({ path: join(out, 'preset.png') });
  await page.context().close();
}

// 4. On a phone: the ring with the partition, then a tapped peer's panel.
{
  const page = await open(split, PHONE);
  await page.screenshot({ path: join(out, 'phone.png') });
  await page.locator('[data-peer="4.0.0.0:0"]').dispatchEvent('click');
  await page.screenshot({ path: join(out, 'phone-peer.png') });
  await page.context().close();
}

await browser.close();
await server.close();
console.log(`screenshots written to ${out}`);

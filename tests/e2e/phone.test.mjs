// The playground on a phone (390×844): one column, the ring fits the
// screen, and a peer tapped on the ring brings its panel into view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, openPage, root } from './harness.mjs';

const ctx = useBrowser();
const PHONE = { width: 390, height: 844 };

test('on a phone the ring fits the width and a tapped peer\'s panel scrolls into view', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors, PHONE);
  const ring = await page.locator('#ring').boundingBox();
  assert.ok(ring.x >= 0 && ring.x + ring.width <= PHONE.width + 1, `the ring fits: ${JSON.stringify(ring)}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px too wide)`);
  const inspector = page.getByRole('region', { name: 'Peer inspector' });
  const below = await inspector.boundingBox();
  assert.ok(below.y > PHONE.height, 'the inspector starts below the first screen');
  await page.locator('[data-peer="2.0.0.0:0"]').click();
  const box = await inspector.boundingBox();
  assert.ok(box.y >= -1 && box.y < PHONE.height / 2, `the inspector is on screen: y = ${box.y}`);
  assert.equal(await page.locator('#insp-title').textContent(), '2.0.0.0:0');
  assert.ok(await page.getByRole('button', { name: 'Fail' }).isVisible());
  mkdirSync(join(root, 'target', 'screenshots'), { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(root, 'target', 'screenshots', 'phone.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

// Network faults you can draw: a loss or delay on one directed link, chosen
// in the panel or on the ring, drawn as a chord until Heal; a split dragged
// along the ring. Every fault is an action in the link, and `ftkv replay`
// of the link gives the page's dbg.log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, openPage, root } from './harness.mjs';

const ctx = useBrowser();

/** The page's address now (page.url() may lag behind history.replaceState). */
const href = (page) => page.evaluate(() => location.href);
const R = 250; // the ring's radius in viewBox units

/** Asserts that `ftkv replay` of the page's link gives the page's dbg.log. */
function assertReplays(link, fromPage, what) {
  const dir = mkdtempSync(join(tmpdir(), 'ftkv-faults-'));
  execFileSync(join(root, 'target', 'release', 'ftkv'), ['replay', link, '--log', join(dir, 'dbg.log')]);
  assert.equal(fromPage, readFileSync(join(dir, 'dbg.log'), 'utf8'), what);
}

/** The screen point at ring `position` (0 to 1) and `radius` (viewBox units). */
function screenAt(page, position, radius) {
  return page.evaluate(([pos, r]) => {
    const m = document.getElementById('ring').getScreenCTM();
    const a = pos * 2 * Math.PI - Math.PI / 2;
    const p = new DOMPoint(r * Math.cos(a), r * Math.sin(a)).matrixTransform(m);
    return { x: p.x, y: p.y };
  }, [position, radius]);
}

/** Presses inside the ring at `from` and moves clockwise to `to` (ring positions), without releasing. */
async function dragArc(page, from, to) {
  const start = await screenAt(page, from, R - 60);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  const sweep = (to - from + 1) % 1;
  for (let s = 0.01; s < sweep; s += 0.01) {
    const p = await screenAt(page, (from + s) % 1, R - 60);
    await page.mouse.move(p.x, p.y);
  }
  const end = await screenAt(page, to, R - 60);
  await page.mouse.move(end.x, end.y);
}

/** Two ring positions in the middle of wide gaps between peers, and the peers between them clockwise. */
async function arcOverPeers(page) {
  const peers = await page.evaluate(() => window.ftkv.playground().ring(0).peers);
  const sorted = [...peers].sort((a, b) => a.position - b.position);
  const n = sorted.length;
  const gaps = sorted.map((p, i) => ({ i, at: (p.position + ((sorted[(i + 1) % n].position - p.position + 1) % 1) / 2) % 1,
    width: (sorted[(i + 1) % n].position - p.position + 1) % 1 }));
  const wide = gaps.filter((g) => g.width > 0.04);
  assert.ok(wide.length >= 2, 'two wide gaps between peers');
  const [a, b] = [wide[0], wide[Math.ceil(wide.length / 2)]];
  const inside = [];
  for (let k = (a.i + 1) % n; ; k = (k + 1) % n) {
    inside.push(sorted[k].address);
    if (k === b.i) break;
  }
  return { from: a.at, to: b.at, inside: inside.sort(), peers };
}

test('a loss on one link from the panel and a delay on another from the ring: chords until Heal, the link records them, ftkv replay gives the page\'s dbg.log', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  // From the panel: 1 → 4 loses 30 %.
  await page.getByLabel('From', { exact: true }).selectOption('1.0.0.0:0');
  await page.getByLabel('To', { exact: true }).selectOption('4.0.0.0:0');
  await page.getByLabel('Loss').fill('30');
  await page.getByRole('button', { name: 'Set loss' }).click();
  assert.match(await href(page), /;\d+\.loss\.1\.4\.30&/);
  assert.match(await page.locator('#net-status').textContent(), /30 % of messages lost on 1\.0\.0\.0:0 → 4\.0\.0\.0:0/);
  const lossy = page.locator('#fault-layer .chord.lossy[data-from="1.0.0.0:0"][data-to="4.0.0.0:0"]');
  assert.equal(await lossy.count(), 1, 'a dashed chord for the lossy link');
  assert.equal(await lossy.locator('text').textContent(), '30 % lost');

  // From the ring: select 7, shift-click 2; the inspector stays on 7.
  await page.locator('[data-peer="7.0.0.0:0"]').click();
  await page.locator('[data-peer="2.0.0.0:0"]').click({ modifiers: ['Shift'] });
  assert.equal(await page.locator('#insp-title').textContent(), '7.0.0.0:0');
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '7.0.0.0:0');
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), '2.0.0.0:0');
  assert.equal(await page.locator('#fault-layer .chord.picked[data-from="7.0.0.0:0"][data-to="2.0.0.0:0"]').count(), 1, 'the chosen link is highlighted');
  await page.getByLabel('Delay ticks', { exact: true }).fill('12');
  await page.getByRole('button', { name: 'Set delay' }).click();
  assert.match(await href(page), /\.loss\.1\.4\.30;\d+\.delay\.7\.2\.12&/);
  const slow = page.locator('#fault-layer .chord.slow[data-from="7.0.0.0:0"][data-to="2.0.0.0:0"]');
  assert.equal(await slow.count(), 1, 'a thicker chord for the delayed link');
  assert.equal(await slow.getAttribute('data-delay'), '12');
  assert.deepEqual(await page.evaluate(() => window.ftkv.playground().links()), {
    loss: 0,
    links: [{ from: '1.0.0.0:0', to: '4.0.0.0:0', loss: 30, delay: 1 }, { from: '7.0.0.0:0', to: '2.0.0.0:0', loss: 0, delay: 12 }],
  });

  for (let i = 0; i < 20; i++) await page.getByRole('button', { name: 'Step' }).click();
  assertReplays(await href(page), await page.evaluate(() => window.ftkv.playground().dbgLog()), 'the lossy, slow run replays natively');
  // A fresh page of the link draws the same chords.
  const copy = await openPage(ctx.browser, await href(page), errors);
  assert.equal(await copy.locator('#fault-layer .chord.lossy, #fault-layer .chord.slow').count(), 2);
  await copy.close();

  await page.getByRole('button', { name: 'Heal' }).click();
  assert.equal(await page.locator('#fault-layer .chord.lossy, #fault-layer .chord.slow').count(), 0, 'Heal removes the chords');
  assert.deepEqual(await page.evaluate(() => window.ftkv.playground().links()), { loss: 0, links: [] });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Pick link: the next two peers clicked are the link; Esc stops picking', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const pick = page.getByRole('button', { name: 'Pick link' });
  await pick.click();
  assert.equal(await pick.getAttribute('aria-pressed'), 'true');
  await page.locator('[data-peer="3.0.0.0:0"]').click();
  await page.locator('[data-peer="5.0.0.0:0"]').click();
  assert.equal(await pick.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '3.0.0.0:0');
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), '5.0.0.0:0');
  assert.equal(await page.locator('#insp-title').textContent(), '3.0.0.0:0', 'the second click picked, it did not select');
  await pick.click();
  await page.keyboard.press('Escape');
  assert.equal(await pick.getAttribute('aria-pressed'), 'false');
  await page.locator('[data-peer="6.0.0.0:0"]').click();
  assert.equal(await page.locator('#insp-title').textContent(), '6.0.0.0:0', 'a click selects again');
  await page.close();
});

test('bad link faults show the core\'s message and record nothing', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const link = await href(page);
  const error = page.locator('#error');
  const from = page.getByLabel('From', { exact: true });
  const to = page.getByLabel('To', { exact: true });
  await from.selectOption('2.0.0.0:0');
  await to.selectOption('2.0.0.0:0');
  await page.getByRole('button', { name: 'Set loss' }).click();
  assert.match(await error.textContent(), /a link joins two different peers, not 2\.0\.0\.0:0 to itself/);
  await to.selectOption('3.0.0.0:0');
  await page.getByLabel('Loss').fill('130');
  await page.getByRole('button', { name: 'Set loss' }).click();
  assert.match(await error.textContent(), /a loss in percent is a whole number from 0 to 100, not 130/);
  await page.getByLabel('Delay ticks', { exact: true }).fill('0');
  await page.getByRole('button', { name: 'Set delay' }).click();
  assert.match(await error.textContent(), /a delay in ticks is a whole number from 1 to 100, not 0/);
  await from.selectOption('');
  await page.getByLabel('Delay ticks', { exact: true }).fill('5');
  await page.getByRole('button', { name: 'Set delay' }).click();
  assert.match(await error.textContent(), /a delay is set on one link: choose its From and To/);
  assert.ok(await error.isVisible());
  const unknown = await page.evaluate(() => {
    try {
      window.ftkv.playground().loss(10, '11.0.0.0:0', '1.0.0.0:0');
      return 'accepted';
    } catch (e) {
      return e.message;
    }
  });
  assert.match(unknown, /no peer 11\.0\.0\.0:0 in this cluster/);
  assert.equal(await href(page), link, 'nothing recorded');
  await page.close();
});

test('dragging an arc along the ring partitions exactly its peers; Health shows it and ftkv replay gives the page\'s dbg.log', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const { from, to, inside, peers } = await arcOverPeers(page);
  await dragArc(page, from, to);
  const lit = await page.locator('.peer.in-arc').evaluateAll((gs) => gs.map((g) => g.dataset.peer).sort());
  assert.deepEqual(lit, inside, 'the peers in the arc are highlighted while dragging');
  assert.equal(await page.locator('#drag-layer .arc').count(), 1);
  assert.match(await page.locator('#net-status').textContent(), new RegExp(`Release to cut these ${inside.length} peer`));
  await page.mouse.up();
  assert.equal(await page.locator('.peer.in-arc').count(), 0);
  assert.equal(await page.locator('#drag-layer > *').count(), 0);
  assert.equal(await page.locator('#h-part').textContent(), '2 sides');
  const sides = await page.evaluate(() => window.ftkv.playground().ring(0).peers);
  const cut = sides.filter((p) => p.side === sides.find((q) => q.address === inside[0]).side).map((p) => p.address).sort();
  assert.deepEqual(cut, inside, 'one side is exactly the arc');
  assert.equal(sides.length, peers.length);
  const ids = inside.map((a) => Number(a.split('.')[0])).sort((a, b) => a - b).join('-');
  const recorded = await href(page);
  assert.ok(recorded.includes(`.part.${ids}&`), `${recorded} records part.${ids}`);
  assert.match(await page.locator('#net-status').textContent(), /in the dragged arc .* cut off from the other/);
  for (let i = 0; i < 10; i++) await page.getByRole('button', { name: 'Step' }).click();
  assertReplays(await href(page), await page.evaluate(() => window.ftkv.playground().dbgLog()), 'the dragged split replays natively');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Esc cancels a drag: nothing is cut or recorded', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const link = await href(page);
  const { from, to, inside } = await arcOverPeers(page);
  await dragArc(page, from, to);
  assert.equal(await page.locator('.peer.in-arc').count(), inside.length);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.peer.in-arc').count(), 0);
  assert.equal(await page.locator('#drag-layer > *').count(), 0);
  const end = await screenAt(page, (to + 0.05) % 1, R - 60);
  await page.mouse.move(end.x, end.y);
  await page.mouse.up();
  assert.match(await page.locator('#net-status').textContent(), /Drag cancelled/);
  assert.equal(await page.locator('#h-part').textContent(), 'none');
  assert.equal(await href(page), link);
  await page.close();
});

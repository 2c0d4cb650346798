// The ring at every cluster size, in a real browser (Debian's Chromium,
// headless): every peer clickable where it is drawn, the search box at
// 1,000 peers, floating labels, doubt badges, the speed the page offers and
// the Time slider's coalesced seeks. Needs www/pkg (wasm-pack build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage } from './harness.mjs';

const ctx = useBrowser();

/** A fresh cluster of `peers` peers from seed `seed`, through the controls. */
async function reset(page, peers, seed = '7') {
  await page.getByLabel('Peers', { exact: true }).fill(String(peers));
  await page.getByLabel('Seed', { exact: true }).fill(seed);
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-peer]').length === n
    && document.getElementById('time').value === String(window.ftkv.playground().tick()), peers);
}

/** Every peer's circle on screen: centre, radius, address. */
function circles(page) {
  return page.locator('.peer circle').evaluateAll((cs) => cs.map((c) => {
    const r = c.getBoundingClientRect();
    return { peer: c.parentNode.dataset.peer, x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2 };
  }));
}

/** The bounding box of the visible floating label in `selector`, with its text. */
function floatLabel(page, selector) {
  return page.evaluate((sel) => {
    const g = document.querySelector(sel);
    if (!g || g.getAttribute('visibility') !== 'visible') return null;
    const r = g.getBoundingClientRect();
    return { text: g.textContent, x: r.x, y: r.y, width: r.width, height: r.height };
  }, selector);
}

test('at 10 peers (several seeds, two peers hashing close) and at 16 and 100, every peer stands a diameter apart and its centre selects it', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  let close = 0;
  for (const [peers, seed] of [[10, '1'], [10, '2'], [10, '2024'], [16, '5'], [100, '7']]) {
    await reset(page, peers, seed);
    // How close the peers hash: the closest pair, in diameters of a peer.
    const tight = await page.evaluate(() => {
      const ps = window.ftkv.playground().ring(0).peers.map((p) => p.position).sort((a, b) => a - b);
      const r = Number(document.querySelector('.peer circle').getAttribute('r'));
      const gaps = ps.map((p, i) => ((ps[(i + 1) % ps.length] - p + 1) % 1) * 2 * Math.PI * 250 / (2 * r));
      return Math.min(...gaps);
    });
    if (peers === 10 && tight < 1) close++;
    await page.evaluate(() => window.scrollTo(0, 0));
    const cs = await circles(page);
    assert.equal(cs.length, peers);
    for (const a of cs) {
      for (const b of cs) {
        if (a !== b) assert.ok(Math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r, `${peers} peers, seed ${seed}: ${a.peer} and ${b.peer} overlap`);
      }
    }
    for (const c of cs) {
      await page.mouse.click(c.x, c.y);
      assert.equal(await page.locator('#insp-title').textContent(), c.peer, `${peers} peers, seed ${seed}: the centre of ${c.peer}`);
      assert.equal(await page.locator(`[data-peer="${c.peer}"]`).getAttribute('aria-selected'), 'true');
    }
    if (tight < 1) assert.ok(await page.locator('.tokens .leader').count() > 0, 'a peer drawn away from where it hashes has a leader line');
  }
  assert.ok(close > 0, 'some 10-peer ring has two peers hashing closer than a diameter');
  assert.deepEqual(errors, []);
  await page.close();
});

test('at 1,000 peers the Find a peer box selects a peer by number or address, highlights it and labels it', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await reset(page, 1000);
  const find = page.getByRole('combobox', { name: 'Find a peer' });
  // Peer 412 is the one with id 411: address 156.1.0.0:0 (little-endian bytes of 412).
  await find.fill('412');
  await find.press('Enter');
  assert.equal(await page.locator('#insp-title').textContent(), '156.1.0.0:0');
  const peer = page.locator('[data-peer="156.1.0.0:0"]');
  assert.equal(await peer.getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('.peer[aria-selected=true]').count(), 1);
  assert.match(await page.locator('#find-status').textContent(), /156\.1\.0\.0:0 selected/);
  // The ring marks it: a ring around its circle and its label.
  const box = await peer.locator('circle').boundingBox();
  const ring = await page.locator('#label-layer .select-ring').boundingBox();
  assert.ok(ring && Math.abs(ring.x + ring.width / 2 - (box.x + box.width / 2)) < 1 && ring.width > box.width, 'a ring around the peer');
  assert.equal((await floatLabel(page, '#label-layer .float.selected'))?.text, '156.1.0.0:0');

  // By address, from the keyboard; a name that is no peer says so.
  await find.fill('');
  await find.focus();
  await page.keyboard.type('peer 5');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#insp-title').textContent(), '5.0.0.0:0');
  await find.fill('1001');
  await find.press('Enter');
  assert.equal(await page.locator('#find-status').textContent(), 'no peer "1001" in this cluster');
  assert.equal(await find.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#insp-title').textContent(), '5.0.0.0:0', 'the selection stays');
  assert.equal(await page.locator('#peer-names option').count(), 1000, 'every peer is suggested');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the hovered or focused peer is labelled at 100 and 1,000 peers, the selected one always', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  for (const peers of [100, 1000]) {
    await reset(page, peers);
    await page.evaluate(() => window.scrollTo(0, 0));
    assert.equal(await page.locator('.peer text').count(), 0, `no label per peer at ${peers} peers`);
    const cs = await circles(page);
    // Peers whose centres stand apart on screen (at 1,000 peers some coincide).
    const apart = cs.filter((a) => cs.every((b) => a === b || Math.hypot(a.x - b.x, a.y - b.y) > 4));
    const target = apart[Math.floor(apart.length / 3)];
    await page.mouse.move(target.x, target.y);
    const hovered = await floatLabel(page, '#label-layer .float:not(.selected)');
    assert.equal(hovered?.text, target.peer, `hovering ${target.peer} at ${peers} peers`);
    // Click it: its label stays once the pointer leaves the ring.
    await page.mouse.click(target.x, target.y);
    await page.mouse.move(1, 1);
    assert.equal(await floatLabel(page, '#label-layer .float:not(.selected)'), null, 'no hover label off the ring');
    assert.equal((await floatLabel(page, '#label-layer .float.selected'))?.text, target.peer);
    // Focus (keyboard) labels a peer too.
    const other = apart[Math.floor((2 * apart.length) / 3)].peer;
    await page.locator(`[data-peer="${other}"]`).focus();
    assert.equal((await floatLabel(page, '#label-layer .float:not(.selected)'))?.text, other);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('doubt badges show only when someone doubts the peer, outside the partition halo, and not beyond 64 peers', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await reset(page, 10);
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.deepEqual(await page.locator('.doubt').evaluateAll((ds) => ds.map((d) => d.textContent).filter(Boolean)), [], 'no doubts yet');
  const address = '3.0.0.0:0';
  await page.locator(`[data-peer="${address}"]`).click();
  await page.getByRole('button', { name: 'Isolate' }).click();
  for (let i = 0; i < 10; i++) await page.getByRole('button', { name: 'Step' }).click();
  const doubt = page.locator(`[data-peer="${address}"] .doubt`);
  assert.match(await doubt.textContent(), /^\d+\? \d+✗$/);
  // Every badge stands clear of its peer's halo (the partition's colour ring).
  const clear = await page.evaluate(() => [...document.querySelectorAll('.peer')].map((g) => {
    const d = g.querySelector('.doubt');
    if (!d.textContent) return null;
    const c = g.querySelector('circle').getBoundingClientRect();
    const [cx, cy] = [c.x + c.width / 2, c.y + c.height / 2];
    const halo = [...document.querySelectorAll('#side-layer .halo')].map((h) => h.getBoundingClientRect())
      .find((h) => Math.hypot(h.x + h.width / 2 - cx, h.y + h.height / 2 - cy) < 1);
    const b = d.getBoundingClientRect();
    const nx = Math.max(b.x, Math.min(cx, b.x + b.width));
    const ny = Math.max(b.y, Math.min(cy, b.y + b.height));
    return { peer: g.dataset.peer, gap: Math.hypot(nx - cx, ny - cy) - halo.width / 2 };
  }).filter(Boolean));
  assert.ok(clear.length >= 1);
  for (const c of clear) assert.ok(c.gap >= 0, `${c.peer}'s badge is ${c.gap.toFixed(1)} px into its halo`);
  await reset(page, 100);
  assert.equal(await page.locator('.doubt').count(), 0, 'no badges at 100 peers');
  assert.match(await page.locator('.peer title').first().textContent(), /suspect it/, 'the title still tells');
  assert.deepEqual(errors, []);
  await page.close();
});

test('at 1,000 peers the page offers the speed it keeps up with, says so, and pauses at once', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await reset(page, 1000);
  await page.evaluate(() => window.ftkv.playground().step(150)); // past the joins: a tick costs the most
  await page.locator('#speed').fill('240');
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForTimeout(2500);
  const out = page.locator('#speed-out');
  const m = /^(\d+) \(of 240\)$/.exec(await out.textContent());
  assert.ok(m, `the readout says the speed is capped: "${await out.textContent()}"`);
  assert.ok(Number(m[1]) < 240);
  assert.match(await out.getAttribute('title'), /keeps up with about \d+ ticks\/s at this size: a tick takes \d+ ms/);
  // Pause: from when the click is due (queued behind the frame running, as
  // a real click would be) to the frame that shows it paused.
  const pauseMs = await page.evaluate(() => new Promise((done) => {
    const due = performance.now() + 25;
    setTimeout(() => {
      document.getElementById('run').click();
      requestAnimationFrame(() => done(performance.now() - due));
    }, 25);
  }));
  assert.equal(await page.locator('#run').textContent(), 'Run');
  assert.ok(pauseMs < 250, `Pause took ${pauseMs.toFixed(0)} ms`);
  const tick = await page.evaluate(() => window.ftkv.playground().tick());
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.ftkv.playground().tick()), tick, 'no tick after Pause');
  await page.locator('#speed').fill('1');
  assert.equal(await out.textContent(), '1', 'a speed the page keeps up with is shown as is');
  assert.deepEqual(errors, []);
  await page.close();
});

test('dragging the Time slider seeks once a frame, to the last value, and letting go settles it on the tick shown', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await reset(page, 10);
  for (let i = 0; i < 20; i++) await page.getByRole('button', { name: 'Step' }).click();
  const seeks = await page.evaluate(() => new Promise((done) => {
    const pg = window.ftkv.playground();
    const seek = pg.seek.bind(pg);
    let n = 0;
    pg.seek = (t) => { n++; return seek(t); };
    const time = document.getElementById('time');
    // One frame's worth of pointer moves: many input events, no change yet.
    for (let t = 40; t >= 12; t--) {
      time.value = String(t);
      time.dispatchEvent(new Event('input', { bubbles: true }));
    }
    requestAnimationFrame(() => requestAnimationFrame(() => done({ n, tick: pg.tick(), shown: document.getElementById('tick').dataset.tick })));
  }));
  assert.deepEqual(seeks, { n: 1, tick: 12, shown: '12' }, 'one seek, to where the thumb ended');
  const time = page.getByRole('slider', { name: 'Time', exact: true });
  await time.fill('30');
  assert.equal(await page.locator('[data-tick]').getAttribute('data-tick'), '30', 'a change seeks at once');
  assert.equal(await time.inputValue(), '30');
  assert.deepEqual(errors, []);
  await page.close();
});

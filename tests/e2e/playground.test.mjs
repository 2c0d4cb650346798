// The playground in a real browser (Debian's Chromium, headless), as a
// person uses it. Needs www/pkg (wasm-pack build) and target/release/ftkv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, openPage, root, runUntil } from './harness.mjs';

const ctx = useBrowser();

const tickOf = async (page) => Number(await page.locator('[data-tick]').getAttribute('data-tick'));
const health = async (page, id) => Number(await page.locator(`#${id}`).textContent());

test('the page loads with 10 peers, a legend and no console errors', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  assert.equal(await page.locator('[data-peer]').count(), 10);
  assert.equal(await page.locator('[data-peer][data-state=alive]').count(), 10);
  assert.ok(await page.getByText('replica of the selected key').isVisible());
  assert.equal(await health(page, 'h-keys'), 5, 'a few keys are already written');
  assert.match(page.url(), /#v=1&peers=10&seed=\d+&tick=\d+&do=.*&sum=[0-9a-f]{8}$/);
  mkdirSync(join(root, 'target', 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(root, 'target', 'screenshots', 'playground.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Step advances the tick by one', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const before = await tickOf(page);
  await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await tickOf(page), before + 1);
  await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await tickOf(page), before + 2);
  await page.close();
});

test('Fail turns a peer failed, the ring notices and heals', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  // Fail a peer that holds keys.
  const holder = await page.evaluate(() => {
    const v = window.ftkv.playground().ring(0);
    return v.peers.find((p) => p.keys > 0).address;
  });
  await page.locator(`[data-peer="${holder}"]`).click();
  await page.getByRole('button', { name: 'Fail' }).click();
  assert.equal(await page.locator(`[data-peer="${holder}"]`).getAttribute('data-state'), 'failed');
  assert.ok(await health(page, 'h-under') > 0, 'its keys are under-replicated');
  // Re-replication may finish before the last peer removes the failed one
  // (one holder's ring change is enough): wait for both.
  const healedWithout = (failed) => {
    const pg = window.ftkv.playground();
    const listed = pg.ring(0).peers.filter((p) => p.state === 'alive')
      .some((p) => pg.peer(p.address).members.some((m) => m.address === failed));
    return Number(document.querySelector('#h-under').textContent) === 0 && !listed;
  };
  await runUntil(page, healedWithout, holder);
  assert.equal(await health(page, 'h-under'), 0);
  assert.equal(await health(page, 'h-failed'), 1);
  // Every other live peer removed it from its list.
  assert.ok(await page.evaluate(healedWithout, holder));
  // Recover brings it back with its stored keys, and it rejoins.
  await page.getByRole('button', { name: 'Recover' }).click();
  assert.equal(await page.locator(`[data-peer="${holder}"]`).getAttribute('data-state'), 'alive');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a create reaches quorum and a read returns the value', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('Key', { exact: true }).fill('mango');
  await page.getByLabel('Value', { exact: true }).fill('orange');
  await page.getByRole('button', { name: 'Create' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  const outcome = page.locator('#outcome');
  assert.match(await outcome.textContent(), /CREATE "mango"/);
  assert.match(await outcome.textContent(), /quorum reached: success \(quorum 2: 3 replicas succeeded, 0 failed, 0 silent/);
  await page.getByRole('button', { name: 'Read' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.match(await outcome.textContent(), /quorum reached: success.*value "orange"/);
  assert.equal(await page.locator('.peer.replica').count(), 3, 'its 3 replicas are highlighted');
  await page.close();
});

test('the transaction lists every replica asked, why it refused, and the verdict', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('Key', { exact: true }).fill('tx-test-key');
  await page.getByLabel('Value', { exact: true }).fill('a'.repeat(4096));
  await page.getByRole('button', { name: 'Create' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  const region = page.getByRole('region', { name: 'Transaction' });
  const text = await region.textContent();
  assert.match(text, /value "a{80}… \(4096 characters\)"/, 'a long value is clipped');
  assert.ok(!text.includes('a'.repeat(81)), 'and shown once');
  await region.getByRole('button', { name: 'show all 4096 characters' }).click();
  assert.equal((await region.textContent()).split('a'.repeat(4096)).length, 2, 'expanded: the whole value, once');
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.ok((await region.textContent()).includes('a'.repeat(4096)), 'it stays expanded as time runs');
  await region.getByRole('button', { name: 'show less' }).click();
  assert.ok(!(await region.textContent()).includes('a'.repeat(81)), 'and clips again');
  // The same create again: every replica refuses it and says why; no value is shown.
  await page.getByLabel('Value', { exact: true }).fill('red');
  await page.getByRole('button', { name: 'Create' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await region.locator('[data-reply="fail"]').count(), 3);
  assert.match(await region.textContent(), /fail: exists at tick/);
  assert.match(await region.textContent(), /fail: exists \(quorum 2: 0 replicas succeeded, 3 failed, 0 silent/);
  assert.ok(!(await region.textContent()).includes('value "red"'), 'a failed create shows no value');
  // Two replicas down: they stay silent and the update times out.
  const replicas = await region.locator('li').evaluateAll((lis) => lis.map((li) => li.textContent.split(':')[0] + ':0'));
  for (const peer of replicas.slice(1)) {
    // Peers that hash close together may cover each other (issue 8): select by event.
    await page.locator(`[data-peer="${peer}"]`).dispatchEvent('click');
    await page.getByRole('button', { name: 'Fail' }).click();
  }
  await page.getByLabel('Coordinator').selectOption(replicas[0]);
  await page.getByRole('button', { name: 'Update' }).click();
  for (let i = 0; i < 12; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await region.locator('[data-reply="none"]').count(), 2);
  assert.match(await region.textContent(), /fail: timed out/);
  await page.close();
});

test('messages in flight never catch a click on a peer', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.ok(await page.locator('#msg-layer > *').count() > 0, 'messages are drawn');
  const boxes = await page.locator('.peer circle').evaluateAll((cs) => cs.map((c) => {
    const r = c.getBoundingClientRect();
    return { peer: c.parentNode.dataset.peer, x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2 };
  }));
  // Peers that hash close together may still cover each other (issue 8).
  const clear = boxes.filter((a) => boxes.every((b) => a === b || Math.hypot(a.x - b.x, a.y - b.y) > a.r + b.r));
  assert.ok(clear.length >= 5, `${clear.length} peers stand apart`);
  for (const b of clear) {
    await page.mouse.click(b.x, b.y);
    assert.equal(await page.locator('#insp-title').textContent(), b.peer, `the centre of ${b.peer}`);
  }
  await page.close();
});

test('each peer shows what the others believe of it; a failed peer\'s view is frozen', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  for (let i = 0; i < 30; i++) await page.getByRole('button', { name: 'Step' }).click();
  const peer = page.locator('.peer').first();
  const address = await peer.getAttribute('data-peer');
  assert.equal(await peer.getAttribute('data-believed'), 'alive');
  await peer.dispatchEvent('click');
  await page.getByRole('button', { name: 'Fail' }).click();
  assert.match(await page.locator('#insp-summary').textContent(), /its view below is frozen/);
  for (let i = 0; i < 8; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await peer.getAttribute('data-believed'), 'suspected', `${address} after 8 silent ticks`);
  assert.match(await peer.locator('title').textContent(), /\d+ suspect it/);
  assert.match(await peer.locator('.doubt').textContent(), /^\d+\? \d+✗$/);
  for (let i = 0; i < 20; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await peer.getAttribute('data-believed'), 'removed', `${address} after 28 silent ticks`);
  await page.close();
});

test('a preset replays a classic test case to full marks: 90 / 90', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('Seed', { exact: true }).fill('2024');
  await page.getByLabel('Preset', { exact: true }).selectOption('read');
  await runUntil(page, () => document.querySelector('#grade-family').textContent.includes('grader'));
  assert.equal(await page.locator('#grade-total').textContent(), '40 / 40');
  assert.match(await page.locator('#grade-family').textContent(), /key-value grader, seed 2024: 90 \/ 90/);
  assert.equal(await tickOf(page), 700);
  await page.screenshot({ path: join(root, 'target', 'screenshots', 'preset.png') });
  await page.close();
});

test('a share link reopens in a fresh page in the same state, and its dbg.log equals ftkv replay', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.locator('[data-peer="6.0.0.0:0"]').click();
  await page.getByRole('button', { name: 'Fail' }).click();
  await page.getByLabel('Key', { exact: true }).fill('<b>bold</b> & "quoted"');
  await page.getByLabel('Value', { exact: true }).fill('x;y.z&w#1%');
  await page.getByRole('button', { name: 'Create' }).click();
  await runUntil(page, () => Number(document.querySelector('[data-tick]').dataset.tick) >= 90, undefined, '60');
  const link = page.url();
  const state = (p) => p.evaluate(() => {
    const pg = window.ftkv.playground();
    const v = pg.ring(1000);
    return { tick: v.tick, peers: v.peers, keys: v.keys, health: v.health, log: pg.dbgLog() };
  });
  const original = await state(page);

  const context = await ctx.browser.newContext({ acceptDownloads: true });
  const copy = await context.newPage();
  await copy.goto(link);
  await copy.waitForSelector('body[data-ready=true]');
  assert.equal(await copy.locator('#error').isHidden(), true);
  assert.deepEqual(await state(copy), original);
  assert.equal(await copy.locator('[data-peer="6.0.0.0:0"]').getAttribute('data-state'), 'failed');
  assert.equal(copy.url(), link, 'the reopened page holds the same link');

  const [download] = await Promise.all([
    copy.waitForEvent('download'),
    copy.getByRole('link', { name: 'Download dbg.log' }).click(),
  ]);
  const fromPage = readFileSync(await download.path(), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'ftkv-replay-'));
  execFileSync(join(root, 'target', 'release', 'ftkv'), ['replay', link, '--log', join(dir, 'dbg.log')]);
  const native = readFileSync(join(dir, 'dbg.log'), 'utf8');
  assert.equal(fromPage, native, 'the ctx.browser and the CLI run one simulation');
  assert.ok(native.includes('key=<b>bold</b> & "quoted"'));
  await context.close();
  await page.close();
});

test('Isolate, Split and Heal: Health and the ring show each side, the link records them, and ftkv replay gives the page\'s dbg.log', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const part = page.locator('#h-part');
  const sides = () => page.evaluate(() => window.ftkv.playground().ring(0).peers.map((p) => ({ address: p.address, side: p.side, position: p.position })));
  assert.equal(await part.textContent(), 'none');
  assert.equal(await page.locator('#side-layer > *').count(), 0);

  // Isolate: the selected peer alone on one side.
  await page.locator('[data-peer="3.0.0.0:0"]').click();
  await page.getByRole('button', { name: 'Isolate', exact: true }).click();
  assert.equal(await part.textContent(), '2 sides');
  assert.equal(await part.getAttribute('class'), 'bad');
  assert.match(page.url(), /;\d+\.part\.3&sel=3&sum=/);
  const isolated = await sides();
  assert.deepEqual(isolated.filter((p) => p.side === 1).map((p) => p.address), ['3.0.0.0:0']);
  assert.equal(isolated.filter((p) => p.side === 0).length, 9);
  assert.equal(await page.locator('#side-layer .halo[data-side="1"]').count(), 1);
  assert.equal(await page.locator('#side-layer .halo[data-side="0"]').count(), 9);
  assert.equal(await page.locator('#side-layer .divider').count(), 2, 'one divider either side of the isolated peer');
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step' }).click();
  const link = page.url();
  const fromPage = await page.evaluate(() => window.ftkv.playground().dbgLog());
  const dir = mkdtempSync(join(tmpdir(), 'ftkv-isolate-'));
  execFileSync(join(root, 'target', 'release', 'ftkv'), ['replay', link, '--log', join(dir, 'dbg.log')]);
  assert.equal(fromPage, readFileSync(join(dir, 'dbg.log'), 'utf8'), 'the isolated run replays natively');

  // Heal: one piece again.
  await page.getByRole('button', { name: 'Heal', exact: true }).click();
  assert.equal(await part.textContent(), 'none');
  assert.equal(await page.locator('#side-layer > *').count(), 0);
  assert.ok((await sides()).every((p) => p.side === null || p.side === undefined));

  // Split: the peers in [0, ½) against those in [½, 1).
  await page.getByRole('button', { name: 'Split', exact: true }).click();
  assert.equal(await part.textContent(), '2 sides');
  assert.match(await page.locator('#net-status').textContent(), /the ring is split in two/);
  const split = await sides();
  const low = split.filter((p) => p.position < 0.5);
  const high = split.filter((p) => p.position >= 0.5);
  assert.ok(low.length > 0 && high.length > 0);
  assert.equal(new Set(low.map((p) => p.side)).size, 1, 'the low half is one side');
  assert.equal(new Set(high.map((p) => p.side)).size, 1, 'the high half is one side');
  assert.notEqual(low[0].side, high[0].side);
  assert.equal(await page.locator('#side-layer .divider').count(), 2, 'a divider at each end of the halves');
  const ids = low.map((p) => Number(p.address.split('.')[0])).sort((a, b) => a - b).join('-');
  assert.ok(page.url().includes(`.part.${ids}&`), `${page.url()} records part.${ids}`);
  await page.getByRole('button', { name: 'Heal', exact: true }).click();
  assert.equal(await part.textContent(), 'none');
  assert.match(page.url(), /\.part\.3;\d+\.heal;\d+\.part\.[\d-]+;\d+\.heal&sel=3&sum=/);
  assert.deepEqual(errors, []);
  await page.close();
});

async function hostile(fragment) {
  const errors = [];
  const page = await openPage(ctx.browser, `${ctx.server.url}#${fragment}`, errors);
  const error = page.locator('#error');
  return { page, errors, error };
}

test('hostile links are refused with a visible message and the page stays usable', async () => {
  const cases = [
    ['v=1&peers=1000000&seed=1&tick=5&sum=00000000', /checksum does not match/],
    ['garbage', /no checksum/],
    ['v=1&peers=10&seed=1&tick=50&do=20.create.1.k', /no checksum/],
  ];
  for (const [fragment, want] of cases) {
    const { page, errors, error } = await hostile(fragment);
    assert.ok(await error.isVisible(), fragment);
    assert.match(await error.textContent(), want);
    assert.equal(await page.locator('[data-peer]').count(), 10, 'a fresh scenario took its place');
    await page.getByRole('button', { name: 'Step' }).click();
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a link with markup and a huge cluster, correctly sealed, is still only data', async () => {
  // Build sealed links with the page's own Rust code, as an attacker could.
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const links = await page.evaluate(() => {
    const { Playground } = window.ftkv;
    const pg = new Playground({ peers: 5, seed: 3 });
    pg.step(30);
    pg.create('<img src=x onerror="window.pwned=1">', '<script>window.pwned=2</script>', '2.0.0.0:0');
    pg.step(5);
    return {
      markup: pg.shareLink(),
      big: Playground.seal('v=1&peers=1000000&seed=1&tick=5'),
      long: Playground.seal('v=1&peers=1000&seed=1&tick=20000'),
    };
  });
  await page.close();

  const { page: p2, errors } = await hostile(links.markup);
  assert.equal(await p2.locator('#error').isHidden(), true);
  assert.equal(await p2.locator('img').count(), 0, 'no element was injected');
  assert.equal(await p2.evaluate(() => window.pwned), undefined);
  await p2.getByLabel('Kind', { exact: true }).selectOption('*');
  assert.ok((await p2.locator('#log-list').textContent()).includes('<img src=x onerror="window.pwned=1">'));
  assert.deepEqual(errors, []);
  await p2.close();

  for (const [link, want] of [[links.big, /peers must be a whole number up to 1000/], [links.long, /past the longest replay/]]) {
    const { page: p3, error } = await hostile(link);
    assert.match(await error.textContent(), want);
    assert.equal(await p3.locator('[data-peer]').count(), 10);
    await p3.close();
  }
});

test('network faults from the page are actions in the link, and a replay keeps them', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await page.locator('[data-peer="3.0.0.0:0"]').click();
  await page.getByRole('button', { name: 'Isolate' }).click();
  assert.match(await page.locator('#net-status').textContent(), /3\.0\.0\.0:0 cut off from the rest/);
  assert.match(page.url(), /;\d+\.part\.3&sel=3&sum=/);
  await page.getByRole('button', { name: 'Heal' }).click();
  await page.getByLabel('Side').selectOption(['1.0.0.0:0', '2.0.0.0:0']);
  await page.getByRole('button', { name: 'Partition' }).click();
  await page.getByLabel('Loss').fill('30');
  await page.getByRole('button', { name: 'Set loss' }).click();
  assert.match(page.url(), /\.part\.3;\d+\.heal;\d+\.part\.1-2;\d+\.loss\.30&sel=3&sum=/);
  await page.getByLabel('Loss').fill('130');
  await page.getByRole('button', { name: 'Set loss' }).click();
  assert.match(await page.locator('#error').textContent(), /a loss in percent is a whole number from 0 to 100, not 130/);
  assert.doesNotMatch(page.url(), /loss\.130/);
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  const link = page.url();
  const copy = await openPage(ctx.browser, link, errors);
  assert.equal(copy.url(), link);
  assert.equal(await copy.locator('#error').isHidden(), true);
  assert.deepEqual(errors, []);
  await copy.close();
  await page.close();
});

test('History lists the operations and Check history shows the verdicts of a partitioned run', async () => {
  const errors = [];
  const maker = await openPage(ctx.browser, ctx.server.url, errors);
  const link = await maker.evaluate(() => {
    const pg = new window.ftkv.Playground({ peers: 10, seed: 7n, traceMessages: true });
    pg.step(40);
    pg.create('k', 'a', '1.0.0.0:0');
    pg.create('j', 'x', '6.0.0.0:0');
    pg.step(10);
    pg.partition(['1.0.0.0:0', '2.0.0.0:0', '3.0.0.0:0']);
    pg.update('k', 'b', '1.0.0.0:0');
    pg.update('k', 'c', '8.0.0.0:0');
    pg.step(3);
    pg.read('k', '2.0.0.0:0');
    pg.read('k', '9.0.0.0:0');
    pg.update('j', 'y', '2.0.0.0:0');
    pg.step(30);
    pg.heal();
    pg.read('k', '5.0.0.0:0');
    pg.update('j', 'z', '7.0.0.0:0');
    pg.step(30);
    return pg.shareLink();
  });
  await maker.close();
  assert.match(link, /\.part\.1-2-3;/);
  const page = await openPage(ctx.browser, `${ctx.server.url}#${link}`, errors);
  await page.getByRole('tab', { name: 'History' }).click();
  const rows = page.locator('#history-table tbody tr');
  assert.equal(await rows.count(), 9);
  assert.match(await page.locator('#history-summary').textContent(), /^9 operations: 6 ok, 3 failed, 0 pending/);
  const cut = rows.filter({ hasText: '1.0.0.0:0' }).filter({ hasText: 'update' });
  assert.match(await cut.textContent(), /fail: (timeout|no-quorum) \(may have applied\)/);
  await page.getByRole('button', { name: 'Check history' }).click();
  const result = page.locator('#check-result');
  assert.match(await result.textContent(), /Checked 9 operations on 2 keys at tick 113; end state not checked/);
  assert.match(await result.locator('tr', { hasText: 'j' }).first().textContent(), /j3 opslinearizable/);
  assert.match(await result.locator('tr', { hasText: 'k' }).first().textContent(), /k6 opslinearizable/);
  assert.match(await result.locator('.verdict').textContent(), /No anomaly that must be zero/);
  assert.match(await result.textContent(), /live_peer_removed \d+/, 'the cut made peers remove live ones');
  // Clicking an operation shows its transaction.
  await cut.click();
  assert.match(await page.locator('#outcome').textContent(), /UPDATE "k" via 1\.0\.0\.0:0/);
  await page.locator('#history-pane').scrollIntoViewIfNeeded();
  await page.screenshot({ path: '/tmp/history.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the History region draws one bar per request, coloured by outcome; a bar shows its transaction', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const send = async (op, key, value) => {
    await page.getByLabel('Key', { exact: true }).fill(key);
    if (value !== undefined) await page.getByLabel('Value', { exact: true }).fill(value);
    await page.getByRole('button', { name: op, exact: true }).click();
  };
  await send('Create', 'apple', 'again'); // apple exists already: fails
  await send('Read', 'apple');
  for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Step' }).click();
  await send('Update', 'apple', 'green');
  await send('Create', '<b>mango</b>', 'orange');
  await send('Read', 'nothing-here'); // not found: fails
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step' }).click();
  await send('Read', 'apple'); // still pending
  await page.getByRole('tab', { name: 'History' }).click();
  const region = page.getByRole('region', { name: 'History', exact: true });
  const want = await page.evaluate(() => window.ftkv.playground().history()
    .map((r) => ({ trans: String(r.trans), outcome: r.outcome, key: r.key })));
  const bars = region.locator('[data-trans]');
  assert.equal(await bars.count(), want.length, 'one bar per request');
  const got = await bars.evaluateAll((els) => els.map((e) => ({
    trans: e.dataset.trans, outcome: e.dataset.outcome, title: e.querySelector('title').textContent,
  })));
  assert.deepEqual(got.map(({ trans, outcome }) => ({ trans, outcome })), want.map(({ trans, outcome }) => ({ trans, outcome })));
  for (const [i, b] of got.entries()) assert.ok(b.title.includes(want[i].key), `bar ${b.trans}'s title names its key`);
  const outcomes = want.slice(-6).map((w) => w.outcome);
  assert.deepEqual(outcomes, ['fail', 'ok', 'ok', 'ok', 'fail', 'pending']);
  assert.match(got.at(-6).title, /^create "apple" "again": fail: exists/);
  // Lanes are labelled with the keys, as text.
  assert.ok(await region.locator('text', { hasText: '<b>mango</b>' }).count() >= 1);
  assert.equal(await region.locator('b').count(), 0, 'a key is never parsed as markup');
  assert.match(await region.textContent(), new RegExp(`All ${want.length} requests`));
  // Clicking a bar shows that transaction.
  const failed = got.at(-6).trans;
  await region.locator(`[data-trans="${failed}"]`).click();
  const trans = page.getByRole('region', { name: 'Transaction' });
  assert.match(await trans.textContent(), new RegExp(`CREATE "apple" via .*\\(transaction ${failed}, tick`));
  assert.match(await trans.textContent(), /fail: exists/);
  // A clean run: no key is marked after Check history.
  await page.getByRole('button', { name: 'Check history' }).click();
  assert.equal(await region.locator('[data-verdict]').count(), 0);
  // One lane per coordinator instead: the same bars, each in its coordinator's lane.
  await region.getByLabel('Lanes').selectOption('coordinator');
  const coordinators = [...new Set(await page.evaluate(() => window.ftkv.playground().history().map((r) => r.coordinator)))];
  const lanes = await region.locator('.lane').evaluateAll((gs) => gs.map((g) => g.dataset.coordinator));
  assert.deepEqual([...lanes].sort(), [...coordinators].sort(), 'one lane per coordinator');
  assert.equal(await bars.count(), want.length, 'the same bars');
  const laneY = await region.locator('.lane').evaluateAll((gs) => Object.fromEntries(gs.map((g) => {
    const r = g.querySelector('rect');
    return [g.dataset.coordinator, [Number(r.getAttribute('y')), Number(r.getAttribute('y')) + Number(r.getAttribute('height'))]];
  })));
  const inLane = await page.evaluate(([ys]) => window.ftkv.playground().history().every((r) => {
    const y = Number(document.querySelector(`#history-svg [data-trans="${r.trans}"]`).getAttribute('y'));
    const [top, bottom] = ys[r.coordinator];
    return y >= top && y < bottom;
  }), [laneY]);
  assert.ok(inLane, 'every bar sits in its coordinator\'s lane');
  assert.match(await region.textContent(), /one lane per coordinator/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('after Check history a non-linearizable key is marked on its lane, with the checker\'s sentence', async () => {
  const errors = [];
  // R = W = 1, one replica of k cut off: the read through it returns the
  // older value after the update was acknowledged.
  const link = await (async () => {
    const maker = await openPage(ctx.browser, ctx.server.url, errors);
    const l = await maker.evaluate(() => window.ftkv.Playground.seal(
      'v=1&peers=10&seed=7&rep=3.1.1&tick=75&do=40.create.1.k.a;40.create.6.j.x;45.part.1;45.update.7.k.b;50.read.1.k;50.read.6.j;70.heal'));
    await maker.close();
    return l;
  })();
  const page = await openPage(ctx.browser, `${ctx.server.url}#${link}`, errors);
  await page.getByRole('tab', { name: 'History' }).click();
  const region = page.getByRole('region', { name: 'History', exact: true });
  assert.equal(await region.locator('[data-trans]').count(), 5);
  assert.equal(await region.locator('[data-verdict]').count(), 0, 'no verdict before a check');
  await page.getByRole('button', { name: 'Check history' }).click();
  const marked = region.locator('[data-verdict="non-linearizable"]');
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.evaluate((e) => e.closest('[data-key]').dataset.key), 'k');
  assert.equal(await marked.evaluate((e) => e.firstChild.textContent), '✗ k', 'visibly marked');
  assert.match(await region.textContent(), /k: not linearizable — read \d+ returned "a" .* after update \d+ "b" .* was acknowledged/);
  assert.equal(await region.locator('.bar.culprit').count(), 2, 'the read and the update it missed are highlighted');
  await region.scrollIntoViewIfNeeded();
  mkdirSync(join(root, 'target', 'screenshots'), { recursive: true });
  await region.screenshot({ path: join(root, 'target', 'screenshots', 'history.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

/** Fills the settings panel (label → value) and applies it. */
async function applySettings(page, values) {
  for (const [label, value] of Object.entries(values)) {
    const field = page.getByLabel(label, { exact: true });
    if (typeof value === 'boolean') await field.setChecked(value);
    else if (label === 'Read repair' || label === 'Anti-entropy') await field.selectOption(value);
    else await field.fill(String(value));
  }
  await page.getByRole('button', { name: 'Apply settings' }).click();
}

test('the settings panel builds a new cluster with its settings, and a link brings them back', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const panel = page.getByRole('group', { name: 'Cluster settings' });
  assert.equal(await panel.getByLabel('N replicas').inputValue(), '3', 'the default cluster shows N');
  await page.getByLabel('Seed', { exact: true }).fill('77');
  await applySettings(page, {
    'N replicas': 5, 'R read quorum': 3, 'W write quorum': 3, 'Virtual nodes': 16,
    'Read repair': 'blocking', 'Hinted handoff': true, 'Anti-entropy': 'merkle', 'Anti-entropy period': 30,
  });
  await page.waitForFunction(() => location.hash.includes('rep=5.3.3'));
  const link = page.url();
  assert.match(link, /[#&]seed=77&/);
  for (const field of ['rep=5.3.3', 'vn=16', 'rr=blocking', 'hh=on']) assert.ok(link.includes(`&${field}`), `${field} in ${link}`);
  assert.match(link, /&ae=merkle/);
  assert.equal(await page.locator('#settings-now').textContent(),
    'n=5,r=3,w=3,read-repair=blocking,vnodes=16,hinted-handoff=on,ae=merkle,ae-period=30');
  assert.match(await page.locator('#outcome').textContent(), /key's 5 replicas; a read needs 3 of them to answer, a write 3/);
  // A create now waits for 3 replicas of 5.
  await page.getByLabel('Key', { exact: true }).fill('fig');
  await page.getByRole('button', { name: 'Create' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  assert.match(await page.locator('#outcome').textContent(), /quorum reached: success \(quorum 3: 5 replicas succeeded/);
  assert.equal(await page.locator('.peer.replica').count(), 5, 'its 5 replicas are highlighted');
  // The link in a fresh page shows the same settings in the panel.
  const again = await openPage(ctx.browser, page.url(), errors);
  const values = async (p) => p.evaluate(() => ['set-n', 'set-r', 'set-w', 'set-vnodes', 'set-read-repair', 'set-ae', 'set-ae-period']
    .map((id) => document.getElementById(id).value).concat(document.getElementById('set-hinted-handoff').checked));
  assert.deepEqual(await values(again), ['5', '3', '3', '16', 'blocking', 'merkle', '30', true]);
  assert.deepEqual(await values(again), await values(page));
  assert.deepEqual(errors, []);
  await again.close();
  await page.close();
});

test('an invalid setting shows its error next to the panel and leaves the cluster running', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const link = page.url();
  await applySettings(page, { 'N replicas': 3, 'R read quorum': 4 });
  const error = page.locator('#settings-error');
  assert.ok(await error.isVisible());
  assert.match(await error.textContent(), /R must be from 1 to N = 3, not 4/);
  assert.equal(page.url(), link, 'the old cluster stays');
  await applySettings(page, { 'R read quorum': 2, 'Virtual nodes': 300 });
  assert.match(await error.textContent(), /Virtual nodes must be a whole number from 1 to 256, not "300"/);
  // The core checks what the panel cannot: peers × tokens.
  await page.getByLabel('Peers', { exact: true }).fill('1000');
  await applySettings(page, { 'Virtual nodes': 256 });
  assert.match(await error.textContent(), /peers × vnodes must be at most/);
  await page.getByLabel('Peers', { exact: true }).fill('10');
  await applySettings(page, { 'Virtual nodes': 4 });
  assert.ok(await error.isHidden());
  assert.match(page.url(), /&vn=4/);
  await page.getByRole('button', { name: 'Step' }).click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the load view shows a bar per peer and how even the load is, with 1 and with 64 virtual nodes', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const load = page.getByRole('region', { name: 'Load' });
  const spread = {};
  for (const vnodes of [1, 64]) {
    await page.getByLabel('Peers', { exact: true }).fill('10');
    await page.getByLabel('Seed', { exact: true }).fill('5');
    await applySettings(page, { 'Virtual nodes': vnodes });
    for (let i = 0; i < 3; i++) await load.getByRole('button', { name: 'Write 100 keys' }).click();
    await runUntil(page, () => Number(document.querySelector('#h-keys').textContent) >= 305 &&
      Number(document.querySelector('#h-under').textContent) === 0);
    // The chart is drawn while on screen: look at it.
    await load.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => /305 keys/.test(document.querySelector('#load-stats').textContent));
    assert.equal(await load.locator('.bar').count(), 10);
    const stats = await page.locator('#load-stats').textContent();
    assert.match(stats, /^min \d+ · mean \d+\.\d · max \d+ · max\/mean \d\.\d\d/);
    assert.match(stats, new RegExp(`305 keys × N=3 on 10 live peers, ${vnodes} virtual nodes? each`));
    const keys = await load.locator('.bar').evaluateAll((bars) => bars.map((b) => Number(b.dataset.keys)));
    assert.equal(keys.reduce((a, b) => a + b, 0), 305 * 3, 'every key on N peers');
    spread[vnodes] = Number(await page.locator('#load-stats').getAttribute('data-max-over-mean'));
  }
  assert.ok(spread[64] < spread[1], `max/mean ${spread[64]} with 64 tokens, ${spread[1]} with 1`);
  await page.close();
});

test('Measure staleness draws p(t); with R = W = 1 it starts below 1, with R = W = 2 it is 1', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const staleness = page.getByRole('region', { name: 'Staleness' });
  const chart = page.locator('#staleness-chart');
  await staleness.getByRole('button', { name: 'Measure staleness' }).click();
  assert.equal(await chart.getAttribute('data-last-p'), '1');
  assert.equal(await chart.locator('polyline.curve').count(), 1);
  assert.match(await page.locator('#staleness-stats').textContent(), /^n=3,r=2,w=2, link delays 1 to 10 ticks: p\(0\) = 1\.000/);
  await applySettings(page, { 'R read quorum': 1, 'W write quorum': 1 });
  assert.equal(await chart.locator('polyline').count(), 0, 'a new cluster clears the old curve');
  await staleness.getByRole('button', { name: 'Measure staleness' }).click();
  assert.equal(await chart.getAttribute('data-last-p'), '1');
  assert.ok(Number(await chart.getAttribute('data-points')) > 2);
  const first = await chart.locator('circle.point').first().getAttribute('cy');
  const last = await chart.locator('circle.point').last().getAttribute('cy');
  assert.ok(Number(first) > Number(last), 'the curve climbs');
  assert.match(await page.locator('#staleness-stats').textContent(), /^n=3,r=1,w=1, .*p\(0\) = 0\.\d+/);
  // The page with the tuning panels, for the README: a few hundred keys on 16 tokens per peer.
  await applySettings(page, { 'Virtual nodes': 16 });
  await staleness.getByRole('button', { name: 'Measure staleness' }).click();
  for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Write 100 keys' }).click();
  for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Step' }).click();
  await page.getByRole('button', { name: 'Back' }).click(); // the time slider and its note in the picture
  await page.setViewportSize({ width: 1366, height: 1500 });
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync(join(root, 'target', 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(root, 'target', 'screenshots', 'tuning.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

/** What the page shows: the tick, the health numbers, each peer's state, the event log, dbg.log and the link. */
const shown = (p) => p.evaluate(() => {
  const text = (sel) => document.querySelector(sel).textContent;
  const pg = window.ftkv.playground();
  return {
    tick: Number(document.querySelector('[data-tick]').dataset.tick),
    health: ['h-alive', 'h-failed', 'h-keys', 'h-under', 'h-quorum', 'h-flight'].map((id) => text(`#${id}`)),
    peers: [...document.querySelectorAll('[data-peer]')].map((g) => `${g.dataset.peer} ${g.dataset.state}`),
    events: text('#log-list'),
    history: pg.history(),
    log: pg.dbgLog(),
    link: location.hash,
  };
});

/** A run with a fail (peer 6 at tick 35) and a create, to tick `until` or a little past. */
async function runWithFailAndCreate(page, until) {
  await page.locator('[data-peer="6.0.0.0:0"]').click();
  await page.getByRole('button', { name: 'Fail' }).click();
  await page.getByLabel('Key', { exact: true }).fill('lime');
  await page.getByLabel('Value', { exact: true }).fill('green');
  await page.getByRole('button', { name: 'Create' }).click();
  await runUntil(page, (t) => Number(document.querySelector('[data-tick]').dataset.tick) >= t, until, '60');
  return tickOf(page);
}

test('the time slider shows any earlier tick as its link does; forward, Back, ← and → and Run replay the run', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const horizon = await runWithFailAndCreate(page, 80);
  const original = await shown(page);
  const time = page.getByRole('slider', { name: 'Time', exact: true });
  const note = page.locator('#past-note');
  assert.equal(await time.getAttribute('max'), String(horizon));
  assert.equal(await time.inputValue(), String(horizon));
  assert.ok(await note.isHidden(), 'no note at the horizon');

  for (const t of [50, 20]) {
    await time.fill(String(t));
    assert.equal(await tickOf(page), t);
    const past = await shown(page);
    assert.match(past.link, new RegExp(`&tick=${t}&`));
    assert.ok(await note.isVisible());
    assert.equal(await note.textContent(), `Viewing tick ${t} of ${horizon} — acting here forks the run: later actions are dropped.`);
    assert.equal(await time.getAttribute('max'), String(horizon), 'the horizon stays');
    // A fresh page opened from the link cut at t shows the same.
    const copy = await openPage(ctx.browser, `${ctx.server.url}${past.link}`, errors);
    assert.deepEqual(await shown(copy), past);
    await copy.close();
  }
  const at20 = await shown(page);
  assert.equal(at20.health[2], '0', 'no key written yet at tick 20');
  assert.ok(!at20.peers.includes('6.0.0.0:0 failed'), 'peer 6 fails at tick 35');
  // The peer inspector and the transaction redraw for the tick too.
  assert.doesNotMatch(await page.locator('#insp-summary').textContent(), /^failed/);
  assert.match(await page.getByRole('region', { name: 'Transaction' }).textContent(), /^Transaction \d+ is not in the run at tick 20: it is sent later, or acting in the past dropped it\.$/);
  await time.fill('50');
  assert.match(await page.locator('#insp-summary').textContent(), /^failed/);
  assert.match(await page.getByRole('region', { name: 'Transaction' }).textContent(), /CREATE "lime"/);

  // Forward to the horizon: the recorded run, as it was.
  await time.fill(String(horizon));
  assert.deepEqual(await shown(page), original);
  assert.ok(await note.isHidden());

  // Back and ← go one tick back, → one forward (replaying), not from a text field.
  await page.getByRole('button', { name: 'Back' }).click();
  assert.equal(await tickOf(page), horizon - 1);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await tickOf(page), horizon - 3);
  await page.keyboard.press('ArrowRight');
  assert.equal(await tickOf(page), horizon - 2);
  await page.getByLabel('Key', { exact: true }).press('ArrowLeft');
  assert.equal(await tickOf(page), horizon - 2, 'the text field keeps its arrow keys');
  await time.press('ArrowLeft');
  assert.equal(await tickOf(page), horizon - 3, 'the focused slider moves one tick, not two');
  assert.equal(await time.getAttribute('max'), String(horizon));

  // Run from tick 10 replays the recorded run through the horizon and on.
  await time.fill('10');
  await runUntil(page, (t) => Number(document.querySelector('[data-tick]').dataset.tick) > t, horizon, '60');
  await time.fill(String(horizon));
  assert.deepEqual(await shown(page), original);
  assert.deepEqual(errors, []);
  await page.close();
});

test('acting in the past forks the run: the link changes, and ftkv replay of it gives the page\'s dbg.log', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const horizon = await runWithFailAndCreate(page, 80);
  const original = page.url();
  await page.getByRole('slider', { name: 'Time', exact: true }).fill('50');
  await page.locator('[data-peer="3.0.0.0:0"]').click();
  await page.getByRole('button', { name: 'Fail' }).click();
  const forked = page.url();
  assert.notEqual(forked, original);
  assert.match(forked, /&tick=50&do=.*;50\.fail\.3&sel=3&key=lime&tx=\d+&sum=/);
  assert.equal(await page.getByRole('slider', { name: 'Time', exact: true }).getAttribute('max'), '50', 'the fork is the new horizon');
  assert.ok(await page.locator('#past-note').isHidden());
  assert.ok(horizon > 50);
  for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step' }).click();
  const link = page.url();
  assert.match(link, /&tick=55&/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download dbg.log' }).click(),
  ]);
  const fromPage = readFileSync(await download.path(), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'ftkv-fork-'));
  execFileSync(join(root, 'target', 'release', 'ftkv'), ['replay', link, '--log', join(dir, 'dbg.log')]);
  assert.equal(fromPage, readFileSync(join(dir, 'dbg.log'), 'utf8'), 'the forked run replays natively');
  assert.ok(fromPage.includes('3.0.0.0:0'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard only: Tab to a peer, → to the next in ring order, Enter selects it, Tab to Fail and Enter fails it', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  assert.notEqual(await page.locator('#ring').getAttribute('role'), 'img', 'the ring is not only a picture');
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return a?.dataset?.peer ?? a?.id ?? '';
  });
  const tabTo = async (predicate, what) => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (predicate(await focused())) return;
    }
    assert.fail(`Tab never reached ${what}`);
  };
  const addresses = new Set(await page.locator('[data-peer]').evaluateAll((gs) => gs.map((g) => g.dataset.peer)));
  await tabTo((f) => addresses.has(f), 'a peer');
  const order = await page.evaluate(() => [...window.ftkv.playground().ring(0).peers]
    .sort((a, b) => a.position - b.position).map((p) => p.address));
  const first = await focused();
  const tick = await tickOf(page);
  await page.keyboard.press('ArrowRight');
  const second = await focused();
  assert.equal(second, order[(order.indexOf(first) + 1) % order.length], '→ moves to the next peer in ring order');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(), second, '← moves back');
  assert.equal(await tickOf(page), tick, 'arrows on a peer do not step time');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#insp-title').textContent(), second, 'Enter selects the focused peer');
  assert.equal(await page.locator(`[data-peer="${second}"]`).getAttribute('aria-selected'), 'true');
  await tabTo((f) => f === 'fail', 'Fail');
  await page.keyboard.press('Enter');
  const peer = page.locator(`[data-peer="${second}"]`);
  assert.equal(await peer.getAttribute('data-state'), 'failed');
  assert.match(await peer.getAttribute('aria-label'), new RegExp(`^peer ${second.replace(/\./g, '\\.')}, failed, \\d+ keys?$`));
  assert.notEqual(await peer.locator('.state-mark').getAttribute('d'), '', 'a failed peer is crossed out, not only red');
  // Space selects too.
  await page.locator(`[data-peer="${first}"]`).focus();
  await page.keyboard.press(' ');
  assert.equal(await page.locator('#insp-title').textContent(), first);
  assert.deepEqual(errors, []);
  await page.close();
});

test('every peer has an accessible name with its state and keys; at 100 peers every hit area is 24 px or more', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const names = async () => page.locator('[data-peer]').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')));
  for (const name of await names()) assert.match(name, /^peer .+, (alive|failed|not started), \d+ keys?$/);
  assert.equal(await page.getByRole('listbox', { name: 'Peers in ring order' }).getByRole('option', { name: /^peer / }).count(), 10);
  await applySettings(page, { Peers: 100 });
  await page.waitForFunction(() => document.querySelectorAll('[data-peer]').length === 100);
  const all = await names();
  assert.equal(all.length, 100);
  for (const name of all) assert.match(name, /^peer .+, (alive|failed|not started), \d+ keys?$/);
  await page.evaluate(() => window.scrollTo(0, 0)); // Apply settings scrolled down
  const peers = await page.locator('[data-peer]').evaluateAll((gs) => gs.map((g) => {
    const r = g.getBoundingClientRect();
    const c = g.querySelector('circle').getBoundingClientRect();
    return { peer: g.dataset.peer, width: r.width, height: r.height, x: c.x + c.width / 2, y: c.y + c.height / 2 };
  }));
  for (const p of peers) assert.ok(p.width >= 24 && p.height >= 24, `${p.peer} is ${p.width} × ${p.height} px`);
  // Hit areas of close peers overlap, but a peer's centre still selects that
  // peer (peers a pixel or two apart are told apart by keyboard instead).
  const apart = peers.filter((a) => peers.every((b) => a === b || Math.hypot(a.x - b.x, a.y - b.y) > 4));
  assert.ok(apart.length >= 25, `${apart.length} peers stand apart`);
  for (const p of apart.slice(0, 25)) {
    await page.mouse.click(p.x, p.y);
    assert.equal(await page.locator('#insp-title').textContent(), p.peer, `the centre of ${p.peer}`);
  }
  await page.close();
});

test('Health counts a key lost when every live copy of an acknowledged write is gone, and not once a holder is back', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const lost = page.locator('#h-lost');
  assert.equal(await lost.textContent(), '0');
  // apple's holders, and how many keys (apple among them) live on those alone.
  const [holders, doomed] = await page.evaluate(() => {
    const v = window.ftkv.playground().ring(0);
    const ids = v.keys.find((k) => k.key === 'apple').holders;
    const doomed = v.keys.filter((k) => k.holders.every((id) => ids.includes(id))).length;
    return [ids.map((id) => v.peers[id].address), doomed];
  });
  assert.equal(holders.length, 3);
  assert.ok(doomed >= 1);
  for (const peer of holders) {
    await page.locator(`[data-peer="${peer}"]`).dispatchEvent('click');
    await page.getByRole('button', { name: 'Fail' }).click();
  }
  assert.equal(await lost.textContent(), String(doomed), 'apple (and any key on the same peers) has no live copy');
  assert.equal(await lost.getAttribute('class'), 'bad');
  await page.locator(`[data-peer="${holders[0]}"]`).dispatchEvent('click');
  await page.getByRole('button', { name: 'Recover' }).click();
  await page.getByRole('button', { name: 'Step' }).click();
  assert.equal(await lost.textContent(), '0', 'a holder came back with it');
  await page.close();
});

test('keyboard only: type a key (the field suggests the keys on the ring) and Show key draws its replicas', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const suggested = await page.locator('#key-list option').evaluateAll((os) => os.map((o) => o.value).sort());
  assert.deepEqual(suggested, ['apple', 'banana', 'cherry', 'kiwi', 'plum']);
  await page.getByLabel('Key', { exact: true }).focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('banana');
  const show = page.getByRole('button', { name: 'Show key' });
  await show.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('.keymark.selected').getAttribute('data-key'), 'banana');
  assert.equal(await page.locator('.peer.replica').count(), 3);
  assert.match(page.url(), /&key=banana&sum=/, 'the link keeps it');
  await page.getByLabel('Key', { exact: true }).fill('no-such-key');
  await show.click();
  assert.match(await page.locator('#error').textContent(), /No live peer holds a key "no-such-key"/);
  await page.close();
});

// The transaction's message sequence diagram, and dropping one message in
// flight by clicking it ("Drop a message"): the drop is an action in the
// link, the diagram crosses the message out, and `ftkv replay` of the link
// gives the page's dbg.log.
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

/** Steps `n` ticks with the Step button. */
async function step(page, n) {
  for (let i = 0; i < n; i++) await page.getByRole('button', { name: 'Step' }).click();
}

/** The open transaction, as the core sees it. */
function openTransaction(page) {
  return page.evaluate(() => {
    const pg = window.ftkv.playground();
    return pg.transaction(pg.scenario().trans);
  });
}

/** A live peer that is not one of `key`'s replicas in a fresh 10-peer cluster (replicas follow the hash ring only). */
function outsider(page, key) {
  return page.evaluate((k) => {
    const scratch = new window.ftkv.Playground({ peers: 10 });
    scratch.step(40);
    scratch.create(k, 'v');
    scratch.step(5);
    const v = scratch.ring(0);
    const replicas = v.keys.find((x) => x.key === k).replicas;
    const address = v.peers.find((p) => !replicas.includes(p.id)).address;
    scratch.free();
    return address;
  }, key);
}

/** Sends `op` on `key` from `coordinator` with the Client request panel. */
async function send(page, op, key, coordinator) {
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByLabel('Coordinator').selectOption(coordinator);
  await page.getByRole('button', { name: op, exact: true }).click();
}

test('a create at 10 peers draws N request arrows and N reply arrows, arriving when the replies did', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const n = await page.evaluate(() => window.ftkv.playground().settings().n);
  await send(page, 'Create', 'seq-key', await outsider(page, 'seq-key'));
  const region = page.getByRole('region', { name: 'Transaction' });
  assert.equal(await region.locator('.seq-msg.in-flight').count(), n, 'the requests are in flight, dashed');
  await step(page, 4);
  const t = await openTransaction(page);
  const requests = region.locator('.seq-msg[data-kind="create request"]');
  const replies = region.locator('.seq-msg[data-kind="reply"]');
  assert.equal(await requests.count(), n);
  assert.equal(await replies.count(), n);
  assert.equal(await region.locator('.seq .lane').count(), n + 1, 'a lane for the coordinator and each replica');
  assert.equal(await region.locator('.seq .lane.coordinator').getAttribute('data-lane'), t.coordinator);
  // A replica answers in the tick its request arrives; its reply arrives a tick or more later.
  const answered = t.replies.map((r) => [r.address, r.tick]).sort();
  const arrivals = await requests.evaluateAll((gs) => gs.map((g) => [g.dataset.to, Number(g.dataset.at)]).sort());
  assert.deepEqual(arrivals, answered, 'each request arrow ends at the tick its replica answered');
  const sent = await replies.evaluateAll((gs) => gs.map((g) => [g.dataset.from, Number(g.dataset.sent)]).sort());
  assert.deepEqual(sent, answered, 'each reply arrow leaves at that tick');
  assert.ok(await replies.evaluateAll((gs) => gs.every((g) => g.dataset.status === 'arrived' && Number(g.dataset.at) > Number(g.dataset.sent))));
  assert.match(await replies.first().locator('title').textContent(), /^reply \S+ → \S+: sent at tick \d+, arrived at tick \d+$/);
  assert.equal(await region.locator('li[data-reply=ok]').count(), n, 'the list of replicas stays');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a read with one replica failed shows its request lost, crossed', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const { failed, coordinator } = await page.evaluate(() => {
    const v = window.ftkv.playground().ring(0);
    const replicas = v.keys.find((k) => k.key === 'apple').replicas;
    return { failed: v.peers[replicas[0]].address, coordinator: v.peers.find((p) => !replicas.includes(p.id)).address };
  });
  await page.locator(`[data-peer="${failed}"]`).click();
  await page.getByRole('button', { name: 'Fail' }).click();
  await send(page, 'Read', 'apple', coordinator);
  await step(page, 4);
  const region = page.getByRole('region', { name: 'Transaction' });
  const lost = region.locator(`.seq-msg.lost[data-to="${failed}"]`);
  assert.equal(await lost.count(), 1);
  assert.equal(await lost.locator('.cross').count(), 1, 'it ends in a red cross');
  assert.match(await lost.locator('title').textContent(), /read request .* lost at tick \d+ \(receiver failed\)/);
  assert.equal(await region.locator('li[data-reply=none]').count(), 1);
  await page.close();
});

test('Drop a message: clicking a request in flight loses it, the replica never answers, the diagram crosses it, the link records it and ftkv replay gives the page\'s dbg.log', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await send(page, 'Create', 'drop-key', await outsider(page, 'drop-key'));
  const mode = page.getByRole('button', { name: 'Drop a message' });
  await mode.click();
  assert.equal(await mode.getAttribute('aria-pressed'), 'true');
  // A request of this transaction whose dot is the one on top at its centre.
  const target = await page.evaluate(() => {
    const pg = window.ftkv.playground();
    const t = pg.transaction(pg.scenario().trans);
    const onRing = pg.ring(400).messages;
    const dots = [...document.querySelectorAll('#msg-layer circle.msg')];
    for (const m of t.messages.filter((x) => x.status === 'in-flight')) {
      const dot = dots[onRing.findIndex((x) => x.seq === m.seq)];
      const r = dot.getBoundingClientRect();
      const [x, y] = [r.x + r.width / 2, r.y + r.height / 2];
      if (document.elementFromPoint(x, y) === dot) return { seq: m.seq, to: m.to, x, y };
    }
    return null;
  });
  assert.ok(target, 'a request dot can be clicked');
  const before = await page.locator('#insp-title').textContent();
  await page.mouse.click(target.x, target.y);
  assert.match(await href(page), new RegExp(`;\\d+\\.drop\\.${target.seq}&`));
  assert.match(await page.locator('#net-status').textContent(), new RegExp(`message ${target.seq} \\(create request, .* dropped by hand`));
  assert.equal(await page.locator('#fault-layer .dropped').count(), 1, 'a red cross where it was');
  assert.equal(await page.locator('#insp-title').textContent(), before, 'no peer was selected');
  await page.keyboard.press('Escape');
  assert.equal(await mode.getAttribute('aria-pressed'), 'false');
  await step(page, 5);
  const region = page.getByRole('region', { name: 'Transaction' });
  const li = region.locator('li', { hasText: target.to });
  assert.equal(await li.getAttribute('data-reply'), 'none', 'the replica never answered');
  const lost = region.locator(`.seq-msg.lost[data-seq="${target.seq}"]`);
  assert.equal(await lost.locator('.cross').count(), 1);
  assert.match(await lost.locator('title').textContent(), /\(by hand\)/);
  const link = await href(page);
  const dir = mkdtempSync(join(tmpdir(), 'ftkv-drop-'));
  execFileSync(join(root, 'target', 'release', 'ftkv'), ['replay', link, '--log', join(dir, 'dbg.log')]);
  const fromPage = await page.evaluate(() => window.ftkv.playground().dbgLog());
  assert.equal(fromPage, readFileSync(join(dir, 'dbg.log'), 'utf8'), 'the run with the drop replays natively');
  assert.deepEqual(errors, []);
  await page.close();
});

test('with Drop a message off, a click at a message over a peer still selects that peer', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await step(page, 3);
  // Running, a message just sent sits on its sender's centre: put a dot there and click it.
  const hit = await page.evaluate(() => {
    const v = window.ftkv.playground().ring(400);
    const dots = [...document.querySelectorAll('#msg-layer circle.msg')];
    const i = v.messages.findIndex((m) => m.sentAt === v.tick - 1);
    const sender = v.peers[v.messages[i].from].address;
    const r = document.querySelector(`[data-peer="${sender}"] .hit`).getBoundingClientRect();
    const x = r.x + r.width / 2;
    const y = r.y + r.height / 2;
    const at = new DOMPoint(x, y).matrixTransform(dots[i].ownerSVGElement.getScreenCTM().inverse());
    dots[i].setAttribute('cx', at.x);
    dots[i].setAttribute('cy', at.y);
    return { x, y, sender };
  });
  await page.mouse.click(hit.x, hit.y);
  assert.equal(await page.locator('#insp-title').textContent(), hit.sender);
  await page.close();
});

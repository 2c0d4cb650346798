// The Over time plots: the Health rows follow the core's series (the failed
// peers rise where the failure happened), the request bars add up to the
// client history, and a click or a drag on a chart travels to the tick
// under the pointer, with the cursor following the Time slider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, runUntil } from './harness.mjs';

const ctx = useBrowser();

const tickOf = async (page) => Number(await page.locator('#tick').getAttribute('data-tick'));

/** The levels (y per bucket, as written) of a step path `M x y H x V y H x …`. */
function levels(d) {
  return [...d.matchAll(/M-?[\d.]+ (-?[\d.]+)|V(-?[\d.]+)/g)].map((m) => m[1] ?? m[2]);
}

/** The chart's frame: plot edges and horizon, as the page drew it. */
async function frame(page, id) {
  return page.locator(id).evaluate((svg) => ({
    x0: Number(svg.dataset.x0), x1: Number(svg.dataset.x1), horizon: Number(svg.dataset.horizon), buckets: Number(svg.dataset.buckets),
  }));
}

test('the Health plot rises where a peer failed, the request bars add up to the history', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  assert.ok(await page.getByRole('region', { name: 'Over time' }).isVisible());
  for (let i = 0; i < 20; i++) await page.getByRole('button', { name: 'Step' }).click();
  const failTick = await tickOf(page);
  await page.locator('[data-peer="4.0.0.0:0"]').click();
  await page.getByRole('button', { name: 'Fail' }).click();
  await page.getByLabel('Key', { exact: true }).fill('never-written');
  await page.getByRole('button', { name: 'Read' }).click();
  await page.getByLabel('Key', { exact: true }).fill('plot-key');
  await page.getByRole('button', { name: 'Create' }).click();
  await runUntil(page, () => Number(document.getElementById('tick').dataset.tick) >= 80);

  const f = await frame(page, '#plot-health');
  assert.equal(f.horizon, await tickOf(page));
  const s = await page.evaluate((n) => window.ftkv.playground().series(n), f.buckets);
  const rise = s.failed.findIndex((n) => n > 0);
  assert.ok(rise >= 0, 'the series counts the failed peer');
  assert.ok(s.from[rise] <= failTick + s.every && s.until[rise] > failTick, `it rises in the bucket of tick ${failTick} (or the next sample): ${s.from[rise]}..${s.until[rise]}`);
  const ys = levels(await page.locator('[data-series=failed] .line').getAttribute('d'));
  assert.equal(ys.length, s.failed.length, 'one level per bucket');
  assert.ok(ys.slice(0, rise).every((y) => y === ys[0]), 'flat before the failure');
  assert.ok(Number(ys[rise]) < Number(ys[0]), 'higher from the failure on');
  const x = f.x0 + ((f.x1 - f.x0) * s.from[rise]) / (f.horizon + 1);
  assert.match(await page.locator('[data-series=failed] .line').getAttribute('d'), new RegExp(`H${x.toFixed(1)}V${ys[rise]}`), 'the rise is at the bucket\'s first tick');
  assert.match(await page.locator('#plot-health .hits rect').nth(rise).locator('title').textContent(), new RegExp(`: ${s.failed[rise]} failed peers`));

  const bars = await page.locator('#plot-requests [data-outcome]').evaluateAll((rects) => {
    const sum = { ok: 0, fail: 0, pending: 0 };
    for (const r of rects) sum[r.dataset.outcome] += Number(r.dataset.count);
    return sum;
  });
  const history = await page.evaluate(() => {
    const sum = { ok: 0, fail: 0, pending: 0 };
    for (const row of window.ftkv.playground().history()) sum[row.outcome] += 1;
    return sum;
  });
  assert.deepEqual(bars, history, 'the bars count every request of the history by its outcome');
  assert.ok(history.fail >= 1 && history.ok >= 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking or dragging on a chart seeks the Time slider there; the cursor follows the slider', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await runUntil(page, () => Number(document.getElementById('tick').dataset.tick) >= 60);
  const f = await frame(page, '#plot-requests');
  await page.locator('#plot-requests').scrollIntoViewIfNeeded();
  const box = await page.locator('#plot-requests').boundingBox();
  const scale = box.width / (await page.locator('#plot-requests').evaluate((svg) => svg.viewBox.baseVal.width));
  const tickUnder = (x) => Math.floor(((x - f.x0) / (f.x1 - f.x0)) * (f.horizon + 1));
  const cursorX = (tick) => f.x0 + ((f.x1 - f.x0) * (tick + 0.5)) / (f.horizon + 1);
  const cursor = async () => {
    const line = page.locator('#plot-health .cursor');
    return { tick: Number(await line.getAttribute('data-shown')), x: Number(await line.getAttribute('x1')) };
  };
  /** The page point of chart x `x` (in the chart's units) at height `y`. */
  const at = (x, y) => [box.x + x * scale, box.y + y];

  // Points over the middle of a tick, where rounding cannot tip them into the next one.
  const x = cursorX(Math.floor(0.3 * f.horizon));
  await page.mouse.click(...at(x, box.height / 2));
  const clicked = tickUnder(x);
  assert.equal(await page.locator('#time').inputValue(), String(clicked), 'the slider is at the tick under the click');
  assert.equal(await tickOf(page), clicked);
  assert.equal((await cursor()).tick, clicked);
  assert.ok(Math.abs((await cursor()).x - cursorX(clicked)) < 0.11, 'the cursor is drawn over that tick');

  const [a, b] = [cursorX(Math.floor(0.7 * f.horizon)), cursorX(Math.floor(0.5 * f.horizon))];
  await page.mouse.move(...at(a, 20));
  await page.mouse.down();
  await page.mouse.move(...at(b, 30), { steps: 5 });
  await page.mouse.up();
  assert.equal(await page.locator('#time').inputValue(), String(tickUnder(b)), 'a drag ends at the tick under the pointer');
  assert.equal(await tickOf(page), tickUnder(b));

  await page.locator('#time').fill('12');
  assert.deepEqual(await cursor(), { tick: 12, x: Number(cursorX(12).toFixed(1)) }, 'the cursor follows the slider');
  assert.equal(Number(await page.locator('#plot-requests').getAttribute('data-horizon')), f.horizon, 'the charts still show the whole run');
  assert.deepEqual(errors, []);
  await page.close();
});

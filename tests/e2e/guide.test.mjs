// A preset explains itself: the Guide lists the steps the core plans, with
// the next one and what the grader expects, labels and selects the key under
// test on the ring, shows each step's points only once its window closes,
// and at tick 700 offers to continue as a free run, which the share link
// keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, runUntil } from './harness.mjs';

const ctx = useBrowser();

const tickOf = async (page) => Number(await page.locator('[data-tick]').getAttribute('data-tick'));

/** The guide's step rows as the page shows them, and the core's guide now. */
async function guideNow(page) {
  return page.evaluate(() => ({
    rows: [...document.querySelectorAll('#guide-steps li')].map((li) => ({
      caption: li.querySelector('.caption').textContent,
      state: li.dataset.state,
      points: li.querySelector('.points')?.textContent ?? null,
    })),
    guide: window.ftkv.playground().guide(),
    grade: window.ftkv.playground().grade(),
  }));
}

test('preset read: the guide shows the core\'s steps, the next one, the key under test and points as windows close', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  assert.equal(await page.getByRole('region', { name: 'Guide' }).isVisible(), false, 'no guide in free play');
  await page.getByLabel('Seed', { exact: true }).fill('2024');
  await page.getByLabel('Preset', { exact: true }).selectOption('read');
  const guide = page.getByRole('region', { name: 'Guide' });
  assert.ok(await guide.isVisible());

  let { rows, guide: g } = await guideNow(page);
  assert.equal(g.test, 'read');
  assert.deepEqual(rows.map((r) => r.caption), g.steps.map((s) => s.caption), 'one row per step the core lists, in order');
  assert.equal(rows[g.next].state, 'next');
  const next = await page.locator('#guide-next').textContent();
  assert.ok(next.includes(g.steps[g.next].caption) && next.includes(g.steps[g.next].expect), `the next step and what the grader expects: ${next}`);

  // The key under test is selected as the preset loads: the Key field, the link.
  const [tested] = g.keys;
  assert.equal(await page.getByLabel('Key', { exact: true }).inputValue(), tested);
  assert.match(page.url(), new RegExp(`&key=${tested}&`));

  // Run past the step-3 window (tick 275), then look back at tick 160.
  await runUntil(page, () => Number(document.querySelector('[data-tick]').dataset.tick) >= 300);
  assert.equal(await page.locator('#tested-label').getAttribute('data-key'), tested, 'the key under test is labelled on the ring');
  assert.match(await page.locator('#tested-label').textContent(), new RegExp(`^${tested}`));
  assert.equal(await page.locator('.keymark.selected').getAttribute('data-key'), tested, 'and selected');
  assert.equal(await page.locator('.peer.replica').count() > 0, true, 'its replicas are drawn');

  await page.locator('#time').fill('160');
  assert.equal(await tickOf(page), 160);
  ({ rows, guide: g } = await guideNow(page));
  const first = g.steps.findIndex((s) => s.checks.length > 0);
  const { grade } = await guideNow(page);
  const check = grade.checks.find((c) => c.name === g.steps[first].checks[0]);
  assert.equal(check.closed, false, `the window of "${check.name}" is still open at tick 160`);
  assert.equal(rows[first].points, `open until tick ${check.closesAt}`);
  assert.equal(rows[first].state, 'done', 'the step happened; its window is still open');
  assert.match(await page.locator('#grade-checks tr').first().textContent(), /open until tick \d+/);
  assert.equal(await page.locator('#grade-total').textContent(), `${grade.settled} / ${grade.settledMax}`, 'the total counts the closed windows only');

  await page.locator('#time').fill(String(check.closesAt));
  const after = await guideNow(page);
  const closed = after.grade.checks.find((c) => c.name === check.name);
  assert.equal(closed.closed, true);
  assert.equal(after.rows[first].points, `${closed.points}/${closed.max} points`, 'its points once the window closed');
  assert.equal(after.rows[first].state, 'done');
  assert.equal(await page.locator('#grade-total').textContent(), `${after.grade.settled} / ${after.grade.settledMax}`);
  assert.ok(after.grade.settledMax > 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('at tick 700 the guide offers Continue as a free run; Run goes on, a Read completes, and the link keeps free=700', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await page.getByLabel('Seed', { exact: true }).fill('2024');
  await page.getByLabel('Preset', { exact: true }).selectOption('read');
  await runUntil(page, () => !document.getElementById('guide-end').hidden);
  assert.equal(await tickOf(page), 700);
  const proceed = page.getByRole('button', { name: 'Continue as a free run' });
  assert.ok(await proceed.isVisible());
  const end = page.locator('#guide-end-note');
  assert.match(await end.textContent(), /the preset is over at tick 700, final score 40 \/ 40/);

  // Run at the end says so instead of stopping silently.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  assert.match(await end.textContent(), /^There is nothing more to run: the preset is over/);
  assert.equal(await page.locator('#run').textContent(), 'Run');
  assert.ok(await proceed.evaluate((b) => b === document.activeElement), 'the button to go on has the focus');
  assert.equal(await tickOf(page), 700);

  await proceed.click();
  assert.match(page.url(), /&free=700&/);
  assert.equal(await proceed.isVisible(), false);
  assert.match(await end.textContent(), /free run/);
  await runUntil(page, () => Number(document.querySelector('[data-tick]').dataset.tick) >= 710);
  assert.ok(await tickOf(page) >= 710, 'Run goes on past 700');

  const key = await page.getByLabel('Key', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Read' }).click();
  for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Step' }).click();
  const transaction = page.getByRole('region', { name: 'Transaction' });
  assert.match(await transaction.textContent(), /success \(quorum \d+: /, 'the read has a verdict');
  assert.match(await transaction.textContent(), new RegExp(key));
  assert.equal(await page.locator('#grade-total').textContent(), '40 / 40', 'the preset\'s grade stays');

  const link = page.url();
  assert.match(link, /&free=700&/);
  const again = await openPage(ctx.browser, link, errors);
  assert.equal(await tickOf(again), await tickOf(page));
  assert.equal(again.url(), link, 'the same link');
  for (const id of ['#guide-end-note', '#grade-total', '#outcome']) {
    assert.equal(await again.locator(id).textContent(), await page.locator(id).textContent(), `${id} is the same`);
  }
  assert.equal(await again.getByRole('button', { name: 'Continue as a free run' }).isVisible(), false);
  assert.deepEqual(errors, []);
  await page.close();
  await again.close();
});

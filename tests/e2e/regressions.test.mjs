// Bugs found by trying the page as a student and a teacher would, each kept
// as a test that replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage } from './harness.mjs';

const ctx = useBrowser();

/** A page opened on `body` (a link without its checksum), sealed by the core. */
async function openLink(body, errors = []) {
  const maker = await openPage(ctx.browser, ctx.server.url, []);
  const link = await maker.evaluate((b) => window.ftkv.Playground.seal(b), body);
  await maker.context().close();
  return openPage(ctx.browser, `${ctx.server.url}#${link}`, errors);
}

const step = async (page, n, name = 'Step') => {
  for (let i = 0; i < n; i++) await page.getByRole('button', { name, exact: true }).click();
};

test('seen from before its open transaction was sent, a peer can still be selected and the link keeps it', async () => {
  const errors = [];
  const page = await openLink('v=1&peers=10&seed=7&tick=40&do=35.read.4.apple&key=apple&tx=1', errors);
  await step(page, 6, 'Back');
  await page.locator('[data-peer="2.0.0.0:0"]').dispatchEvent('click');
  assert.ok(await page.locator('#error').isHidden(), await page.locator('#error').textContent());
  const url = await page.evaluate(() => location.href);
  assert.match(url, /&sel=2&key=apple&sum=/, 'the peer is in the link; the unsent transaction is not');
  assert.match(await page.locator('#outcome').textContent(), /not in the run at tick 34/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sequence diagram ends at the transaction\'s last message, however much later it is viewed', async () => {
  const page = await openLink('v=1&peers=10&seed=7&tick=2000&do=30.create.3.apple.red;35.read.4.apple&key=apple&tx=2');
  const svg = page.locator('svg.seq');
  const height = Number((await svg.getAttribute('viewBox')).split(' ')[3]);
  assert.ok(height < 400, `the diagram is ${height} units tall`);
  assert.ok(await page.locator('svg.seq .now').count() === 0, 'the tick shown is far below: no line for it');
  await page.close();
});

test('a preset runs the classic settings whatever the settings panel holds, and refuses requests once over', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('N replicas').fill('5');
  await page.getByLabel('R read quorum').fill('3');
  await page.getByLabel('W write quorum').fill('3');
  await page.getByRole('button', { name: 'Apply settings' }).click();
  assert.match(await page.locator('#settings-now').textContent(), /n=5,r=3,w=3/);
  await page.getByLabel('Preset').selectOption('read');
  assert.ok(await page.locator('#error').isHidden());
  assert.equal(await page.locator('#settings-now').textContent(), 'n=3,r=2,w=2', 'the preset shows the settings it runs');
  assert.doesNotMatch(await page.evaluate(() => location.href), /rep=/);
  await page.evaluate(() => window.ftkv.playground().step(700));
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  assert.match(await page.locator('#error').textContent(), /the preset is over at tick 700: continue it as a free run/);
  await page.close();
});

test('a seed that is not a number is refused, not replaced by a random one', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const before = await page.evaluate(() => location.href);
  // The browser lets "1e" into a number field; its value is then "" (badInput).
  await page.getByLabel('Seed', { exact: true }).fill('');
  await page.getByLabel('Seed', { exact: true }).pressSequentially('1e');
  assert.ok(await page.getByLabel('Seed', { exact: true }).evaluate((i) => i.validity.badInput));
  await page.getByRole('button', { name: 'Reset' }).click();
  assert.match(await page.locator('#error').textContent(), /seed must be a whole number from 0 to 18446744073709551615/);
  assert.equal(await page.evaluate(() => location.href), before, 'the running scenario stays');
  await page.close();
});

test('Run turns Drop a message off, and every kind of message in flight has a colour of its own', async () => {
  const page = await openLink('v=1&peers=10&seed=7&rr=async&ae=merkle&tick=60&do=30.create.3.apple.red;40.read.5.apple');
  const drop = page.getByRole('button', { name: 'Drop a message' });
  await drop.click();
  assert.equal(await drop.getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  assert.equal(await drop.getAttribute('aria-pressed'), 'false', 'running, messages move and cannot be dropped');
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const fills = await page.locator('#msg-layer .msg[visibility=visible]').evaluateAll((cs) => cs.map((c) => getComputedStyle(c).fill));
  assert.ok(fills.length > 0);
  assert.ok(!fills.includes('rgb(0, 0, 0)'), `no black (unstyled) message: ${[...new Set(fills)]}`);
  await page.close();
});

test('isolating a peer twice is refused with a message and records nothing; Split on top says how many sides there are', async () => {
  const page = await openLink('v=1&peers=10&seed=7&tick=20');
  await page.locator('[data-peer="3.0.0.0:0"]').dispatchEvent('click');
  const isolate = page.getByRole('button', { name: 'Isolate', exact: true });
  await isolate.click();
  const once = await page.evaluate(() => location.href);
  assert.match(once, /20\.part\.3/);
  await isolate.click();
  assert.match(await page.locator('#error').textContent(), /3\.0\.0\.0:0 cannot reach any other peer already: isolating it again cuts nothing/);
  assert.equal(await page.evaluate(() => location.href), once, 'no second partition in the link');
  await page.getByRole('button', { name: 'Split', exact: true }).click();
  const sides = await page.locator('#h-part').textContent();
  assert.match(sides, /^[34] sides$/);
  assert.match(await page.locator('#net-status').textContent(), new RegExp(`with the earlier cuts the peers are in ${sides}`));
  await page.close();
});

test('R above N is explained before Apply, and Apply names the bound in words', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('R read quorum').fill('4');
  await page.getByLabel('R read quorum').dispatchEvent('input');
  assert.match(await page.locator('#settings-explain').textContent(), /^R = 4 is more than N = 3: a read cannot wait for more answers than a key has replicas\./);
  await page.getByRole('button', { name: 'Apply settings' }).click();
  assert.match(await page.locator('#settings-error').textContent(), /R must be from 1 to N = 3, not 4/);
  await page.close();
});

test('a 256-character key\'s History lane label stays inside the label column', async () => {
  const key = 'k'.repeat(256);
  const page = await openLink(`v=1&peers=10&seed=7&tick=60&do=30.create.3.${key}.red`);
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByLabel('Lanes').selectOption('key');
  const label = page.locator(`#history-svg .lane[data-key="${key}"] .lane-label`);
  assert.equal(await label.evaluate((t) => t.firstChild.textContent), `${'k'.repeat(15)}…`);
  const width = await label.evaluate((t) => t.getBBox().width);
  assert.ok(width < 146, `the label is ${width} units wide`);
  await page.close();
});

test('Apply settings while a preset is chosen changes nothing and says why; the run is kept', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('Preset').selectOption('read');
  await page.evaluate(() => window.ftkv.playground().step(251));
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  const before = await page.evaluate(() => location.href);
  await page.getByLabel('N replicas').fill('5');
  await page.getByRole('button', { name: 'Apply settings' }).click();
  assert.match(await page.locator('#settings-error').textContent(), /^A preset runs the classic settings n=3,r=2,w=2, on which it is graded: nothing was changed/);
  assert.equal(await page.evaluate(() => location.href), before, 'the preset run is kept');
  assert.equal(await page.locator('#tick').textContent(), '252');
  await page.close();
});

test('Step at the longest tick a link replays says so, and a request there is refused', async () => {
  const page = await openLink('v=1&peers=10&seed=7&tick=19999');
  await step(page, 2);
  assert.equal(await page.locator('#tick').textContent(), '20000');
  assert.match(await page.locator('#error').textContent(), /reached tick 20000, the longest a share link can replay/);
  await page.keyboard.press('ArrowRight');
  assert.match(await page.locator('#error').textContent(), /reached tick 20000/);
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  assert.match(await page.locator('#error').textContent(), /a request sent now could never complete/);
  await page.close();
});

test('Tab from Find a peer lands on a peer, not on the ring as a whole', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  await page.getByLabel('Find a peer').focus();
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^peer \d+\.0\.0\.0:0, /);
  await page.close();
});

test('a check is hidden at earlier ticks and forgotten when acting in the past forks before it; a fork drops an open transaction not yet sent', async () => {
  const page = await openLink('v=1&peers=10&seed=7&rep=3.1.1&tick=120&do=30.create.3.apple.red;40.part.2-5-6-9;45.update.5.apple.green;50.read.8.apple;60.heal;70.read.2.apple&key=apple&tx=4');
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByRole('button', { name: 'Check history' }).click();
  const region = page.getByRole('region', { name: 'History', exact: true });
  assert.equal(await region.locator('[data-verdict="non-linearizable"]').count(), 1, 'apple is flagged at tick 120');
  await page.getByRole('slider', { name: 'Time' }).fill('48');
  assert.equal(await region.locator('[data-verdict]').count(), 0, 'not at tick 48, before the reads');
  assert.match(await page.locator('#check-result').textContent(), /The tick shown, 48, is before this check's/);
  await page.getByRole('slider', { name: 'Time' }).fill('120');
  assert.equal(await region.locator('[data-verdict]').count(), 1, 'back at tick 120 the mark returns');
  await page.getByRole('slider', { name: 'Time' }).fill('48');
  await page.locator('[data-peer="4.0.0.0:0"]').dispatchEvent('click');
  await page.getByRole('button', { name: 'Fail', exact: true }).click();
  assert.match(await page.locator('#check-result').textContent(), /forked the run before the last check's tick/);
  const outcome = await page.getByRole('region', { name: 'Transaction' }).textContent();
  assert.match(outcome, /^The open transaction was dropped/);
  assert.doesNotMatch(await page.evaluate(() => location.href), /tx=/);
  await page.close();
});

test('an empty Delay field is refused by name, and Esc ends Pick link with its prompt', async () => {
  const page = await openLink('v=1&peers=10&seed=7&tick=40');
  await page.getByRole('button', { name: 'Pick link' }).click();
  await page.locator('[data-peer="2.0.0.0:0"]').dispatchEvent('click');
  assert.match(await page.locator('#net-status').textContent(), /^Pick link: from 2\.0\.0\.0:0/);
  await page.keyboard.press('Escape');
  assert.doesNotMatch(await page.locator('#net-status').textContent(), /Pick link/);
  await page.getByLabel('From', { exact: true }).selectOption('3.0.0.0:0');
  await page.getByLabel('To', { exact: true }).selectOption('6.0.0.0:0');
  await page.locator('#delay').fill('');
  await page.getByRole('button', { name: 'Set delay' }).click();
  assert.match(await page.locator('#error').textContent(), /the Delay field is empty: enter a whole number from 1 to 100/);
  await page.close();
});

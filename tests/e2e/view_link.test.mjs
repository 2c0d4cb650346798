// A share link restores the view as well as the run: the selected peer, the
// selected key and the open transaction come back in a fresh page; a link
// naming a peer or transaction that does not exist is refused visibly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage } from './harness.mjs';

const ctx = useBrowser();

test('a link brings back the selected peer, key and transaction', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  await page.getByLabel('Key', { exact: true }).fill('view-key');
  await page.getByLabel('Value', { exact: true }).fill('v1');
  await page.getByRole('button', { name: 'Create' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step' }).click();
  await page.locator('[data-peer="7.0.0.0:0"]').dispatchEvent('click');
  const link = page.url();
  assert.match(link, /&sel=7&key=view-key&tx=\d+&sum=/);
  const tx = /&tx=(\d+)/.exec(link)[1];
  const transaction = await page.getByRole('region', { name: 'Transaction' }).textContent();

  const again = await openPage(ctx.browser, link, errors);
  assert.equal(await again.locator('#insp-title').textContent(), '7.0.0.0:0', 'the peer panel is open');
  assert.equal(await again.locator('[data-peer="7.0.0.0:0"]').getAttribute('aria-selected'), 'true');
  assert.equal(await again.locator('.keymark.selected').getAttribute('data-key'), 'view-key', 'the key is selected');
  assert.equal(await again.locator('.peer.replica').count(), 3, "the key's replicas are drawn");
  const shown = await again.getByRole('region', { name: 'Transaction' }).textContent();
  assert.match(shown, new RegExp(`transaction ${tx}`));
  assert.equal(shown, transaction, 'the same transaction view');
  assert.equal(again.url(), link, 'and the same link');
  assert.deepEqual(errors, []);
  await page.close();
  await again.close();
});

test('a link naming a peer outside the cluster or an unsent transaction is refused with a message', async () => {
  const page = await openPage(ctx.browser, ctx.server.url, []);
  const bare = await page.evaluate(() => window.ftkv.playground().shareLink().split('&sum=')[0]);
  for (const [field, words] of [['sel=11', /sel must be a whole number up to 10/], ['tx=999', /transaction 999 has not been sent/]]) {
    const body = `${bare}&${field}`;
    const sealed = await page.evaluate((b) => window.ftkv.Playground.seal(b), body);
    const other = await openPage(ctx.browser, `${ctx.server.url}#${sealed}`, []);
    const error = other.locator('#error');
    assert.ok(await error.isVisible());
    assert.match(await error.textContent(), words);
    assert.equal(await other.locator('[data-peer]').count(), 10, 'a new scenario runs instead');
    await other.close();
  }
  await page.close();
});

// The settings panel is built from the core's settings schema: a field per
// setting with its title, doc, bounds and choices, and the Peers and delay
// fields bounded by the core's limits; nothing of it is written in the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage } from './harness.mjs';

const ctx = useBrowser();

test('the settings panel has a field per setting of the schema, bounded by it', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const { schema, fields, peers, delay } = await page.evaluate(() => {
    const schema = window.ftkv.Playground.settingsSchema();
    const fields = schema.settings.map((s) => {
      const input = document.getElementById(`set-${s.name}`);
      const label = document.querySelector(`label[for=set-${s.name}]`);
      return {
        tag: input.tagName, type: input.type, min: input.min, max: input.max,
        options: [...(input.options ?? [])].map((o) => o.value), label: label.textContent, title: label.title,
      };
    });
    const p = document.getElementById('peers');
    return { schema, fields, peers: [p.min, p.max, p.value], delay: document.getElementById('delay').max };
  });
  const maxN = schema.settings.find((s) => s.name === 'n').max;
  schema.settings.forEach((s, i) => {
    const f = fields[i];
    assert.equal(f.label, s.title, s.name);
    assert.equal(f.title, s.doc, s.name);
    if (s.kind === 'whole') assert.deepEqual([f.type, f.min, f.max], ['number', String(s.min), String(s.maxIsN ? maxN : s.max)], s.name);
    if (s.kind === 'choice') assert.deepEqual([f.tag, f.options], ['SELECT', s.choices], s.name);
    if (s.kind === 'switch') assert.equal(f.type, 'checkbox', s.name);
  });
  assert.deepEqual(peers, ['1', String(schema.limits.maxPeers), String(schema.limits.defaultPeers)]);
  assert.equal(delay, String(schema.limits.maxDelay));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a peer count above the core limit is refused with the limit named', async () => {
  const errors = [];
  const page = await openPage(ctx.browser, ctx.server.url, errors);
  const max = await page.evaluate(() => window.ftkv.Playground.settingsSchema().limits.maxPeers);
  await page.getByLabel('Peers', { exact: true }).fill(String(max + 1));
  await page.getByRole('button', { name: 'Apply settings' }).click();
  assert.match(await page.locator('#settings-error').textContent(), new RegExp(`Peers must be a whole number from 1 to ${max}, not "${max + 1}"`));
  assert.deepEqual(errors, []);
  await page.close();
});

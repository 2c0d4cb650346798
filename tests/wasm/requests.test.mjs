// One request, end to end, through the JavaScript API: the transaction
// view names every replica asked, what each answered (and why it refused)
// and the coordinator's verdict in words; a bad seed is refused by name.
// Needs `wasm-pack build --target web --out-dir www/pkg`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, Playground } = await import(join(root, 'www', 'pkg', 'ftkv.js'));
initSync({ module: readFileSync(join(root, 'www', 'pkg', 'ftkv_bg.wasm')) });

test('a transaction lists every replica asked, its reply and the verdict', () => {
  const pg = new Playground({ peers: 8, seed: 5n });
  pg.step(40);
  const created = pg.create('k', 'v1');
  pg.step(10);
  const t = pg.transaction(created);
  const n = pg.ring(0).replication[0];
  assert.equal(t.asked.length, n);
  assert.equal(t.quorum, pg.ring(0).replication[2]);
  assert.ok(t.asked.every((a) => a.reply === 'ok' && a.why === null && !a.substitute), JSON.stringify(t.asked));
  assert.equal(t.verdict, 'quorum reached');

  // The same key again: every replica refuses, and says why.
  const again = pg.create('k', 'v2');
  pg.step(10);
  const refused = pg.transaction(again);
  assert.ok(refused.asked.every((a) => a.reply === 'fail' && a.why === 'exists'), JSON.stringify(refused.asked));
  assert.equal(refused.verdict, 'exists');

  // Two replicas down: they never answer, and the write cannot reach W.
  const [, b, c] = refused.asked.map((a) => a.address);
  pg.fail(b);
  pg.fail(c);
  const update = pg.update('k', 'v3', refused.asked[0].address);
  pg.step(12);
  const lonely = pg.transaction(update);
  const replies = Object.fromEntries(lonely.asked.map((a) => [a.address, a.reply]));
  assert.equal(replies[b], 'none');
  assert.equal(replies[c], 'none');
  assert.equal(lonely.verdict, 'timed out');
});

test('a seed out of range is refused with the range', () => {
  const message = 'seed must be a whole number from 0 to 18446744073709551615';
  for (const seed of [18446744073709551616n, -1n, -1, 1.5, 'seven', 2 ** 60]) {
    assert.throws(() => new Playground({ seed }), (e) => e.message.includes(message), String(seed));
  }
  assert.equal(new Playground({ seed: 18446744073709551615n }).tick(), 0);
  assert.equal(new Playground({ seed: 7 }).tick(), 0);
});

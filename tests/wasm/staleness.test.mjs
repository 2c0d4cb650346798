// The staleness binding and the settings getter of the WebAssembly build:
// the same curve as `ftkv staleness`, small enough for the page. Needs
// `wasm-pack build --target web --out-dir www/pkg` and `cargo build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, Playground } = await import(join(root, 'www', 'pkg', 'ftkv.js'));
initSync({ module: readFileSync(join(root, 'www', 'pkg', 'ftkv_bg.wasm')) });
const cli = join(root, 'target', 'release', 'ftkv');

test('intersecting quorums read every acknowledged write at once', () => {
  const curve = Playground.staleness('n=3,r=2,w=2', 1, 10, 4);
  assert.equal(curve.config, 'n=3,r=2,w=2');
  assert.deepEqual(curve.delays, [1, 10]);
  assert.equal(curve.seeds, 4);
  assert.equal(curve.points.length, 1);
  assert.deepEqual(curve.points[0], { t: 0, p: 1, reads: curve.points[0].reads, fresh: curve.points[0].reads });
  assert.ok(curve.points[0].reads > 0);
});

test('R = W = 1 starts stale, climbs to 1, and equals the native curve', () => {
  const started = performance.now();
  const curve = Playground.staleness('n=3,r=1,w=1', 1, 10, 8);
  const ms = performance.now() - started;
  const points = curve.points;
  assert.ok(points[0].p < 1, JSON.stringify(points[0]));
  assert.equal(points[points.length - 1].p, 1);
  for (const [i, pt] of points.entries()) assert.equal(pt.t, i);
  const native = JSON.parse(execFileSync(cli, ['staleness', '--n', '3', '--r', '1', '--w', '1', '--delays', '1..10', '--seeds', '8', '--json'], { encoding: 'utf8' }));
  assert.deepEqual(points, native.points);
  assert.ok(ms < 2000, `8 seeds took ${ms.toFixed(0)} ms`);
});

test('bad staleness arguments are JS errors that name the problem', () => {
  const fails = (args, pattern) => assert.throws(() => Playground.staleness(...args), pattern);
  fails(['n=3,r=4,w=2', 1, 10, 2], /R must be from 1 to N = 3, not 4/);
  fails(['n=3,bogus=1', 1, 10, 2], /unknown setting `bogus`/);
  fails(['n=3', 5, 2, 2], /need 1 <= LO <= HI/);
  fails(['n=3', 0, 2, 2], /shortest delay in ticks is a whole number from 1 to 100, not 0/);
  fails(['n=3', 1, 2, 17], /seeds is a whole number from 1 to 16, not 17/);
  fails(['n=3', 1, 2, 1.5], /seeds is a whole number/);
  fails(['x'.repeat(300), 1, 2, 2], /longer than 200 characters/);
});

test('settings() names every option and the settings text, also from a link', () => {
  const pg = new Playground({ peers: 6, seed: 5n, replication: { n: 5, r: 3, w: 3 }, vnodes: 16, readRepair: 'async', hintedHandoff: true, antiEntropy: 'merkle', aePeriod: 40 });
  const s = pg.settings();
  assert.deepEqual(s, {
    n: 5, r: 3, w: 3, vnodes: 16, readRepair: 'async', hintedHandoff: true, antiEntropy: 'merkle', aePeriod: 40,
    text: 'n=5,r=3,w=3,read-repair=async,vnodes=16,hinted-handoff=on,ae=merkle,ae-period=40',
  });
  pg.step(3);
  const again = Playground.fromLink(pg.shareLink(), false);
  assert.deepEqual(again.settings(), s);
  assert.equal(new Playground({ peers: 3 }).settings().text, 'n=3,r=2,w=2');
});

// The same seed must give a byte-identical dbg.log natively and in the
// WebAssembly build the browser runs (wasm32-unknown-unknown, via
// wasm-bindgen). Needs `wasm-pack build --target web --out-dir www/pkg` and
// `cargo build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, Playground } = await import(join(root, 'www', 'pkg', 'ftkv.js'));
initSync({ module: readFileSync(join(root, 'www', 'pkg', 'ftkv_bg.wasm')) });

const cli = join(root, 'target', 'release', 'ftkv');
const cases = ['create', 'delete', 'read', 'update', 'singlefailure', 'multifailure', 'msgdropsinglefailure'];
const seeds = [0n, 1n, 424242n, 18446744073709551615n];
const dir = mkdtempSync(join(tmpdir(), 'ftkv-det-'));

function nativeLog(name, seed) {
  const log = join(dir, `${name}-${seed}.log`);
  execFileSync(cli, ['run', join(root, 'testcases', `${name}.conf`), '--seed', String(seed), '--log', log]);
  return readFileSync(log, 'utf8');
}

for (const name of cases) {
  for (const seed of seeds) {
    test(`${name} seed ${seed}: the wasm dbg.log equals the native one`, () => {
      const run = Playground.runClassic(name, seed);
      assert.ok(run.log.startsWith('131\n '), run.log.slice(0, 80));
      assert.equal(run.points, run.max, `${name} seed ${seed}: ${run.points}/${run.max}`);
      assert.equal(run.log, nativeLog(name, seed));
    });
  }
}

test('a played scenario replays natively to the same dbg.log', () => {
  const pg = new Playground({ peers: 12, seed: 99n, traceMessages: true });
  pg.step(30);
  pg.create('k1', 'v1', '3.0.0.0:0');
  pg.step(20);
  pg.fail('4.0.0.0:0');
  pg.update('k1', 'v2');
  pg.step(60);
  pg.recover('4.0.0.0:0');
  pg.step(40);
  const log = join(dir, 'replay.log');
  execFileSync(cli, ['replay', pg.shareLink(), '--log', log]);
  assert.equal(pg.dbgLog(), readFileSync(log, 'utf8'));
});

test('the presets are the seven classic cases, key-value first', () => {
  const presets = Playground.presets();
  assert.deepEqual(presets.map((p) => p.name), cases);
  assert.deepEqual(presets.map((p) => p.keyValue), [true, true, true, true, false, false, false]);
});

test('bad calls are JS errors with a clear message, not crashes', () => {
  assert.throws(() => Playground.runClassic('nope', 1n), /no classic test case `nope`/);
  assert.throws(() => new Playground({ peers: 0 }), /1 to 1000 peers, not 0/);
  assert.throws(() => new Playground({ peers: 5, colour: 'red' }), /unknown option `colour`/);
  assert.throws(() => new Playground({ timings: { tfail: 3 } }), /unknown timing `tfail`/);
  assert.throws(() => new Playground({ timings: { tFail: 30, tRemove: 20 } }), /t_remove \(20\) must be longer than t_fail \(30\)/);
  const pg = new Playground({ peers: 5, seed: 1 });
  assert.throws(() => pg.fail('9.9.9.9:9'), /not a peer address/);
  assert.throws(() => pg.fail('9.0.0.0:0'), /no peer 9\.0\.0\.0:0/);
  assert.throws(() => pg.create('k', 'v'), /no live peer to coordinate/, 'nobody has started at tick 0');
  pg.step(5);
  assert.throws(() => pg.create('', 'v'), /must not be empty/);
  assert.throws(() => Playground.fromLink('nonsense', false), /share link/);
});

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
  assert.throws(() => pg.recentEvents('', 'joins', 0, 10), /no event kind "joins"; the kinds are start, join,/);
  assert.ok(pg.recentEvents('', 'join', 0, 10).every((e) => e.kind === 'join'));
  assert.throws(() => Playground.fromLink('nonsense', false), /share link/);
});

/// A scenario with network faults: a partition, a heal, message loss, and
/// client operations on both sides of the cut.
function faulty() {
  const pg = new Playground({ peers: 10, seed: 7n });
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
  pg.loss(20);
  pg.delay('4.0.0.0:0', '5.0.0.0:0', 7);
  pg.read('k', '5.0.0.0:0');
  pg.update('j', 'z', '7.0.0.0:0');
  pg.step(30);
  pg.loss(0);
  pg.read('j', '3.0.0.0:0');
  pg.step(20);
  return pg;
}

test('history() lists every client operation and check() judges it; a link replays the same', () => {
  const pg = faulty();
  const link = pg.shareLink();
  assert.match(link, /&do=.*;50\.part\.1-2-3;.*;83\.heal;83\.loss\.20;83\.delay\.4\.5\.7;.*;113\.loss\.0;/);
  const rows = pg.history();
  assert.equal(rows.length, 10);
  assert.deepEqual(Object.keys(rows[0]), ['trans', 'key', 'op', 'coordinator', 'invoked', 'completed', 'outcome', 'reason', 'value', 'version', 'indeterminate']);
  assert.deepEqual(rows[0], {
    trans: 1, key: 'k', op: 'create', coordinator: '1.0.0.0:0', invoked: 40, completed: rows[0].completed,
    outcome: 'ok', reason: null, value: 'a', version: '40/1', indeterminate: false,
  });
  assert.ok(rows[0].completed > 40);
  // The update inside the small side cannot reach a quorum: it may or may not have applied.
  const cut = rows.find((r) => r.op === 'update' && r.coordinator === '1.0.0.0:0');
  assert.equal(cut.outcome, 'fail');
  assert.ok(['timeout', 'no-quorum'].includes(cut.reason), cut.reason);
  assert.equal(cut.indeterminate, true);
  // The majority side goes on: its read sees its update.
  const update = rows.find((r) => r.op === 'update' && r.coordinator === '8.0.0.0:0');
  const read = rows.find((r) => r.op === 'read' && r.coordinator === '9.0.0.0:0');
  assert.deepEqual([update.outcome, read.outcome, read.value, read.version], ['ok', 'ok', 'c', update.version]);

  const check = pg.check();
  assert.deepEqual(check.keys.map((k) => [k.key, k.ops]), [['j', 4], ['k', 6]]);
  for (const k of check.keys) assert.ok(['linearizable', 'not-linearizable', 'unknown'].includes(k.verdict), k.verdict);
  assert.equal(Object.keys(check.anomalies).length, 15);
  assert.ok('non_linearizable_keys' in check.anomalies && 'live_peer_removed' in check.anomalies);
  const counted = Object.values(check.anomalies).reduce((a, b) => a + b, 0);
  assert.equal(check.findings.length, counted, 'one finding per count');
  for (const f of check.findings) assert.deepEqual(Object.keys(f), ['kind', 'key', 'tick', 'detail']);
  assert.equal(check.endChecked, false, 'not quiet for long enough');
  assert.deepEqual(check.mustBeZero, [], 'no anomaly the mixed profile forbids');

  const again = Playground.fromLink(link, false);
  assert.deepEqual(again.history(), rows);
  assert.deepEqual(again.check(), check);
  assert.deepEqual(again.history(), faulty().history(), 'the same calls give the same history');

  // The CLI's checker reads the same link the same way.
  const native = execFileSync(cli, ['check', link], { encoding: 'utf8' });
  for (const k of check.keys) assert.match(native, new RegExp(`key ${k.key} +${k.ops} ops +${k.verdict}`));
});

test('a quiet, faultless session has its end state checked and nothing that must be zero', () => {
  const pg = new Playground({ peers: 6, seed: 3n });
  pg.step(40);
  pg.create('k', 'v', '2.0.0.0:0');
  pg.step(5);
  pg.read('k', '3.0.0.0:0');
  pg.step(300);
  const check = pg.check();
  assert.deepEqual(check.keys, [{ key: 'k', ops: 2, verdict: 'linearizable' }]);
  assert.deepEqual([check.findings, check.mustBeZero, check.endChecked], [[], [], true]);
});

test('bad network faults are JS errors naming the problem', () => {
  const pg = new Playground({ peers: 5, seed: 1 });
  pg.step(5);
  assert.throws(() => pg.partition([]), /at least one peer/);
  assert.throws(() => pg.partition(['9.0.0.0:0']), /no peer 9\.0\.0\.0:0/);
  assert.throws(() => pg.partition(['nope']), /`nope` is not a peer address/);
  assert.throws(() => pg.partition(['1.0.0.0:0', '1.0.0.0:0']), /appears twice/);
  assert.throws(() => pg.loss(101), /a loss in percent is a whole number from 0 to 100, not 101/);
  assert.throws(() => pg.loss(-1), /not -1/);
  assert.throws(() => pg.loss(2.5), /not 2\.5/);
  assert.throws(() => pg.loss(10, '1.0.0.0:0'), /needs both `from` and `to`/);
  assert.throws(() => pg.loss(10, '1.0.0.0:0', '7.0.0.0:0'), /no peer 7\.0\.0\.0:0/);
  assert.throws(() => pg.delay('1.0.0.0:0', '2.0.0.0:0', 0), /a delay in ticks is a whole number from 1 to 100, not 0/);
  assert.throws(() => pg.delay('1.0.0.0:0', '2.0.0.0:0', 101), /not 101/);
  assert.throws(() => pg.delay('1.0.0.0:0', '8.0.0.0:0', 5), /no peer 8\.0\.0\.0:0/);
  assert.doesNotThrow(() => pg.loss(10, '1.0.0.0:0', '2.0.0.0:0'));
  assert.match(pg.shareLink(), /&do=5\.loss\.1\.2\.10&/, 'only the fault that worked is recorded');
});

test('vnodes: each peer draws its tokens, the link carries vn=, bad values are refused', () => {
  const pg = new Playground({ peers: 6, seed: 5n, vnodes: 16 });
  pg.step(30);
  const ring = pg.ring(0);
  assert.equal(ring.vnodes, 16);
  for (const p of ring.peers) {
    assert.equal(p.tokens.length, 16);
    assert.equal(p.tokens[0], p.position);
  }
  assert.match(pg.shareLink(), /&vn=16&/);
  assert.deepEqual(Playground.fromLink(pg.shareLink(), false).ring(0), ring);
  assert.doesNotMatch(new Playground({ peers: 6 }).shareLink(), /vn=/);
  assert.throws(() => new Playground({ vnodes: 0 }), /vnodes must be from 1 to 256, not 0/);
  assert.throws(() => new Playground({ peers: 100, vnodes: 256 }), /peers × vnodes must be at most 16384/);
});

test('read repair and consistency levels are options, land in the link and replay', () => {
  assert.throws(() => new Playground({ readRepair: 'sometimes' }), /readRepair must be off, async or blocking, not `sometimes`/);
  const pg = new Playground({ peers: 6, seed: 4, readRepair: 'blocking' });
  pg.step(40);
  assert.throws(() => pg.read('k', undefined, 'most'), /consistency level is one, quorum or all, not `most`/);
  pg.create('k', 'v', '1.0.0.0:0', 'all');
  pg.step(5);
  pg.read('k', '2.0.0.0:0', 'one');
  pg.step(5);
  const rows = pg.history();
  assert.deepEqual(rows.map((r) => [r.op, r.outcome, r.value]), [['create', 'ok', 'v'], ['read', 'ok', 'v']]);
  const link = pg.shareLink();
  assert.match(link, /&rr=blocking/);
  assert.match(link, /\.create:all\.1\.k\.v;/);
  assert.match(link, /\.read:one\.2\.k/);
  const again = Playground.fromLink(link, false);
  assert.equal(again.dbgLog(), pg.dbgLog());
});

test('Merkle anti-entropy is an option, lands in the link and replays natively', () => {
  assert.throws(() => new Playground({ antiEntropy: 'gossip' }), /antiEntropy must be digest or merkle, not `gossip`/);
  assert.throws(() => new Playground({ aePeriod: 0 }), /ae-period must be from 1 to 10000 ticks, not 0/);
  assert.throws(() => new Playground({ aePeriod: 2.5 }), /setting `aePeriod`: `2.5` is not a whole number/);
  const pg = new Playground({ peers: 7, seed: 9, antiEntropy: 'merkle', aePeriod: 8 });
  pg.step(40);
  pg.create('k', 'v', '1.0.0.0:0');
  pg.fail('3.0.0.0:0');
  pg.step(80);
  const link = pg.shareLink();
  assert.match(link, /&t=3\.5\.20\.10\.10\.20\.5\.8\.300&/);
  assert.match(link, /&ae=merkle&/);
  const again = Playground.fromLink(link, false);
  assert.equal(again.dbgLog(), pg.dbgLog());
  const log = join(mkdtempSync(join(tmpdir(), 'ftkv-')), 'dbg.log');
  execFileSync(cli, ['replay', link, '--log', log]);
  assert.equal(readFileSync(log, 'utf8'), pg.dbgLog());
});

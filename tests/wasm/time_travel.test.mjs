// Time travel through the JS API: seek() shows what the link cut at that
// tick replays, back() and step() move along the recorded run, acting in
// the past forks, and bad ticks are JS errors with a clear message. Needs
// `wasm-pack build --target web --out-dir www/pkg` and `cargo build --release`.
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

/// A run with a failure, a partition, a recovery and requests, 400 ticks.
function played() {
  const pg = new Playground({ peers: 10, seed: 21n, traceMessages: true });
  pg.step(40);
  pg.create('k', 'a', '1.0.0.0:0');
  pg.step(60);
  pg.fail('4.0.0.0:0');
  pg.update('k', 'b', '2.0.0.0:0');
  pg.step(90);
  pg.partition(['1.0.0.0:0', '2.0.0.0:0']);
  pg.read('k', '9.0.0.0:0');
  pg.step(80);
  pg.heal();
  pg.recover('4.0.0.0:0');
  pg.step(130);
  return pg;
}

/// What the page shows: the tick, ring, log, history, grade, check, link.
function shown(pg) {
  return {
    tick: pg.tick(),
    ring: pg.ring(1000),
    events: pg.eventCount(),
    log: pg.dbgLog(),
    history: pg.history(),
    check: pg.check(),
    grade: pg.grade(),
    peer: pg.peer('4.0.0.0:0'),
    link: pg.shareLink(),
  };
}

test('seek shows what a fresh replay of the link cut at that tick shows, back and forth', () => {
  const pg = played();
  const whole = shown(pg);
  assert.equal(pg.horizon(), 400);
  for (const t of [250, 0, 399, 100, 190, 101, 40, 400, 7, 330]) {
    pg.seek(t);
    assert.equal(pg.tick(), t);
    assert.equal(pg.horizon(), 400, 'looking back keeps the horizon');
    const link = pg.shareLink();
    assert.match(link, new RegExp(`&tick=${t}(&|$)`));
    assert.deepEqual(shown(pg), shown(Playground.fromLink(link, true)), `tick ${t}`);
  }
  pg.seek(400);
  assert.deepEqual(shown(pg), whole, 'the future comes back');
});

test('back goes back, at most to tick 0; step in the past replays the recorded future', () => {
  const pg = played();
  const whole = shown(pg);
  assert.equal(pg.back(10), 390);
  assert.equal(pg.back(0), 390);
  assert.equal(pg.back(300), 90);
  assert.doesNotMatch(pg.shareLink(), /\.fail\./, 'the failure at 100 has not happened yet');
  assert.equal(pg.step(310), 310);
  assert.equal(pg.horizon(), 400);
  assert.deepEqual(shown(pg), whole);
  pg.seek(5);
  assert.equal(pg.back(1000), 0);
  assert.equal(pg.eventCount(), 0);
});

test('acting in the past forks: later actions go, the link replays natively to the same dbg.log', () => {
  const pg = played();
  const before = pg.shareLink();
  pg.seek(150);
  pg.create('fork', 'yes', '3.0.0.0:0');
  assert.equal(pg.horizon(), 150, 'the fork is the new horizon');
  const link = pg.shareLink();
  assert.notEqual(link, before);
  const actions = link.split('&do=')[1].split('&sum=')[0].split(';');
  assert.deepEqual(actions, ['40.create.1.k.a', '100.fail.4', '100.update.2.k.b', '150.create.3.fork.yes']);
  assert.throws(() => pg.seek(151), /a tick to seek is a whole number from 0 to 150, not 151/);
  pg.step(60);
  assert.equal(pg.horizon(), 210);
  const log = join(mkdtempSync(join(tmpdir(), 'ftkv-tt-')), 'dbg.log');
  execFileSync(cli, ['replay', pg.shareLink(), '--log', log]);
  assert.equal(pg.dbgLog(), readFileSync(log, 'utf8'));
  assert.deepEqual(shown(pg), shown(Playground.fromLink(pg.shareLink(), true)));
});

test('a preset seeks to its grade at that tick', () => {
  const pg = new Playground({ preset: 'read', seed: 3n });
  pg.step(700);
  const full = pg.grade();
  assert.equal(pg.horizon(), 700);
  pg.seek(120);
  const early = pg.grade();
  assert.ok(early.points < full.points, `${early.points} < ${full.points}`);
  assert.deepEqual(early, Playground.fromLink(pg.shareLink(), false).grade());
  pg.seek(700);
  assert.deepEqual(pg.grade(), full);
});

test('bad ticks are JS errors with a clear message, and change nothing', () => {
  const pg = new Playground({ peers: 5, seed: 1 });
  pg.step(30);
  const link = pg.shareLink();
  assert.throws(() => pg.seek(31), /a tick to seek is a whole number from 0 to 30, not 31/);
  assert.throws(() => pg.seek(-1), /a tick to seek is a whole number from 0 to 30, not -1/);
  assert.throws(() => pg.seek(2.5), /not 2\.5/);
  assert.throws(() => pg.seek(NaN), /not NaN/);
  assert.throws(() => pg.seek(Infinity), /not inf/);
  assert.throws(() => pg.back(-3), /a number of ticks is a whole number from 0 to 20000, not -3/);
  assert.throws(() => pg.back(0.5), /not 0\.5/);
  assert.equal(pg.shareLink(), link);
  assert.equal(pg.tick(), 30);
});

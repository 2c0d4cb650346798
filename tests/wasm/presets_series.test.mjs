// A preset's guide, its grade per window, going on as a free run, and the
// run over time, through the JS API. Needs
// `wasm-pack build --target web --out-dir www/pkg`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, Playground } = await import(join(root, 'www', 'pkg', 'ftkv.js'));
initSync({ module: readFileSync(join(root, 'www', 'pkg', 'ftkv_bg.wasm')) });

test('guide() names the tested key and the steps, next follows the tick', () => {
  const pg = new Playground({ preset: 'read', seed: 3n });
  const g = pg.guide();
  assert.equal(g.test, 'read');
  assert.equal(g.keys.length, 2);
  assert.equal(g.keys[1], 'invalidKey');
  assert.deepEqual(g.steps.map((s) => s.tick), [100, 150, 175, 225, 275, 285, 285, 700]);
  assert.equal(g.next, 0);
  for (const s of g.steps) {
    assert.ok(s.caption.startsWith(`tick ${s.tick}: `), s.caption);
    assert.ok(s.expect.length > 0 && Array.isArray(s.checks));
  }
  assert.match(g.steps[3].caption, new RegExp(`two replicas of ${g.keys[0]} fail`));
  assert.match(g.steps[3].expect, /must fail/);
  pg.step(230);
  const later = pg.guide();
  assert.equal(later.steps[later.next].tick, 275);
  assert.match(later.steps[3].caption, /\d+\.\d+\.\d+\.\d+:0/, 'the failed peers are named');
  assert.equal(new Playground({ peers: 5 }).guide(), null);
});

test('grade() says which windows closed and what is settled', () => {
  const pg = new Playground({ preset: 'update', seed: 2n });
  pg.step(176);
  const g = pg.grade();
  assert.deepEqual(g.checks.map((c) => c.closed), [true, false, false, false, false, false]);
  assert.equal(g.checks[0].closesAt, 175);
  assert.deepEqual([g.settled, g.settledMax, g.finished, g.continuesFreely], [3, 3, false, false]);
  pg.step(1000);
  const end = pg.grade();
  assert.deepEqual([end.settled, end.settledMax, end.points, end.max], [40, 40, 40, 40]);
});

test('continueFree() lets a finished preset run on, and its link replays it', () => {
  const pg = new Playground({ preset: 'read', seed: 5n });
  assert.throws(() => pg.continueFree(), /tick 700/);
  pg.step(1000);
  assert.equal(pg.step(10), 0, 'a preset stops at its end');
  pg.continueFree();
  assert.equal(pg.grade().continuesFreely, true);
  const key = pg.guide().keys[0];
  const trans = pg.read(key);
  assert.equal(pg.step(20), 20);
  const row = pg.history().find((r) => r.trans === trans);
  assert.equal(row.outcome, 'ok');
  const link = pg.shareLink();
  assert.match(link, /&free=700/);
  const again = Playground.fromLink(link, false);
  assert.equal(again.dbgLog(), pg.dbgLog());
  assert.throws(() => Playground.fromLink(Playground.seal('v=1&peers=10&seed=1&tick=5&free=700'), false), /no preset/);
  assert.throws(() => new Playground({ peers: 4 }).continueFree(), /only a preset/);
});

test('series() covers the run to the horizon and adds up to the history', () => {
  const pg = new Playground({ peers: 10, seed: 4n });
  pg.step(40);
  pg.create('k', 'v', '1.0.0.0:0');
  pg.step(20);
  pg.fail('3.0.0.0:0');
  pg.read('k', '2.0.0.0:0');
  pg.read('nope', '2.0.0.0:0');
  pg.step(100);
  const s = pg.series(20);
  assert.equal(s.horizon, 160);
  assert.equal(s.from.length, 18, "161 ticks in buckets of 9");
  for (const a of [s.until, s.failed, s.underReplicated, s.belowQuorum, s.inFlight, s.ok, s.fail, s.pending]) {
    assert.equal(a.length, s.from.length);
  }
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const h = pg.history();
  assert.equal(sum(s.ok), h.filter((r) => r.outcome === 'ok').length);
  assert.equal(sum(s.fail), h.filter((r) => r.outcome === 'fail').length);
  assert.equal(s.failed.at(-1), 1);
  pg.seek(50);
  const back = pg.series(20);
  assert.equal(back.tick, 50);
  assert.deepEqual({ ...back, tick: 160 }, s);
});

test('wrong numbers and a preset with other peers are refused by name, not wrapped or ignored', () => {
  assert.throws(() => new Playground({ preset: 'read', peers: 50 }), /preset read has 10 peers, not 50/);
  const pg = new Playground({ peers: 5, seed: 1n });
  for (const n of [-1, 2 ** 32 + 5, NaN, 1.5]) {
    assert.throws(() => pg.step(n), /a number of ticks to step is a whole number from 0 to 20000/, String(n));
  }
  assert.equal(pg.tick(), 0, 'nothing ran');
  assert.equal(pg.step(3), 3);
  assert.throws(() => pg.ring(-1), /a number of messages is a whole number/);
  assert.throws(() => pg.events(2 ** 32, 1), /an event index is a whole number/);
  assert.throws(() => pg.series(-1), /a number of buckets is a whole number/);
});

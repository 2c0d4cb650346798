// Dropping one message by hand through the JavaScript API: a transaction's
// messages carry their `seq`, dropMessage(seq) loses that one, the share
// link carries the drop and replays it exactly (also after a fork in the
// past), and a message not in flight is refused by its number. Needs
// `wasm-pack build --release --target web --out-dir www/pkg --no-typescript`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, Playground } = await import(join(root, 'www', 'pkg', 'ftkv.js'));
initSync({ module: readFileSync(join(root, 'www', 'pkg', 'ftkv_bg.wasm')) });

test('dropMessage loses one request and the share link replays it', () => {
  for (const traceMessages of [true, false]) {
    const pg = new Playground({ peers: 8, seed: 5n, traceMessages });
    pg.step(40);
    const t = pg.create('k', 'v', '3.0.0.0:0');
    const sent = pg.transaction(t).messages;
    assert.equal(sent.length, 3);
    assert.ok(sent.every((m) => m.status === 'in-flight' && typeof m.seq === 'number'), JSON.stringify(sent));
    const { seq, to } = sent[0];
    assert.ok(pg.ring(1000).messages.some((m) => m.seq === seq), 'the ring names it too');
    pg.dropMessage(seq);
    pg.step(20);
    const tx = pg.transaction(t);
    assert.equal(tx.traced, traceMessages);
    const lost = tx.messages.find((m) => m.seq === seq);
    assert.deepEqual([lost.status, lost.reason, lost.at, lost.to], ['lost', 'by hand', 40, to]);
    assert.equal(tx.asked.find((a) => a.address === to).reply, 'none');
    assert.equal(tx.replies.length, 2);
    assert.equal(tx.verdict, 'quorum reached');

    const link = pg.shareLink();
    assert.ok(link.includes(`;40.drop.${seq}&`), link);
    const replay = Playground.fromLink(link, traceMessages);
    assert.equal(replay.dbgLog(), pg.dbgLog());
    assert.equal(replay.shareLink(), link);
    assert.deepEqual(replay.transaction(t), tx);

    assert.throws(() => pg.dropMessage(seq), /no message \d+ is in flight at tick 60/);
    assert.throws(() => pg.dropMessage(1.5), /a message number is a whole number/);
    assert.throws(() => pg.dropMessage(-1), /a message number is a whole number/);
    assert.equal(pg.shareLink(), link, 'a refused drop records nothing');
  }
});

test('dropping a message in the past forks, and the link replays the fork', () => {
  const pg = new Playground({ peers: 8, seed: 5n, traceMessages: true });
  pg.step(40);
  const t = pg.create('k', 'v', '3.0.0.0:0');
  const [first, second] = pg.transaction(t).messages;
  pg.dropMessage(first.seq);
  pg.step(30);
  assert.equal(pg.back(30), 40);
  pg.dropMessage(second.seq);
  assert.equal(pg.horizon(), 40, 'the future after the fork is gone');
  pg.step(30);
  const tx = pg.transaction(t);
  assert.equal(tx.messages.filter((m) => m.reason === 'by hand').length, 2);
  assert.equal(tx.verdict, 'timed out', 'one reply of the two it needs');
  const link = pg.shareLink();
  assert.ok(link.includes(`40.drop.${first.seq};40.drop.${second.seq}&`), link);
  const replay = Playground.fromLink(link, true);
  assert.equal(replay.dbgLog(), pg.dbgLog());
  assert.deepEqual(replay.transaction(t), tx);
});

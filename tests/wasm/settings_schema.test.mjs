// The settings schema the page builds its panel from: every setting, with
// its JS option, range and default, round-trips through `new Playground`,
// the settings text and the share link; a bad value is refused by name.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { initSync, Playground } = await import(join(root, 'www', 'pkg', 'ftkv.js'));
initSync({ module: readFileSync(join(root, 'www', 'pkg', 'ftkv_bg.wasm')) });

const { settings, limits } = Playground.settingsSchema();

/** Options setting `s` to `value`. */
function options(s, value) {
  return s.group ? { [s.group]: { [s.js]: value } } : { [s.js]: value };
}

/** A value of setting `s` other than its default. */
function other(s) {
  if (s.kind === 'switch') return !s.default;
  if (s.kind === 'choice') return s.choices.find((c) => c !== s.default);
  return s.default + 1; // in range for every setting (R and W stay at most N)
}

test('the schema lists every setting with its bounds, and the page limits', () => {
  assert.deepEqual(settings.map((s) => s.name), ['n', 'r', 'w', 'read-repair', 'vnodes', 'hinted-handoff', 'ae', 'ae-period']);
  for (const s of settings) {
    assert.ok(s.title && s.doc && s.js && s.flag, s.name);
    if (s.kind === 'whole') assert.ok(Number.isInteger(s.min) && (s.maxIsN || s.max >= s.min), s.name);
  }
  assert.ok(limits.maxPeers >= limits.defaultPeers);
});

test('every setting round-trips through the JS options, the settings text and the link', () => {
  for (const s of settings) {
    const value = other(s);
    const pg = new Playground({ peers: 4, seed: 3, ...options(s, value) });
    const now = pg.settings();
    assert.equal(now[s.js], value, s.name);
    const word = s.kind === 'switch' ? (value ? 'on' : 'off') : String(value);
    assert.ok(now.text.split(',').includes(`${s.name}=${word}`), `${s.name} in ${now.text}`);
    const again = Playground.fromLink(pg.shareLink(), false);
    assert.deepEqual(again.settings(), now, s.name);
  }
});

test('a bad value of each setting is refused, naming it', () => {
  for (const s of settings) {
    const bad = s.kind === 'whole' ? 1.5 : 'nonsense';
    assert.throws(() => new Playground(options(s, bad)), new RegExp(s.js), s.name);
  }
});

// The same seed must give a byte-identical dbg.log natively and in
// WebAssembly (wasm32-unknown-unknown). Run by `.ci/test` after
// `cargo build --release` and
// `cargo build --release --lib --target wasm32-unknown-unknown`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wasmPath = join(root, 'target', 'wasm32-unknown-unknown', 'release', 'ftkv.wasm');
const cli = join(root, 'target', 'release', 'ftkv');
const cases = ['create', 'delete', 'read', 'update', 'singlefailure', 'multifailure', 'msgdropsinglefailure'];
const seeds = [0n, 1n, 424242n, 18446744073709551615n];

const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const wasm = instance.exports;
const decoder = new TextDecoder('utf-8', { fatal: true });

function wasmLog(caseIndex, seed) {
  const len = wasm.ftkv_classic_log(caseIndex, seed);
  const ptr = wasm.ftkv_text_ptr();
  return decoder.decode(new Uint8Array(wasm.memory.buffer, ptr, len));
}

const dir = mkdtempSync(join(tmpdir(), 'ftkv-det-'));
function nativeLog(name, seed) {
  const log = join(dir, `${name}-${seed}.log`);
  execFileSync(cli, ['run', join(root, 'testcases', `${name}.conf`), '--seed', String(seed), '--log', log]);
  return readFileSync(log, 'utf8');
}

for (const [index, name] of cases.entries()) {
  for (const seed of seeds) {
    test(`${name} seed ${seed}: wasm32 dbg.log equals native`, () => {
      const fromWasm = wasmLog(index, seed);
      assert.ok(fromWasm.startsWith('131\n '), fromWasm.slice(0, 80));
      assert.equal(fromWasm, nativeLog(name, seed));
    });
  }
}

test('an unknown case is an error, not a crash', () => {
  assert.match(wasmLog(99, 1n), /^error: no classic test case 99/);
});

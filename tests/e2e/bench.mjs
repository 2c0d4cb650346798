// Browser performance, printed as numbers (`node tests/e2e/bench.mjs`):
// 1. ticks per second of the scenarios `cargo bench` also runs natively,
//    here in WebAssembly inside Chromium;
// 2. frames per second of the page at 100 peers, running, messages animated;
// 3. the page at 1,000 peers: time to start, frames and ticks per second
//    while running, and how long a Step click takes;
// 4. time travel in WebAssembly: Playground.seek over a 2,000-tick,
//    100-peer run with every message traced (compare with `cargo bench
//    --bench sim -- --seek`).
import { serve, launch, openPage } from './harness.mjs';

const server = await serve();
const browser = await launch();
const page = await openPage(browser, server.url, []);

// V8 first runs wasm from its baseline compiler and swaps in optimized code
// later: warm up, then keep the best of three rounds.
const wasm = await page.evaluate(() => {
  const { Playground } = window.ftkv;
  const preset = () => {
    const t = performance.now();
    for (let seed = 0; seed < 20; seed++) {
      const pg = new Playground({ preset: 'read', seed });
      pg.step(700);
      pg.free();
    }
    return 14000 / ((performance.now() - t) / 1000);
  };
  const hundred = () => {
    const t = performance.now();
    const pg = new Playground({ peers: 100, seed: 7, traceMessages: true });
    pg.step(50);
    for (let i = 0; i < 200; i++) pg.create(`key${i}`, 'v');
    pg.step(950);
    pg.free();
    return 1000 / ((performance.now() - t) / 1000);
  };
  preset();
  hundred();
  const best = (f) => Math.max(f(), f(), f());
  return { preset: best(preset), hundred: best(hundred) };
});
console.log('wasm in Chromium (compare with `cargo bench --bench sim`, "playground scenarios")');
console.log(`  preset read, 20 seeds x 700 ticks   ${wasm.preset.toFixed(0).padStart(10)} ticks/s`);
console.log(`  100 peers, 200 keys, 1000 ticks     ${wasm.hundred.toFixed(0).padStart(10)} ticks/s`);

async function runFor(speed, ms) {
  await page.locator('#speed').fill(String(speed));
  const before = await page.evaluate(() => ({ f: window.ftkv.frames(), t: window.ftkv.playground().tick(), now: performance.now() }));
  await page.getByRole('button', { name: 'Run' }).click();
  await page.waitForTimeout(ms);
  await page.getByRole('button', { name: 'Pause' }).click();
  const after = await page.evaluate(() => ({ f: window.ftkv.frames(), t: window.ftkv.playground().tick(), now: performance.now() }));
  const secs = (after.now - before.now) / 1000;
  return { fps: (after.f - before.f) / secs, tps: (after.t - before.t) / secs };
}

async function reset(peers) {
  await page.getByLabel('Peers', { exact: true }).fill(String(peers));
  const t = Date.now();
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-peer]').length === n, peers);
  return Date.now() - t;
}

const seek = await page.evaluate(() => {
  const { Playground } = window.ftkv;
  const pg = new Playground({ peers: 100, seed: 7, traceMessages: true });
  pg.step(55);
  for (let i = 0; i < 200; i++) pg.create(`key${i}`, 'v');
  pg.fail('51.0.0.0:0');
  pg.step(1945);
  const timed = (tick) => {
    const t = performance.now();
    pg.seek(tick);
    return performance.now() - t;
  };
  let worst = 0;
  for (let end = 100; end <= 2000; end += 100) {
    timed(2000);
    worst = Math.max(worst, timed(end - 1));
  }
  let total = 0;
  let x = 12345;
  for (let i = 0; i < 100; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    total += timed(x % 2001);
  }
  pg.free();
  return { worst, mean: total / 100 };
});
console.log('\ntime travel in wasm: 100 peers, 2,000 ticks, every message traced');
console.log(`  seek, worst case               ${seek.worst.toFixed(1).padStart(8)} ms`);
console.log(`  seek, mean of 100 random ticks ${seek.mean.toFixed(1).padStart(8)} ms`);

await reset(100);
await page.evaluate(() => window.ftkv.playground().step(80));
const hundred = await runFor(30, 5000);
const inFlight = await page.locator('#h-flight').textContent();
console.log('\nthe page, 100 peers, running at 30 ticks/s, messages animated');
console.log(`  frames per second   ${hundred.fps.toFixed(1)}`);
console.log(`  ticks per second    ${hundred.tps.toFixed(1)}   (${inFlight} messages in flight)`);

const startMs = await reset(1000);
const thousand = await runFor(10, 5000);
const t = Date.now();
await page.getByRole('button', { name: 'Step' }).click();
await page.waitForFunction(() => true);
const stepMs = Date.now() - t;
console.log('\nthe page, 1,000 peers');
console.log(`  start (35 ticks, 5 keys)  ${startMs} ms`);
console.log(`  running at 10 ticks/s:    ${thousand.fps.toFixed(1)} frames/s, ${thousand.tps.toFixed(1)} ticks/s`);
console.log(`  one Step click            ${stepMs} ms`);

await browser.close();
await server.close();

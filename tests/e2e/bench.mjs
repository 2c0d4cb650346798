// Browser performance, printed as numbers (`node tests/e2e/bench.mjs`):
// 1. ticks per second of the scenarios `cargo bench` also runs natively,
//    here in WebAssembly inside Chromium;
// 2. frames per second of the page at 100 peers, running, messages animated;
// 3. the page at 100 and 1,000 peers, running at the fastest speed the
//    slider asks for (240 ticks/s; the page offers what it keeps up with):
//    frames and ticks per second, the speed offered, and how long Pause,
//    Step and a Time-slider seek take from the event to the frame that
//    shows it;
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
  // Still running: Pause is measured next.
  const after = await page.evaluate(() => ({ f: window.ftkv.frames(), t: window.ftkv.playground().tick(), now: performance.now() }));
  const offered = await page.locator('#speed-out').textContent();
  const secs = (after.now - before.now) / 1000;
  return { fps: (after.f - before.f) / secs, tps: (after.t - before.t) / secs, offered };
}

/// Milliseconds from when a click on `id` is due (a timer, queued behind
/// whatever frame is running, as a real click would be) to the next frame
/// after its handler.
function clickToFrame(id) {
  return page.evaluate((target) => new Promise((done) => {
    const wait = 20 + Math.random() * 30;
    const due = performance.now() + wait;
    setTimeout(() => {
      document.getElementById(target).click();
      requestAnimationFrame(() => done(performance.now() - due));
    }, wait);
  }), id);
}

/** The mean and the worst milliseconds of letting go of the Time slider at
 * each of `ticks` to the next frame (input, then change, as a browser does). */
function seekTimes(ticks) {
  return page.evaluate((list) => new Promise((done) => {
    const time = document.getElementById('time');
    const took = [];
    const next = () => {
      if (took.length === list.length) {
        done({ mean: took.reduce((a, b) => a + b, 0) / took.length, worst: Math.max(...took) });
        return;
      }
      time.value = String(list[took.length]);
      const t = performance.now();
      time.dispatchEvent(new Event('input', { bubbles: true }));
      time.dispatchEvent(new Event('change', { bubbles: true }));
      requestAnimationFrame(() => {
        took.push(performance.now() - t);
        next();
      });
    };
    next();
  }), ticks);
}

/** The page at `peers` peers, `warm` ticks in: running at `speed`, then Pause, Step and seeks. */
async function pageNumbers(peers, warm, speed) {
  const startMs = await reset(peers);
  await page.evaluate((n) => window.ftkv.playground().step(n), warm);
  const run = await runFor(speed, 5000);
  const pauses = [await clickToFrame('run')];
  for (let i = 0; i < 2; i++) {
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForTimeout(1000);
    pauses.push(await clickToFrame('run'));
  }
  const steps = [];
  for (let i = 0; i < 3; i++) steps.push(await clickToFrame('step'));
  const horizon = await page.evaluate(() => window.ftkv.playground().horizon());
  const seek = await seekTimes([horizon - 1, horizon - 10, Math.floor(horizon / 2), horizon - 2, horizon]);
  return { startMs, ...run, pauseMs: Math.max(...pauses), stepMs: Math.max(...steps), seek };
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

for (const [peers, warm] of [[100, 80], [1000, 150]]) {
  const r = await pageNumbers(peers, warm, 240);
  console.log(`\nthe page, ${peers} peers (${warm} ticks in), speed slider at 240 ticks/s, messages animated`);
  console.log(`  start                     ${r.startMs} ms`);
  console.log(`  running:                  ${r.fps.toFixed(1)} frames/s, ${r.tps.toFixed(1)} ticks/s (speed shown: ${r.offered})`);
  console.log(`  Pause, click to frame     ${r.pauseMs.toFixed(0)} ms (worst of 3)`);
  console.log(`  Step, click to frame      ${r.stepMs.toFixed(0)} ms (worst of 3)`);
  console.log(`  seek (Time slider)        ${r.seek.mean.toFixed(0)} ms mean, ${r.seek.worst.toFixed(0)} ms worst of 5`);
}

await browser.close();
await server.close();

// The ftkv playground: draws the simulation that the Rust core (compiled to
// WebAssembly) runs, and turns clicks into actions on it. No protocol logic
// lives here. Text from the simulation or from a share link is only ever set
// with textContent or setAttribute, never parsed as HTML. This module holds
// the controller: what each control does, and the frame loop; the drawing
// lives in one module per part of the page.
import init, { Playground } from '../pkg/ftkv.js';
import { $, clearError, clipText, html, message, showError } from './dom.js';
import { buildFaults, drawFaults, names, pickPeer, stopDropping, wireFaults } from './faults.js';
import { drawHistory, forgetCheck, showCheck, showTab } from './history.js';
import { drawGuide, presetEnded, presetOver } from './guide.js';
import { fresh, fromLink, randomSeed, updateLink } from './link.js';
import { clearStaleness, drawLoad, measureStaleness, watchLoad } from './measure.js';
import { drawGrade, drawHealth, drawInspector, drawLog, fillKeyList, pullLosses } from './panels.js';
import { buildPeers, drawKeys, drawMessages, drawPeers, drawSides, fitHitAreas, onSelect, peerG, wireRing } from './ring.js';
import { drawPlots, wirePlots } from './plots.js';
import { buildSettings, explainSettings, settingsError, settingsOptions, settingsSchema, showSettings } from './settings.js';
import { MAX_MESSAGES, state } from './state.js';
import { drawTime } from './timeline.js';
import { drawOutcome } from './transaction.js';

const NET_HINT = $('net-status').textContent;
const CHECK_HINT = $('check-result').textContent;
const LOAD_KEYS = 100; // keys one click on "Write 100 keys" creates

function adopt(pg) {
  if (state.pg) state.pg.free();
  Object.assign(state, {
    pg, view: null, selectedPeer: null, selectedKey: null, lastTrans: null, expandedValue: null,
    testedKey: pg.guide()?.keys[0] ?? null, lost: [], family: null, checkedAt: null, netTick: null, verdicts: new Map(), loadDue: 0, keysWritten: 0,
  });
  setRunning(false);
  Object.assign(loop, { tickMs: 0, drawMs: 0, frameMs: 0, scale: 1, scaleDue: 0, cap: Infinity, pendingSeek: null, linkDue: 0, panelsDue: 0 });
  updateCap();
  buildPeers();
  buildFaults();
  const sc = pg.scenario();
  $('seed').value = sc.seed;
  $('peers').value = String(sc.peers);
  $('preset').value = sc.preset ?? '';
  const s = showSettings(pg);
  $('outcome').textContent = `Pick a key and send a request: the coordinator asks the key's ${s.n} replicas; ` +
    `a read needs ${s.r} of them to answer, a write ${s.w}.`;
  clearStaleness();
  $('insp-title').textContent = '— click a peer on the ring';
  $('insp-body').hidden = true;
  $('net-status').textContent = NET_HINT;
  $('check-result').replaceChildren(html('p', CHECK_HINT, 'hint'));
  refresh();
  // A link restores the view too: the selected peer, key and transaction.
  if (sc.key !== null) selectKey(sc.key);
  if (sc.peer !== null) selectPeer(sc.peer);
  if (sc.trans !== null) showTransaction(sc.trans);
  updateLink(true);
}

/// Tells the core what is selected, so the link restores it.
function keepSelection() {
  try {
    state.pg.select({ peer: state.selectedPeer, key: state.selectedKey, trans: state.lastTrans });
  } catch (e) {
    showError(message(e));
  }
  updateLink(true);
}

/// Opens transaction `trans` in the transaction view (and selects its key).
function showTransaction(trans) {
  state.lastTrans = trans;
  try {
    const key = state.pg.transaction(trans).key;
    if (key !== state.selectedKey && state.view) {
      state.selectedKey = key;
      drawPeers(state.view);
      drawKeys(state.view);
    }
  } catch {
    // Not in the run at the shown tick: the key stays as it was.
  }
  keepSelection();
  drawOutcome();
  drawHistory(true);
}

/// Builds a new cluster from the controls and the settings panel; an
/// error goes next to the panel when `fromPanel`, to the top otherwise.
function resetFromInputs(fromPanel = false) {
  const report = fromPanel ? settingsError : showError;
  const peers = Number($('peers').value);
  const seedText = $('seed').value.trim();
  const { maxPeers } = settingsSchema().limits;
  if (!Number.isInteger(peers) || peers < 1 || peers > maxPeers) {
    report(`Peers must be a whole number from 1 to ${maxPeers}, not "${$('peers').value}".`);
    return;
  }
  if ($('seed').validity.badInput || (seedText !== '' && !/^\d{1,20}$/.test(seedText))) {
    report(`The seed must be a whole number from 0 to ${settingsSchema().limits.maxSeed}${seedText ? `, not "${seedText}"` : ''}.`);
    return;
  }
  let settings;
  try {
    settings = settingsOptions();
  } catch (e) {
    settingsError(message(e));
    return;
  }
  try {
    const seed = seedText === '' ? randomSeed() : BigInt(seedText);
    // A preset runs (and is graded on) the classic settings.
    const pg = fresh(peers, seed, $('preset').value, $('preset').value ? {} : settings);
    clearError();
    adopt(pg);
    // A preset starts with its key under test selected: its replicas drawn.
    if (state.testedKey) selectKey(state.testedKey);
  } catch (e) {
    report(message(e));
  }
}

function loadHash() {
  const hash = location.hash.slice(1);
  if (hash && hash === state.linkShown) return;
  if (hash) {
    try {
      adopt(fromLink(hash));
      clearError();
      return;
    } catch (e) {
      showError(`This link cannot be replayed: ${message(e)}. A new scenario was started instead.`);
    }
  }
  adopt(fresh(settingsSchema().limits.defaultPeers, randomSeed(), ''));
}

/// Redraws the page for the tick shown: the ring, health and time every
/// time, the other panels unless `panels` is false (the frame loop draws
/// them a few times a second while running).
function refresh(panels = true) {
  const v = (state.view = state.pg.ring(MAX_MESSAGES));
  if (state.netTick > v.tick) {
    // Seen from before it, a fault's report would speak of the future.
    $('net-status').textContent = NET_HINT;
    state.netTick = null;
  }
  pullLosses(v);
  drawHealth(v);
  drawPeers(v);
  drawSides(v);
  drawFaults();
  drawKeys(v);
  // Paused, messages sit halfway along their links, not on their senders.
  drawMessages(state.running ? 0 : 0.5);
  drawTime(v);
  if (panels) drawPanels(v);
}

/** The panels beside and below the ring, for the view `v`. */
function drawPanels(v) {
  drawInspector();
  drawOutcome();
  drawGuide();
  drawGrade();
  drawPlots();
  drawLog();
  drawHistory(false);
  drawLoad(v, false);
  fillKeyList(v, false);
}

/// Shows tick `tick` of the run (pausing it): every panel redraws for that
/// tick; the event log is read again, since the events after it are gone.
function seekTo(tick) {
  setRunning(false);
  const t = Math.max(0, Math.min(state.pg.horizon(), tick));
  try {
    state.pg.seek(t);
  } catch (e) {
    showError(message(e));
    return;
  }
  clearError();
  state.family = null;
  refresh();
  drawHistory(true);
  drawLoad(state.view, true);
  updateLink(true);
}

/// ← and → step back and forth unless a form field has the keys.
function onKey(e) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
  const target = e.target;
  if (target instanceof Element && (target.closest('input, select, textarea, [contenteditable]'))) return;
  e.preventDefault();
  if (e.key === 'ArrowLeft') seekTo(state.pg.tick() - 1);
  else if (!state.running) act(() => stepOnce());
}

/// Creates LOAD_KEYS more keys, each from a random live coordinator.
function addKeys() {
  const taken = state.view.keys.map((k) => /^key(\d+)$/.exec(k.key)).filter(Boolean).map((m) => Number(m[1]) + 1);
  const base = Math.max(state.keysWritten, ...taken);
  act(() => {
    for (let i = 0; i < LOAD_KEYS; i++) state.pg.create(`key${base + i}`, 'v');
    state.keysWritten = base + LOAD_KEYS;
  }, () => drawLoad(state.view, true));
}

function act(fn, done) {
  try {
    // Cleared first: `fn` may itself report something (Step at the last tick).
    clearError();
    // Acting in the past forks: the horizon comes back to the shown tick.
    const horizon = state.pg.horizon();
    const openUnsent = state.lastTrans !== null && !sent(state.lastTrans);
    const result = fn();
    if (state.pg.horizon() < horizon) {
      if (openUnsent) dropOpenTransaction();
      if (state.checkedAt !== null && state.pg.horizon() < state.checkedAt) forgetCheck();
    }
    refresh();
    drawHistory(true);
    drawLoad(state.view, true);
    updateLink(true);
    done?.(result);
    return result;
  } catch (e) {
    showError(message(e));
    return undefined;
  }
}

/** Whether transaction `trans` has been sent by the shown tick. */
function sent(trans) {
  try {
    state.pg.transaction(trans);
    return true;
  } catch {
    return false;
  }
}

/// Acting in the past forked the run before the open transaction was sent:
/// it is gone, and its number will name another request. Closes it.
function dropOpenTransaction() {
  state.lastTrans = null;
  state.expandedValue = null;
  $('outcome').textContent = 'The open transaction was dropped: acting in the past forked the run before it was sent. Pick a key and send a request.';
  keepSelection();
}

function selectPeer(address) {
  state.selectedPeer = address;
  // The selected peer is the ring's Tab stop.
  const g = peerG(address);
  if (g) for (const entry of state.peerEls.values()) entry.g.setAttribute('tabindex', entry.g === g ? '0' : '-1');
  drawPeers(state.view);
  drawKeys(state.view);
  drawInspector();
  keepSelection();
}

/// On a narrow screen (one column) the inspector sits far below the ring:
/// a peer picked on the ring scrolls its panel into view.
function revealInspector() {
  if (window.matchMedia('(max-width: 900px)').matches) {
    $('inspector').scrollIntoView({ block: 'start' });
  }
}

/// Selects the key typed in Key (the keyboard's way to a key), or says it
/// is on no live peer.
function showKey() {
  const key = $('key').value;
  if (!state.view.keys.some((k) => k.key === key)) {
    showError(`No live peer holds a key "${clipText(key, 60)}" at tick ${state.view.tick}.`);
    return;
  }
  clearError();
  if (state.selectedKey !== key) selectKey(key);
}

function selectKey(key) {
  state.selectedKey = state.selectedKey === key ? null : key;
  if (state.selectedKey) $('key').value = state.selectedKey;
  drawPeers(state.view);
  drawKeys(state.view);
  keepSelection();
}

function request(op) {
  const key = $('key').value;
  const value = $('value').value;
  const coordinator = $('coordinator').value || undefined;
  const trans = act(() => {
    switch (op) {
      case 'create': return state.pg.create(key, value, coordinator);
      case 'read': return state.pg.read(key, coordinator);
      case 'update': return state.pg.update(key, value, coordinator);
      default: return state.pg.delete(key, coordinator);
    }
  });
  if (trans !== undefined) {
    state.selectedKey = key;
    drawPeers(state.view);
    drawKeys(state.view);
    showTransaction(trans);
  }
}

/// A network fault (or heal), reported under the network controls.
function netFault(fn, what) {
  act(fn, () => {
    state.netTick = state.pg.tick();
    $('net-status').textContent = `Tick ${state.netTick}: ${typeof what === 'function' ? what() : what}.`;
  });
}

/// After a partition: what it did, and how many sides the cuts so far make
/// (an isolation on top of a split leaves three), as Health counts them.
function partitioned(what) {
  const sides = state.pg.ring(0).health.sides;
  return sides > 2 ? `${what}; with the earlier cuts the peers are in ${sides} sides` : what;
}

function partition(side) {
  netFault(() => state.pg.partition(side), () => partitioned(`${names(side)} cut off from the rest`));
}

/// Splits the ring into its two halves by ring position: the peers in
/// [0, ½) against those in [½, 1), as one recorded partition.
function split() {
  const peers = state.pg.ring(0).peers;
  const low = peers.filter((p) => p.position < 0.5).map((p) => p.address);
  if (low.length === 0 || low.length === peers.length) {
    showError('every peer hashes into one half of the ring; choose peers under Side and Partition instead');
    return;
  }
  netFault(() => state.pg.partition(low), () => partitioned(
    `the ring is split in two: ${low.length} peer${low.length === 1 ? '' : 's'} in [0, ½) against ${peers.length - low.length} in [½, 1)`));
}

/** Stepping may take this much of a frame (ms) while running. */
const STEP_BUDGET = 10;
/** Stepping and the redraw after it together should fit in this (ms). */
const FRAME_WORK = 16;
/** Share of each second that stepping and redrawing may take when one tick
 * costs more than the budget, so that the page still draws 30 frames/s. */
const BUSY_SHARE = 0.45;
/** While running, the panels beside the ring are redrawn this often (ms). */
const PANEL_INTERVAL = 250;

/** The frame rate the offered speed keeps the page at, at least. */
const MIN_FPS = 30;

/** What the frame loop has measured: a tick's cost in wasm, a redraw's, the
 * time between frames while running, and from them the fastest speed
 * (ticks/s) this machine keeps up with at this size; `scale` (0 to 1) is
 * how much of the modelled speed the measured frame rate allows. */
const loop = {
  tickMs: 0, drawMs: 0, frameMs: 0, lastFrame: 0, scale: 1, scaleDue: 0, cap: Infinity, pendingSeek: null, linkDue: 0, panelsDue: 0,
};

function setRunning(on) {
  state.running = on;
  $('run').textContent = on ? 'Pause' : 'Run';
  $('step').disabled = on;
  state.lastStep = performance.now();
  if (!on && state.pg) {
    updateLink(true);
    if (state.view) {
      drawPanels(state.view);
      drawLoad(state.view, true);
    }
  }
}

function stepOnce() {
  const ran = state.pg.step(1);
  if (ran === 0) {
    const running = state.running;
    setRunning(false);
    if (!presetEnded()) {
      showError(`This scenario reached tick ${state.pg.tick()}, the longest a share link can replay for this many peers.`);
    } else if (!running) {
      presetOver();
    }
  }
  return ran;
}

/** Folds one measurement into a running average (the newest counts `1 / n`). */
function average(old, now, n = 3) {
  return old === 0 ? now : old + (now - old) / n;
}

/** How long this frame may step (ms): STEP_BUDGET, less when the redraw is slow. */
function stepBudget() {
  return Math.min(STEP_BUDGET, FRAME_WORK - loop.drawMs);
}

/// The fastest speed the page offers at this size: as many ticks a frame as
/// fit in the step budget at 60 frames/s; when one tick alone takes longer,
/// as many ticks (each with its redraw) as fit in BUSY_SHARE of a second;
/// and of that, the share `loop.scale` that the frame rate measured while
/// running allows (it shrinks below MIN_FPS, grows back well above). The
/// speed readout says when the slider asks for more.
function updateCap() {
  const perFrame = Math.floor(stepBudget() / Math.max(loop.tickMs, 0.01));
  const model = perFrame >= 1 ? 60 * perFrame : (BUSY_SHARE * 1000) / (loop.tickMs + loop.drawMs);
  const now = performance.now();
  if (loop.frameMs > 0 && now >= loop.scaleDue) {
    // Once the frame rate had time to answer the last change.
    loop.scaleDue = now + 500;
    if (loop.frameMs > 1000 / (MIN_FPS + 2)) loop.scale = Math.max(0.01, loop.scale * 0.8);
    else if (loop.frameMs < 1000 / (MIN_FPS + 10)) loop.scale = Math.min(1, loop.scale * 1.25);
  }
  loop.cap = Math.max(1, Math.floor(model * loop.scale));
  const capped = state.speed > loop.cap;
  const out = $('speed-out');
  out.textContent = capped ? `${loop.cap} (of ${state.speed})` : String(state.speed);
  out.title = capped ? `This machine keeps up with about ${loop.cap} ticks/s at this size: a tick takes ${loop.tickMs.toFixed(0)} ms` : '';
}

/// Runs the ticks due since the last frame at the offered speed, but never
/// more than fit in the step budget (a tick that takes longer runs alone),
/// then redraws once; a backlog is dropped rather than caught up. The link
/// in the address bar follows once a second while running.
function runDue(t) {
  const interval = 1000 / Math.min(state.speed, loop.cap);
  const due = Math.floor((t - state.lastStep) / interval);
  if (due <= 0) return interval;
  const start = performance.now();
  const budget = stepBudget();
  let ran = 0;
  while (ran < due && state.running && (ran === 0 || performance.now() - start < budget)) ran += stepOnce();
  const stepped = performance.now();
  if (ran > 0) {
    loop.tickMs = average(loop.tickMs, (stepped - start) / ran);
    const panels = !state.running || t >= loop.panelsDue;
    if (panels) loop.panelsDue = t + PANEL_INTERVAL;
    refresh(panels);
    loop.drawMs = average(loop.drawMs, performance.now() - stepped);
    updateCap();
  }
  state.lastStep = ran < due ? t : state.lastStep + due * interval;
  if (state.running && t >= loop.linkDue) {
    loop.linkDue = t + 1000;
    updateLink(true);
  }
  return interval;
}

function frame(t) {
  state.frames++;
  if (state.running && loop.lastFrame > 0) loop.frameMs = average(loop.frameMs, t - loop.lastFrame, 10);
  loop.lastFrame = state.running ? t : 0;
  if (loop.pendingSeek !== null) {
    const tick = loop.pendingSeek;
    loop.pendingSeek = null;
    seekTo(tick);
  }
  if (state.running) {
    const interval = runDue(t);
    drawMessages(Math.min(1, (t - state.lastStep) / interval));
  }
  requestAnimationFrame(frame);
}

/// Dragging the Time slider seeks once a frame, to where the thumb is then;
/// letting go (or a key) seeks at once, so the slider settles on the tick shown.
function seekFromSlider(e) {
  const tick = Number($('time').value);
  $('time-out').textContent = `${tick} / ${state.pg.horizon()}`;
  if (e.type === 'change') {
    loop.pendingSeek = null;
    seekTo(tick);
  } else {
    loop.pendingSeek = tick;
  }
}

function fillPresets() {
  for (const p of Playground.presets()) {
    const option = html('option', p.name);
    option.value = p.name;
    $('preset').append(option);
  }
}

function wire() {
  $('run').addEventListener('click', () => {
    if (!state.running && presetEnded()) {
      presetOver();
      return;
    }
    if (!state.running) stopDropping();
    setRunning(!state.running);
  });
  $('continue-free').addEventListener('click', () => act(() => state.pg.continueFree()));
  wirePlots((tick, now) => {
    loop.pendingSeek = now ? null : tick;
    if (now) seekTo(tick);
  });
  $('step').addEventListener('click', () => act(() => stepOnce()));
  $('back').addEventListener('click', () => seekTo(state.pg.tick() - 1));
  $('time').addEventListener('input', seekFromSlider);
  $('time').addEventListener('change', seekFromSlider);
  document.addEventListener('keydown', onKey);
  wireRing();
  window.addEventListener('resize', fitHitAreas);
  $('speed').addEventListener('input', () => {
    state.speed = Number($('speed').value);
    updateCap();
  });
  $('reset').addEventListener('click', () => resetFromInputs());
  $('preset').addEventListener('change', () => resetFromInputs());
  $('settings').addEventListener('submit', (e) => {
    e.preventDefault();
    if (state.pg.scenario().preset) {
      // Applying would restart the preset on its own settings and lose the run.
      settingsError(`A preset runs the classic settings ${state.pg.settings().text}, on which it is graded: nothing was changed. Choose Preset "none (free play)" to run other settings.`);
      return;
    }
    resetFromInputs(true);
  });
  $('settings').addEventListener('input', explainSettings);
  $('add-keys').addEventListener('click', addKeys);
  $('measure').addEventListener('click', measureStaleness);
  $('copy-link').addEventListener('click', async () => {
    updateLink(true);
    try {
      await navigator.clipboard.writeText(location.href);
      $('copy-link').textContent = 'Copied';
      setTimeout(() => { $('copy-link').textContent = 'Copy link'; }, 1200);
    } catch {
      showError('The browser did not allow copying; the address bar holds the link.');
    }
  });
  $('show-key').addEventListener('click', showKey);
  for (const op of ['create', 'read', 'update', 'delete']) {
    $(op).addEventListener('click', () => request(op));
  }
  $('fail').addEventListener('click', () => act(() => state.pg.fail(state.selectedPeer)));
  $('recover').addEventListener('click', () => act(() => state.pg.recover(state.selectedPeer)));
  $('isolate').addEventListener('click', () => partition([state.selectedPeer]));
  $('partition').addEventListener('click', () => partition([...$('part-side').selectedOptions].map((o) => o.value)));
  $('split').addEventListener('click', split);
  wireFaults(netFault, () => setRunning(false));
  $('heal').addEventListener('click', () => netFault(() => state.pg.heal(), 'the network is whole again'));
  $('tab-events').addEventListener('click', () => showTab('events'));
  $('tab-history').addEventListener('click', () => showTab('history'));
  $('check').addEventListener('click', showCheck);
  $('history-lanes').addEventListener('change', () => drawHistory(true));
  $('history-svg').addEventListener('click', (e) => {
    const bar = e.target.closest('[data-trans]');
    if (bar) showTransaction(Number(bar.dataset.trans));
  });
  $('history-table').tBodies[0].addEventListener('click', (e) => {
    const row = e.target.closest('tr');
    if (row?.dataset.trans) showTransaction(Number(row.dataset.trans));
  });
  $('log-peer').addEventListener('change', drawLog);
  $('log-kind').addEventListener('change', drawLog);
  $('download').addEventListener('click', () => {
    const a = $('download');
    if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(new Blob([state.pg.dbgLog()], { type: 'text/plain' }));
  });
  window.addEventListener('hashchange', loadHash);
}

// Hooks for the benchmark and tests: read-only access to the running handle.
window.ftkv = {
  playground: () => state.pg,
  frames: () => state.frames,
  Playground,
};

await init();
buildSettings();
onSelect({
  selectPeer: (address, shift) => {
    if (pickPeer(address, shift)) return;
    selectPeer(address);
    revealInspector();
  },
  selectKey,
});
fillPresets();
wire();
watchLoad();
loadHash();
requestAnimationFrame(frame);
document.body.dataset.ready = 'true';

// The history tab: every client request as a table and as a timeline (one
// lane per key), and the history checker's report.
import { $, MAX_ROWS, clipText, el, fillRows, html, message, showError } from './dom.js';
import { state } from './state.js';

const MAX_BARS = 200; // requests drawn on the timeline (the latest)

/** Redraws the history tab (at most every 300 ms unless `now`). */
export function drawHistory(now) {
  if (state.tab !== 'history') return;
  const t = performance.now();
  if (!now && t < state.historyDue) return;
  state.historyDue = t + 300;
  const rows = state.pg.history();
  const shown = rows.slice(-MAX_ROWS).reverse();
  const tbody = $('history-table').tBodies[0];
  fillRows(tbody, shown.map((r) => {
    let outcome = r.outcome === 'fail' ? `fail: ${r.reason}` : r.outcome;
    if (r.indeterminate) outcome += ' (may have applied)';
    return [
      [String(r.trans)], [r.op], [clipText(r.key, 40)], [r.coordinator], [String(r.invoked)],
      [r.completed === null ? '' : String(r.completed)],
      [outcome, r.indeterminate ? 'maybe' : r.outcome], [clipText(r.value ?? '', 40)], [r.version ?? ''],
    ];
  }));
  shown.forEach((r, i) => { tbody.rows[i].dataset.trans = String(r.trans); });
  drawTimeline(rows);
  const count = (outcome) => rows.filter((r) => r.outcome === outcome).length;
  $('history-summary').textContent =
    `${rows.length} operations: ${count('ok')} ok, ${count('fail')} failed, ${count('pending')} pending` +
    (rows.length > shown.length ? ` (the latest ${shown.length} shown, newest first)` : ' (newest first)');
  const stale = $('check-result').querySelector('.stale');
  if (stale) {
    const tick = state.pg.tick();
    stale.hidden = state.checkedAt === tick;
    stale.textContent = tick > state.checkedAt
      ? 'The run went on since: check again.'
      : `The tick shown, ${tick}, is before this check's: its marks are hidden here. Check again to check tick ${tick}.`;
  }
}

/// The keys the last check found not linearizable, as they hold at the
/// shown tick: a history that cannot be ordered still cannot with more
/// operations, but an earlier tick may hold none of the culprits.
function shownVerdicts() {
  return state.checkedAt !== null && state.pg.tick() >= state.checkedAt ? state.verdicts : new Map();
}

/// Forgets the last check: acting in the past forked the run before it.
export function forgetCheck() {
  state.checkedAt = null;
  state.verdicts = new Map();
  $('check-result').replaceChildren(html('p', 'Acting in the past forked the run before the last check\'s tick: that check no longer holds. Check history again.', 'hint'));
}

/// The history as a timeline: one bar per request (the latest MAX_BARS),
/// from its invocation to its decision (a pending one to the shown tick),
/// one lane per key, coloured by outcome. Keys are untrusted: textContent.
function drawTimeline(rows) {
  const svg = $('history-svg');
  const verdicts = shownVerdicts();
  const bars = rows.slice(-MAX_BARS);
  const now = state.pg.tick();
  const byKey = $('history-lanes').value !== 'coordinator';
  const laneOf = (r) => (byKey ? r.key : r.coordinator);
  const per = byKey ? 'one lane per key' : 'one lane per coordinator';
  $('history-cap').textContent = bars.length === 0
    ? `No request yet: each one will show here as a bar from its invocation to its decision, ${per}.`
    : `${rows.length > bars.length ? `The latest ${bars.length} of ${rows.length} requests` : `All ${bars.length} requests`}` +
      `, ${per}, from invocation to decision (pending ones to tick ${now}). Click a bar to see its transaction.`;
  const LABEL = 150;
  const WIDTH = 1000;
  const RIGHT = 12;
  const ROW = 12;
  const MAX_SUB = 4; // bars of one lane overlapping in time stack up to this many rows
  const start = bars.length ? Math.min(...bars.map((r) => r.invoked)) : 0;
  const span = Math.max(1, now - start);
  const x = (t) => LABEL + ((t - start) / span) * (WIDTH - LABEL - RIGHT);
  // Lanes in order of their first request shown; overlapping bars of a lane
  // go to the first sub-row that is free by then.
  const lanes = new Map();
  const placed = bars.map((r) => {
    let lane = lanes.get(laneOf(r));
    if (!lane) lanes.set(laneOf(r), (lane = { ends: [] }));
    const end = r.completed ?? now;
    let sub = lane.ends.findIndex((e) => e < r.invoked);
    if (sub < 0) sub = lane.ends.length < MAX_SUB ? lane.ends.length : MAX_SUB - 1;
    lane.ends[sub] = Math.max(lane.ends[sub] ?? -1, end);
    return { r, end, sub };
  });
  const AXIS = 22;
  let y = AXIS;
  for (const lane of lanes.values()) {
    lane.y = y;
    lane.h = Math.max(1, lane.ends.length) * ROW + 8;
    y += lane.h;
  }
  const height = Math.max(y + 4, 40);
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  const defs = el('defs');
  const hatch = el('pattern', { id: 'hatch', patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' });
  hatch.append(el('rect', { width: 6, height: 6, class: 'hatch-bg' }), el('rect', { width: 3, height: 6, class: 'hatch-fg' }));
  defs.append(hatch);
  const parts = [defs];
  // The tick axis: about six labelled ticks.
  const axis = el('g', { class: 'axis' });
  const step = Math.max(1, Math.ceil(span / 6 / 5) * 5);
  for (let t = Math.ceil(start / step) * step; t <= now; t += step) {
    axis.append(el('line', { x1: x(t), x2: x(t), y1: AXIS - 4, y2: height, class: 'grid' }));
    axis.append(el('text', { x: x(t), y: AXIS - 8, 'text-anchor': 'middle' }, String(t)));
  }
  axis.append(el('text', { x: 4, y: AXIS - 8 }, 'tick →'));
  parts.push(axis);
  for (const [key, lane] of lanes) {
    const g = el('g', { class: 'lane', [byKey ? 'data-key' : 'data-coordinator']: key });
    // A key's verdict marks its lane; a coordinator's lane has none (its culprit bars stay outlined).
    const bad = byKey ? verdicts.get(key) : undefined;
    g.append(el('rect', { x: 0, y: lane.y, width: WIDTH, height: lane.h, class: `lane-bg${bad ? ' nonlin' : ''}` }));
    const label = el('text', { x: 4, y: lane.y + lane.h / 2, class: 'lane-label', 'dominant-baseline': 'middle' },
      `${bad ? '✗ ' : ''}${key.length <= 16 ? key : `${key.slice(0, 15)}…`}`);
    if (bad) label.setAttribute('data-verdict', 'non-linearizable');
    label.append(el('title', {}, bad ? `${key}: not linearizable — ${bad.sentence}` : key));
    g.append(label);
    parts.push(g);
  }
  const barLayer = el('g', { class: 'bars' });
  for (const { r, end, sub } of placed) {
    const lane = lanes.get(laneOf(r));
    const x0 = x(r.invoked);
    const cls = r.outcome === 'fail' && r.indeterminate ? 'maybe' : r.outcome;
    const bar = el('rect', {
      x: x0, y: lane.y + 4 + sub * ROW, width: Math.max(3, x(end) - x0), height: ROW - 3, rx: 2,
      class: `bar ${cls}${r.trans === state.lastTrans ? ' selected' : ''}${verdicts.get(r.key)?.trans.has(r.trans) ? ' culprit' : ''}`,
      'data-trans': String(r.trans), 'data-outcome': r.outcome,
    });
    let outcome = r.outcome === 'fail' ? `fail: ${r.reason}` : r.outcome;
    if (r.indeterminate) outcome += ' (may have applied)';
    const value = r.value === null ? '' : ` "${clipText(r.value, 60)}"`;
    const when = `ticks ${r.invoked}–${r.completed ?? `${now} (pending)`}`;
    bar.append(el('title', {}, `${r.op} "${clipText(r.key, 60)}"${value}: ${outcome} (transaction ${r.trans}, via ${r.coordinator}, ${when})`));
    barLayer.append(bar);
  }
  parts.push(barLayer);
  svg.replaceChildren(...parts);
  // One sentence per key the last check found not linearizable.
  $('history-verdicts').replaceChildren(...[...verdicts].map(([key, v]) => {
    const li = html('li', `${key}: not linearizable — ${v.sentence}`, 'must');
    li.dataset.key = key;
    return li;
  }));
}

/// Runs the history checker and shows its report; must-be-zero anomalies
/// in red.
export function showCheck() {
  let c;
  try {
    c = state.pg.check();
  } catch (e) {
    showError(message(e));
    return;
  }
  state.checkedAt = state.pg.tick();
  // Keys found not linearizable, each with the checker's first sentence on
  // it (or, without one, the names of the anomalies found on it).
  state.verdicts = new Map(c.keys.filter((k) => k.verdict === 'not-linearizable').map((k) => {
    const mine = c.findings.filter((f) => f.key === k.key);
    const why = mine.find((f) => f.kind !== 'non_linearizable_keys') ?? mine[0];
    const sentence = why ? why.detail
      : 'no order of its operations explains every answer.';
    // The operations the sentences name ("read 3 … update 2") are highlighted.
    const trans = new Set();
    for (const f of mine) for (const m of f.detail.matchAll(/\b(?:create|read|update|delete) (\d+)/g)) trans.add(Number(m[1]));
    return [k.key, { sentence, trans }];
  }));
  const must = new Set(c.mustBeZero);
  const ops = c.keys.reduce((n, k) => n + k.ops, 0);
  const parts = [
    html('p', must.size > 0 ? `Must-be-zero anomalies found: ${c.mustBeZero.join(', ')}` : 'No anomaly that must be zero', `verdict ${must.size > 0 ? 'must' : 'ok'}`),
    html('p', `Checked ${ops} operations on ${c.keys.length} keys at tick ${state.checkedAt}; end state ` +
      (c.endChecked ? 'checked too (quiet long enough).' : 'not checked (heal, recover every peer and let the run go quiet).'), 'hint'),
    html('p', 'The run went on since: check again.', 'hint warn stale'),
    html('h3', 'Keys'),
  ];
  parts[2].hidden = true;
  const keys = html('table');
  keys.append(html('tbody'));
  fillRows(keys.tBodies[0], c.keys.map((k) => [
    [k.key], [`${k.ops} ops`], [k.verdict, { linearizable: 'ok', unknown: 'maybe' }[k.verdict] ?? 'fail'],
  ]));
  parts.push(keys, html('h3', 'Anomalies'));
  const found = Object.entries(c.anomalies).filter(([, n]) => n > 0);
  if (found.length === 0) {
    parts.push(html('p', 'none', 'ok'));
  } else {
    const list = html('ul', undefined, 'counts');
    for (const [name, n] of found) list.append(html('li', `${name} ${n}`, must.has(name) ? 'must' : 'warn'));
    parts.push(list);
  }
  if (c.findings.length > 0) {
    parts.push(html('h3', `Findings${c.findings.length > MAX_ROWS ? ` (the first ${MAX_ROWS} of ${c.findings.length})` : ''}`));
    const table = html('table');
    table.append(html('tbody'));
    fillRows(table.tBodies[0], c.findings.map((f) => [[`tick ${f.tick}`], [f.kind], [f.key], [f.detail]]));
    c.findings.slice(0, MAX_ROWS).forEach((f, i) => table.rows[i].classList.toggle('must', must.has(f.kind)));
    const scroll = html('div', undefined, 'scroll');
    scroll.append(table);
    parts.push(scroll);
  }
  $('check-result').replaceChildren(...parts);
  drawHistory(true);
}

/** Shows the events or the history tab. */
export function showTab(name) {
  state.tab = name;
  for (const tab of ['events', 'history']) {
    $(`tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    $(`${tab}-pane`).hidden = tab !== name;
  }
  drawHistory(true);
}

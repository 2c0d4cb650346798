// Measurements: keys per peer (load) and the staleness curve p(t).
import { $, el, message } from './dom.js';
import { Playground } from '../pkg/ftkv.js';
import { state } from './state.js';

const STALENESS_SEEDS = 8; // clusters one staleness measurement runs (in the page's thread)

/** Whether the load chart is on screen; off screen it is not redrawn (1,000 bars cost ~15 ms). */
let loadShown = true;

/** Redraws the load chart whenever it scrolls into view (with the latest view). */
export function watchLoad() {
  new IntersectionObserver(([entry]) => {
    loadShown = entry.isIntersecting;
    if (loadShown && state.view) drawLoad(state.view, true);
  }).observe($('load-chart'));
}

/// Keys per peer as bars: live copies, then hinted copies on top; min,
/// mean and max over the live peers. Skipped while off screen.
export function drawLoad(v, now) {
  const t = performance.now();
  if (!loadShown || (!now && t < state.loadDue)) return;
  state.loadDue = t + 300;
  const copies = new Map(v.peers.map((p) => [p.id, 0]));
  const hints = new Map(v.peers.map((p) => [p.id, 0]));
  for (const k of v.keys) {
    for (const id of k.holders) copies.set(id, copies.get(id) + 1);
    for (const id of k.hinted) hints.set(id, hints.get(id) + 1);
  }
  const [W, H, left, bottom, top] = [360, 170, 30, 26, 10];
  const top0 = Math.max(1, ...v.peers.map((p) => copies.get(p.id) + hints.get(p.id)));
  const y = (n) => H - bottom - (n / top0) * (H - bottom - top);
  const slot = (W - left - 4) / Math.max(1, v.peers.length);
  const gap = slot > 4 ? Math.min(3, slot * 0.2) : 0;
  const nodes = [
    el('line', { class: 'axis', x1: left, y1: y(0), x2: W - 2, y2: y(0) }),
    el('line', { class: 'axis', x1: left, y1: top, x2: left, y2: y(0) }),
    el('text', { class: 'tick', x: left - 4, y: y(top0) + 4, 'text-anchor': 'end' }, String(top0)),
    el('text', { class: 'tick', x: left - 4, y: y(0), 'text-anchor': 'end' }, '0'),
    el('text', { class: 'label', x: (left + W) / 2, y: H - 4, 'text-anchor': 'middle' }, `${v.peers.length} peers (keys each holds)`),
  ];
  v.peers.forEach((p, i) => {
    const c = copies.get(p.id);
    const h = hints.get(p.id);
    const x = left + 2 + i * slot;
    const g = el('g', { class: 'bar', 'data-state': p.state, 'data-keys': String(c), 'data-hints': String(h) });
    g.append(el('title', {}, `${p.address}: ${c} keys${h ? ` + ${h} hinted` : ''}${p.state === 'alive' ? '' : ` (${p.state})`}`));
    if (v.peers.length <= 32) g.append(el('text', { class: 'tick', x: (x + (slot - gap) / 2).toFixed(2), y: y(0) + 10, 'text-anchor': 'middle' }, String(p.id + 1)));
    g.append(el('rect', { class: 'copy', x: x.toFixed(2), y: y(c).toFixed(2), width: Math.max(0.5, slot - gap).toFixed(2), height: (y(0) - y(c)).toFixed(2) }));
    if (h > 0) g.append(el('rect', { class: 'hint', x: x.toFixed(2), y: y(c + h).toFixed(2), width: Math.max(0.5, slot - gap).toFixed(2), height: (y(c) - y(c + h)).toFixed(2) }));
    nodes.push(g);
  });
  const live = v.peers.filter((p) => p.state === 'alive').map((p) => copies.get(p.id));
  const stats = $('load-stats');
  if (live.length === 0) {
    stats.textContent = 'no live peer';
  } else {
    const mean = live.reduce((a, b) => a + b, 0) / live.length;
    const [min, max] = [Math.min(...live), Math.max(...live)];
    nodes.push(el('line', { class: 'mean', x1: left, y1: y(mean).toFixed(2), x2: W - 2, y2: y(mean).toFixed(2) }));
    stats.textContent = `min ${min} · mean ${mean.toFixed(1)} · max ${max} · max/mean ${mean > 0 ? (max / mean).toFixed(2) : '–'}` +
      ` — ${v.health.keys} keys × N=${v.replication[0]} on ${live.length} live peers, ${v.vnodes} virtual node${v.vnodes === 1 ? '' : 's'} each`;
    stats.dataset.maxOverMean = mean > 0 ? (max / mean).toFixed(2) : '';
  }
  $('load-chart').replaceChildren(...nodes);
}

/** Empties the staleness plot and says what it measures. */
export function clearStaleness() {
  $('staleness-chart').replaceChildren();
  $('staleness-chart').removeAttribute('data-last-p');
  $('staleness-stats').textContent = 'Measure staleness: of the reads sent t ticks after a write was acknowledged, ' +
    'the share that returned it, for the running N, R, W (8 peers, no faults, random link delays).';
}

/// Measures the PBS curve of the running settings (in the core, a few
/// small clusters) and plots p(t).
export function measureStaleness() {
  const s = state.pg.settings();
  let curve;
  const t0 = performance.now();
  try {
    curve = Playground.staleness(s.text, Number($('st-low').value), Number($('st-high').value), STALENESS_SEEDS);
  } catch (e) {
    clearStaleness();
    $('staleness-stats').textContent = message(e);
    return;
  }
  const ms = performance.now() - t0;
  const pts = curve.points;
  const [W, H, left, bottom, top, right] = [360, 170, 38, 30, 10, 10];
  const tMax = Math.max(10, pts[pts.length - 1].t + 2);
  const x = (t) => left + (t / tMax) * (W - left - right);
  const y = (p) => H - bottom - p * (H - bottom - top);
  const nodes = [
    el('line', { class: 'axis', x1: left, y1: y(0), x2: W - right, y2: y(0) }),
    el('line', { class: 'axis', x1: left, y1: y(0), x2: left, y2: top }),
    el('line', { class: 'grid', x1: left, y1: y(1), x2: W - right, y2: y(1) }),
  ];
  for (const p of [0, 0.5, 1]) nodes.push(el('text', { class: 'tick', x: left - 4, y: y(p) + 4, 'text-anchor': 'end' }, p.toFixed(1)));
  for (const t of [0, Math.round(tMax / 2), tMax]) nodes.push(el('text', { class: 'tick', x: x(t), y: y(0) + 13, 'text-anchor': 'middle' }, String(t)));
  nodes.push(el('text', { class: 'label', x: (left + W - right) / 2, y: H - 3, 'text-anchor': 'middle' }, 'ticks t after the write was acknowledged'));
  nodes.push(el('text', { class: 'label', transform: `translate(11 ${(top + y(0)) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, 'p(read is fresh)'));
  // After the last point p stays 1: draw it on to the edge.
  const line = pts.map((pt) => `${x(pt.t).toFixed(1)},${y(pt.p).toFixed(1)}`);
  line.push(`${x(tMax).toFixed(1)},${y(1).toFixed(1)}`);
  nodes.push(el('polyline', { class: 'curve', points: line.join(' ') }));
  for (const pt of pts) {
    const dot = el('circle', { class: 'point', cx: x(pt.t).toFixed(1), cy: y(pt.p).toFixed(1), r: 2.5 });
    dot.append(el('title', {}, `t = ${pt.t}: p = ${pt.p.toFixed(3)} (${pt.fresh} of ${pt.reads} reads)`));
    nodes.push(dot);
  }
  const chart = $('staleness-chart');
  chart.replaceChildren(...nodes);
  const last = pts[pts.length - 1];
  chart.dataset.points = String(pts.length);
  chart.dataset.lastP = String(last.p);
  const reads = pts.reduce((n, pt) => n + pt.reads, 0);
  $('staleness-stats').textContent = `${curve.config}, link delays ${curve.delays[0]} to ${curve.delays[1]} ticks: ` +
    `p(0) = ${pts[0].p.toFixed(3)}, p = 1 from t = ${last.t} on (${reads} reads over ${curve.seeds} seeds, ${Math.round(ms)} ms).`;
}

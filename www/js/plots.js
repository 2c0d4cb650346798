// The run over time (region "Over time", under the ring): the health
// counters and the requests' outcomes from tick 0 to the furthest tick
// reached, as the core buckets them (`series()`), with a cursor at the shown
// tick. A click or a drag on a chart travels in time to the tick under the
// pointer.
import { $, el } from './dom.js';
import { state } from './state.js';

/** Room around the plot area for the axes and their labels (px). */
const PAD = { left: 36, right: 12, top: 16, bottom: 26 };
/** Height of the requests' plot area, and of one health row (px). */
const BARS_PX = 70;
const ROW_PX = 24;
/** Width of one bucket (px): the core is asked for plot width / this. */
const BUCKET_PX = 3;
/** A bar segment that holds anything is at least this tall (px). */
const MIN_BAR = 3;

/** The health rows, top down, each on its own scale: series field, class, words. */
const ROWS = [
  ['failed', 'row-failed', 'failed peers'],
  ['underReplicated', 'row-under', 'under-replicated keys'],
  ['belowQuorum', 'row-quorum', 'keys below quorum'],
  ['inFlight', 'row-flight', 'messages in flight'],
];
/** The request outcomes, stacked bottom up: series field, class, words. */
const OUTCOMES = [
  ['ok', 'bar-ok', 'ok'],
  ['fail', 'bar-fail', 'failed'],
  ['pending', 'bar-pending', 'pending'],
];

/** A chart's geometry: x of a tick, the plot area's edges, the series. */
function frameOf(width, plotHeight, s) {
  const x0 = PAD.left;
  const x1 = width - PAD.right;
  const ticks = s.horizon + 1;
  return {
    s, width, x0, x1, top: PAD.top, bottom: PAD.top + plotHeight, height: PAD.top + plotHeight + PAD.bottom,
    x: (tick) => x0 + ((x1 - x0) * tick) / ticks,
  };
}

/** A tick step for about `count` labels over `span` ticks: 1, 2 or 5 × a power of ten. */
function niceStep(span, count) {
  const raw = Math.max(1, span / count);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= raw);
}

/** Starts chart `svg` afresh: its size, the x axis in ticks, the frame's data attributes. */
function startChart(svg, f) {
  svg.setAttribute('viewBox', `0 0 ${f.width} ${f.height}`);
  svg.setAttribute('height', String(f.height));
  Object.assign(svg.dataset, { x0: f.x0, x1: f.x1, horizon: f.s.horizon, buckets: f.s.from.length });
  const axis = el('g', { class: 'axis' });
  axis.append(el('line', { x1: f.x0, x2: f.x1, y1: f.bottom, y2: f.bottom }));
  const step = niceStep(f.s.horizon, Math.max(2, Math.floor((f.x1 - f.x0) / 70)));
  for (let t = 0; t <= f.s.horizon; t += step) {
    const x = f.x(t + 0.5).toFixed(1);
    axis.append(el('line', { x1: x, x2: x, y1: f.bottom, y2: f.bottom + 4 }), el('text', { x, y: f.bottom + 15, 'text-anchor': 'middle' }, String(t)));
  }
  axis.append(el('text', { x: f.x0 - 4, y: f.bottom + 15, 'text-anchor': 'end', class: 'title' }, 'tick'));
  svg.replaceChildren(axis);
  return axis;
}

/** A y axis label at height `y`, left of the plot. */
function yLabel(axis, f, y, text) {
  axis.append(el('text', { x: f.x0 - 4, y: y.toFixed(1), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, text));
}

/** The y of `value` on a scale from 0 (at `bottom`) to `max` (`span` higher). */
function yOf(bottom, span, value, max) {
  return bottom - (span * value) / Math.max(1, max);
}

/** A step line (one level per bucket) through `values`, 0 at `bottom` and `max` `span` higher. */
function stepPath(f, values, bottom, span, max) {
  const { from, until } = f.s;
  return values.map((v, i) => {
    const y = yOf(bottom, span, v, max).toFixed(1);
    return `${i === 0 ? `M${f.x(from[0]).toFixed(1)} ${y}` : `V${y}`}H${f.x(until[i]).toFixed(1)}`;
  }).join('');
}

/** One transparent column per bucket whose tooltip gives the bucket's values. */
function hitColumns(svg, f, words) {
  const g = el('g', { class: 'hits' });
  f.s.from.forEach((from, i) => {
    const until = f.s.until[i];
    const x = f.x(from);
    const rect = el('rect', { x: x.toFixed(1), y: f.top, width: (f.x(until) - x).toFixed(1), height: f.bottom - f.top });
    const ticks = until - from > 1 ? `ticks ${from}–${until - 1}` : `tick ${from}`;
    rect.append(el('title', {}, `${ticks}: ${words(i)}`));
    g.append(rect);
  });
  svg.append(g);
}

/** The shown tick as a vertical line across the plot. */
function cursor(svg, f) {
  const x = f.x(f.s.tick + 0.5).toFixed(1);
  svg.append(el('line', { class: 'cursor', x1: x, x2: x, y1: f.top - 4, y2: f.bottom, 'data-shown': f.s.tick }));
}

/**
 * Health: one row per counter (failed peers, under-replicated keys, keys
 * below quorum, messages in flight), each filled up to its value on its own
 * scale from 0 to the most it reached (labelled on the left).
 */
function drawHealthPlot(svg, f) {
  const s = f.s;
  const axis = startChart(svg, f);
  axis.append(el('text', { x: 2, y: f.top - 5, class: 'title' }, 'peak'));
  ROWS.forEach(([field, cls, words], row) => {
    const bottom = f.top + (row + 1) * ROW_PX;
    const span = ROW_PX - 5;
    const max = Math.max(1, ...s[field]);
    yLabel(axis, f, bottom - span, String(Math.max(...s[field])));
    axis.append(el('line', { x1: f.x0, x2: f.x1, y1: bottom, y2: bottom }));
    const line = stepPath(f, s[field], bottom, span, max);
    const g = el('g', { class: `row ${cls}`, 'data-series': field });
    g.append(el('path', { class: 'area', d: `${line}V${bottom}H${f.x0}Z` }), el('path', { class: 'line', d: line }));
    g.append(el('text', { x: f.x0 + 4, y: bottom - span + 6, class: 'name' }, words));
    svg.append(g);
  });
  hitColumns(svg, f, (i) => `${s.failed[i]} failed peers, ${s.underReplicated[i]} under-replicated keys, ${s.belowQuorum[i]} below quorum, ${s.inFlight[i]} messages in flight`);
  cursor(svg, f);
}

/** Requests by the tick they were sent: ok, failed and pending stacked per bucket. */
function drawRequestPlot(svg, f) {
  const s = f.s;
  const axis = startChart(svg, f);
  const totals = s.ok.map((ok, i) => ok + s.fail[i] + s.pending[i]);
  const max = Math.max(1, ...totals);
  const span = f.bottom - f.top;
  yLabel(axis, f, f.bottom, '0');
  yLabel(axis, f, f.top, String(max));
  axis.append(el('text', { x: 2, y: f.top - 5, class: 'title' }, 'requests sent'));
  const bars = el('g', { class: 'bars' });
  totals.forEach((total, i) => {
    if (total === 0) return;
    const x = f.x(s.from[i]);
    const width = Math.max(1, f.x(s.until[i]) - x - 0.5);
    let y = f.bottom;
    for (const [field, cls] of OUTCOMES) {
      const count = s[field][i];
      if (count === 0) continue;
      const height = Math.max(MIN_BAR, f.bottom - yOf(f.bottom, span, count, max));
      y -= height;
      bars.append(el('rect', { class: cls, x: x.toFixed(1), y: y.toFixed(1), width: width.toFixed(1), height: height.toFixed(1), 'data-outcome': field, 'data-count': count }));
    }
  });
  svg.append(bars);
  hitColumns(svg, f, (i) => `${s.ok[i]} ok, ${s.fail[i]} failed, ${s.pending[i]} pending`);
  cursor(svg, f);
}

/** Redraws both charts for the whole run at their current width. */
export function drawPlots() {
  const health = $('plot-health');
  const width = Math.round(health.getBoundingClientRect().width);
  if (width === 0) return;
  const buckets = Math.max(1, Math.floor((width - PAD.left - PAD.right) / BUCKET_PX));
  const s = state.pg.series(buckets);
  drawHealthPlot(health, frameOf(width, ROWS.length * ROW_PX, s));
  drawRequestPlot($('plot-requests'), frameOf(width, BARS_PX, s));
}

/** The tick under the pointer of event `e` on chart `svg` (0 to the horizon). */
function tickAt(svg, e) {
  const box = svg.getBoundingClientRect();
  const { x0, x1, horizon } = svg.dataset;
  const x = ((e.clientX - box.left) * Number(svg.viewBox.baseVal.width)) / box.width;
  const tick = Math.floor(((x - Number(x0)) / (Number(x1) - Number(x0))) * (Number(horizon) + 1));
  return Math.max(0, Math.min(Number(horizon), tick));
}

/**
 * Makes the charts travel in time: a press or a drag calls `seek(tick,
 * false)` (the page may seek once a frame), letting go `seek(tick, true)`
 * (seek now). The charts redraw when the window resizes.
 */
export function wirePlots(seek) {
  for (const svg of [$('plot-health'), $('plot-requests')]) {
    svg.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      svg.setPointerCapture(e.pointerId);
      seek(tickAt(svg, e), false);
    });
    svg.addEventListener('pointermove', (e) => {
      if (svg.hasPointerCapture(e.pointerId)) seek(tickAt(svg, e), false);
    });
    svg.addEventListener('pointerup', (e) => {
      if (!svg.hasPointerCapture(e.pointerId)) return;
      svg.releasePointerCapture(e.pointerId);
      seek(tickAt(svg, e), true);
    });
  }
  window.addEventListener('resize', drawPlots);
}

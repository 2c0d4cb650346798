// The side panels: health, the peer inspector, the preset's grade and the
// event log.
import { $, clipText, fillRows, html, message, showError } from './dom.js';
import { Playground } from '../pkg/ftkv.js';
import { state } from './state.js';

const LOG_ROWS = 200; // events shown

/** The health tiles and the tick counter. */
export function drawHealth(v) {
  const h = v.health;
  const set = (id, n, bad) => {
    const d = $(id);
    d.textContent = String(n);
    d.className = bad === undefined ? '' : bad ? 'bad' : 'good';
  };
  set('h-alive', h.alive);
  set('h-failed', h.failed, h.failed > 0);
  set('h-keys', h.keys);
  set('h-under', h.underReplicated, h.underReplicated > 0);
  set('h-quorum', h.belowQuorum, h.belowQuorum > 0);
  set('h-lost', h.lost, h.lost > 0);
  set('h-flight', h.inFlight);
  const part = $('h-part');
  part.textContent = h.partitioned ? `${h.sides} sides` : 'none';
  part.className = h.partitioned ? 'bad' : '';
  const tick = $('tick');
  tick.textContent = String(v.tick);
  tick.setAttribute('data-tick', String(v.tick));
}

/** The selected peer's panel: its state, members and keys. */
export function drawInspector() {
  if (!state.selectedPeer) return;
  let p;
  try {
    p = state.pg.peer(state.selectedPeer);
  } catch (e) {
    showError(message(e));
    return;
  }
  $('insp-title').textContent = p.address;
  $('insp-body').hidden = false;
  $('insp-summary').textContent =
    `${p.state}, incarnation ${p.incarnation}, heartbeat ${p.heartbeat}; ` +
    `messages sent ${p.sent}, received ${p.received}, lost on the way to it ${p.dropped}.`;
  if (p.state === 'failed') {
    $('insp-summary').textContent += ' It is down: its view below is frozen as it was when it failed.';
  }
  $('fail').disabled = p.state !== 'alive';
  $('recover').disabled = p.state !== 'failed';
  fillRows($('insp-members').tBodies[0], p.members.map((m) => [
    [m.address], [String(m.heartbeat)], [String(m.age)], m.suspected ? ['suspected', 'suspected'] : ['live'],
  ]));
  fillRows($('insp-keys').tBodies[0], p.keys.map((k) => [[clipText(k.key, 40)], [clipText(k.value, 40)], [k.version], [k.role]]));
}

/** The preset's grade so far and, at the end, its grader's whole score. */
export function drawGrade() {
  const panel = $('grade-panel');
  const g = state.pg.grade();
  if (!g) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  $('grade-title').textContent = `${g.test}${g.finished ? '' : ' (running…)'}`;
  const total = $('grade-total');
  total.textContent = `${g.points} / ${g.max}`;
  total.className = `total${g.finished && g.points === g.max ? ' full' : ''}`;
  fillRows($('grade-checks').tBodies[0], g.checks.map((c) => [[c.name], [`${c.points}/${c.max}`]]));
  const family = $('grade-family');
  if (!g.finished) {
    family.textContent = '';
    return;
  }
  if (!state.family) state.family = gradeFamily(g);
  family.textContent = state.family;
}

/// The whole grader's score: this run plus the other cases of its grader,
/// run at once on the same seed.
function gradeFamily(g) {
  const presets = Playground.presets();
  const keyValue = presets.find((p) => p.name === g.test)?.keyValue ?? false;
  const names = presets.filter((p) => p.keyValue === keyValue).map((p) => p.name);
  const seed = BigInt(state.pg.scenario().seed);
  let points = 0;
  let max = 0;
  const parts = names.map((name) => {
    const r = name === g.test ? g : Playground.runClassic(name, seed);
    points += r.points;
    max += r.max;
    return `${name} ${r.points}/${r.max}`;
  });
  const grader = keyValue ? 'key-value' : 'membership';
  return `${grader} grader, seed ${seed}: ${points} / ${max} (${parts.join(' · ')})`;
}

/** The messages lost in the last tick, to draw as crosses (at most 100). */
export function pullLosses(v) {
  state.lost = state.pg.recentEvents('', 'drop', v.tick - 1, 100).filter((e) => e.other !== null);
}

/** The event log, filtered by peer and kind, newest first. */
export function drawLog() {
  const peer = $('log-peer').value;
  const kind = $('log-kind').value;
  const shown = state.pg.recentEvents(peer, kind, 0, LOG_ROWS)
    .map((e) => html('li', `[${e.tick}] ${e.address}  ${clipText(e.text, 200)}`, `k-${e.kind}`));
  if (shown.length === 0) shown.push(html('li', 'no events match'));
  $('log-list').replaceChildren(...shown);
}

/** Keys the Key field suggests at most. */
const KEY_SUGGESTIONS = 500;

/** The Key field's suggestions: the keys on the ring (at most every 300 ms unless `now`). */
export function fillKeyList(v, now) {
  const t = performance.now();
  if (!now && t < state.keyListDue) return;
  state.keyListDue = t + 300;
  const keys = v.keys.slice(0, KEY_SUGGESTIONS).map((k) => k.key);
  const list = $('key-list');
  if (list.dataset.sig === keys.join('\n')) return;
  list.dataset.sig = keys.join('\n');
  list.replaceChildren(...keys.map((k) => {
    const option = html('option');
    option.value = k;
    return option;
  }));
}

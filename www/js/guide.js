// The preset's guide (region "Guide", at the top of the side column): what
// the preset tests, its steps with their ticks (done, next, later) and the
// points of each step once its grading window closes, what the grader
// expects of the next step, and at the end the final score with a way on as
// a free run. Everything it says comes from the core's guide() and grade().
import { $, html } from './dom.js';
import { state } from './state.js';

/** Keys named in the guide's first sentence at most. */
const KEYS_NAMED = 3;

/** Whether Run or Step was pressed at the preset's end (the note says so). */
let asked = false;

/** The first sentence: the preset and what it tests. */
function about(g) {
  const last = g.steps[g.steps.length - 1];
  const named = g.keys.slice(0, KEYS_NAMED).join(', ');
  const more = g.keys.length > KEYS_NAMED ? ` and ${g.keys.length - KEYS_NAMED} more` : '';
  const what = g.keys.length === 0 ? "the peers' membership lists" : `the key${g.keys.length === 1 ? '' : 's'} ${named}${more}`;
  return `The classic ${g.test} test case: it tests ${what} in ${g.steps.length} steps and ends at tick ${last.tick}.`;
}

/** What a step has earned: each of its checks' points once its window closed, else until when it is open. */
function pointsOf(step, checks) {
  return step.checks.map((name) => {
    const c = checks.get(name);
    const text = c.closed ? `${c.points}/${c.max} points` : `open until tick ${c.closesAt}`;
    return step.checks.length > 1 ? `${name}: ${text}` : text;
  }).join(' · ');
}

/** One step's row: its caption and its points, marked done, next or later. */
function stepRow(step, i, g, checks) {
  const done = g.next === null || i < g.next;
  const li = html('li');
  li.dataset.step = String(i);
  li.dataset.state = done ? 'done' : i === g.next ? 'next' : 'later';
  if (i === g.next) li.setAttribute('aria-current', 'step');
  li.append(html('span', step.caption, 'caption'));
  if (step.checks.length > 0) {
    const points = html('span', pointsOf(step, checks), 'points');
    const closed = step.checks.every((name) => checks.get(name).closed);
    points.dataset.closed = String(closed);
    points.title = step.checks.map((name) => checks.get(name).detail).join('\n');
    const full = closed && step.checks.every((name) => checks.get(name).points === checks.get(name).max);
    if (closed) points.classList.add(full ? 'full' : 'short');
    li.append(points);
  }
  return li;
}

/** The end of the preset: its final score and the way on as a free run. */
function drawEnd(g, grade) {
  const end = $('guide-end');
  const over = g.finished && !g.continuesFreely;
  if (!over) asked = false;
  end.hidden = !g.finished;
  if (end.hidden) return;
  end.classList.toggle('asked', asked);
  $('continue-free').hidden = !over;
  const score = `${grade.points} / ${grade.max}`;
  $('guide-end-note').textContent = over
    ? `${asked ? 'There is nothing more to run: ' : ''}the preset is over at tick ${state.pg.tick()}, final score ${score}. Continue as a free run to keep these peers and keys going.`
    : `Going on as a free run; the preset's grade stays ${score}.`;
}

/** Draws the guide for the shown tick (hides it without a preset). */
export function drawGuide() {
  const panel = $('guide');
  const g = state.pg.guide();
  panel.hidden = g === null;
  if (g === null) return;
  const grade = state.pg.grade();
  const checks = new Map(grade.checks.map((c) => [c.name, c]));
  $('guide-title').textContent = g.test;
  $('guide-about').textContent = about(g);
  const next = $('guide-next');
  next.hidden = g.next === null || g.finished;
  if (!next.hidden) {
    const step = g.steps[g.next];
    next.replaceChildren(html('strong', `Next — ${step.caption}`), html('span', `The grader expects: ${step.expect}.`, 'expect'));
  }
  $('guide-steps').replaceChildren(...g.steps.map((step, i) => stepRow(step, i, g, checks)));
  drawEnd(g, grade);
}

/** Whether the shown tick is a preset's end that has not gone on as a free run. */
export function presetEnded() {
  const g = state.pg.guide();
  return g !== null && g.finished && !g.continuesFreely;
}

/** Says that Run (or Step) has nothing more to replay, and offers Continue as a free run. */
export function presetOver() {
  asked = true;
  drawGuide();
  $('continue-free').focus();
}

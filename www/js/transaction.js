// One request end to end: every replica asked, its answer, the
// coordinator's verdict, and the messages between them as a sequence
// diagram.
import { $, clipText, el, html } from './dom.js';
import { state } from './state.js';

/** The open transaction: every replica asked with its answer, and the verdict. */
export function drawOutcome() {
  if (state.lastTrans === null) return;
  let t;
  const box = $('outcome');
  try {
    t = state.pg.transaction(state.lastTrans);
  } catch {
    // Seeking back to before the request was sent.
    box.textContent = `Transaction ${state.lastTrans} is not in the run at tick ${state.pg.tick()}: ` +
      'it is sent later, or acting in the past dropped it.';
    return;
  }
  const head = html('div', `${t.op.toUpperCase()} "${clipText(t.key)}" via ${t.coordinator} (transaction ${t.trans}, tick ${t.started})`);
  // Every replica asked, in ring order (substitutes last): its reply, or none.
  const list = html('ul');
  for (const a of t.asked) {
    const reply = t.replies.find((r) => r.address === a.address);
    const role = a.substitute ? ' (standing in for a suspected replica)' : '';
    let text;
    if (a.reply === 'none') text = t.decision ? 'no answer' : 'no answer yet';
    else if (a.reply === 'ok') text = `success${t.op === 'read' && reply && reply.value !== null ? ` "${clipText(reply.value, 24)}"` : ''} at tick ${a.tick}`;
    else text = `fail: ${a.why} at tick ${a.tick}`;
    const li = html('li', `${a.address}${role}: ${text}`, a.reply === 'ok' ? 'ok' : a.reply === 'fail' ? 'no' : '');
    li.dataset.reply = a.reply;
    list.append(li);
  }
  if (t.asked.length === 0) list.append(html('li', 'no replica asked: too few in the coordinator\'s view'));
  let verdict;
  if (!t.decision) {
    verdict = html('div', `waiting for a quorum of ${t.quorum} replies…`);
  } else {
    const oks = t.asked.filter((a) => a.reply === 'ok').length;
    const fails = t.asked.filter((a) => a.reply === 'fail').length;
    const silent = t.asked.length - oks - fails;
    const outcome = t.decision.ok ? `${t.verdict}: success` : `fail: ${t.verdict}`;
    verdict = html('div', `${outcome} (quorum ${t.quorum}: ${oks} replicas succeeded, ${fails} failed, ${silent} silent, by tick ${t.decision.tick})`, t.decision.ok ? 'ok' : 'no');
    if (t.decision.ok && t.decision.value !== null) verdict.append(valueText(t.trans, t.decision.value));
  }
  box.replaceChildren(head, list, verdict, sequence(t));
}

/** Width of the sequence diagram, and the space above its first tick, in viewBox units. */
const SEQ_WIDTH = 360;
const SEQ_TOP = 28;
/** Where the first lane stands: room for the tick labels on the left. */
const SEQ_LEFT = 52;

/**
 * The transaction's messages as a sequence diagram: the coordinator and
 * each replica asked as lanes, ticks downwards, each message an arrow from
 * its sender at the tick sent to its receiver at the tick it arrived; a
 * lost one ends in a red cross halfway, one in flight is dashed to now.
 */
function sequence(t) {
  if (!t.traced) {
    return html('p', 'Messages are not traced in clusters over 100 peers, so no sequence diagram: the replies above say who answered.', 'hint seq-note');
  }
  const now = state.pg.tick();
  const lanes = [t.coordinator, ...t.asked.map((a) => a.address).filter((a) => a !== t.coordinator)];
  for (const m of t.messages) for (const a of [m.from, m.to]) if (!lanes.includes(a)) lanes.push(a);
  // Time runs down to the transaction's last message (to the tick shown
  // only while one is in flight), however long ago it was.
  const busy = t.messages.some((m) => m.status === 'in-flight');
  const last = Math.max(t.started + 3, busy ? now : 0, t.decision?.tick ?? 0,
    ...t.messages.map((m) => Math.max(m.at ?? 0, m.sent ?? 0)));
  const perTick = Math.max(4, Math.min(22, 240 / (last - t.started)));
  const height = SEQ_TOP + (last - t.started) * perTick + 12;
  const svg = el('svg', { class: 'seq', viewBox: `0 0 ${SEQ_WIDTH} ${height.toFixed(0)}`, role: 'img',
    'aria-label': `Message sequence: ${t.messages.length} messages, ticks ${t.started} to ${last}` });
  const gap = (SEQ_WIDTH - SEQ_LEFT - 20) / Math.max(1, lanes.length - 1);
  const x = (address) => SEQ_LEFT + lanes.indexOf(address) * (lanes.length === 1 ? 0 : gap);
  const y = (tick) => SEQ_TOP + (tick - t.started) * perTick;
  const f = (n) => n.toFixed(1);
  for (const address of lanes) {
    const lane = el('g', { class: `lane${address === t.coordinator ? ' coordinator' : ''}`, 'data-lane': address });
    lane.append(el('line', { x1: f(x(address)), y1: '16', x2: f(x(address)), y2: f(height - 4) }));
    lane.append(el('text', { x: f(x(address)), y: '11' }, address.replace(/\.0\.0\.0:0$/, '')));
    lane.append(el('title', {}, address === t.coordinator ? `${address} (coordinator)` : address));
    svg.append(lane);
  }
  // A tick label wherever a message leaves or ends, and at the tick shown.
  const ticks = new Set([...(now <= last ? [now] : []), ...t.messages.flatMap((m) => [m.sent, m.at]).filter((k) => k !== null)]);
  let lastLabel = -Infinity;
  for (const k of [...ticks].sort((a, b) => a - b)) {
    if (y(k) - lastLabel < 11) continue;
    lastLabel = y(k);
    svg.append(el('text', { class: 'tick', x: '4', y: f(y(k) + 4) }, `t${k}`));
  }
  for (const m of t.messages) {
    if (m.sent === null) continue;
    const [x1, y1, x2] = [x(m.from), y(m.sent), x(m.to)];
    const g = el('g', { class: `seq-msg ${m.status}`, 'data-kind': m.kind, 'data-from': m.from, 'data-to': m.to,
      'data-status': m.status, 'data-sent': String(m.sent) });
    if (m.at !== null) g.setAttribute('data-at', String(m.at));
    if (m.seq !== null) g.setAttribute('data-seq', String(m.seq));
    let outcome;
    if (m.status === 'lost') {
      // Lost: the arrow stops halfway, at the tick it was lost, with a cross.
      const [cx, cy] = [(x1 + x2) / 2, Math.max(y1 + 4, y(m.at ?? m.sent))];
      g.append(el('line', { x1: f(x1), y1: f(y1), x2: f(cx), y2: f(cy) }));
      g.append(el('path', { class: 'cross', d: `M${f(cx - 5)} ${f(cy - 5)}L${f(cx + 5)} ${f(cy + 5)}M${f(cx - 5)} ${f(cy + 5)}L${f(cx + 5)} ${f(cy - 5)}` }));
      outcome = `lost at tick ${m.at ?? m.sent}${m.reason ? ` (${m.reason})` : ''}`;
    } else if (m.status === 'in-flight') {
      // In flight: dashed from the sender to the receiver's lane at the
      // tick shown (a message takes a tick at least), with no arrowhead.
      g.append(el('line', { x1: f(x1), y1: f(y1), x2: f(x2), y2: f(y(Math.max(now, m.sent + 1))) }));
      outcome = `in flight at tick ${now}${m.at !== null ? `, due at tick ${m.at}` : ''}`;
    } else if (m.status === 'arrived' && m.at !== null) {
      g.append(el('line', { x1: f(x1), y1: f(y1), x2: f(x2), y2: f(y(m.at)), 'marker-end': 'url(#seq-arrow)' }));
      outcome = `arrived at tick ${m.at}`;
    } else {
      continue;
    }
    g.append(el('title', {}, `${m.kind} ${m.from} → ${m.to}: sent at tick ${m.sent}, ${outcome}`));
    svg.append(g);
  }
  const marker = el('marker', { id: 'seq-arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerUnits: 'userSpaceOnUse',
    markerWidth: '8', markerHeight: '8', orient: 'auto' });
  marker.append(el('path', { d: 'M0 0L10 5L0 10z' }));
  const defs = el('defs');
  defs.append(marker);
  svg.prepend(defs);
  if (now <= last) {
    const nowLine = el('line', { class: 'now', x1: String(SEQ_LEFT - 16), y1: f(y(now)), x2: String(SEQ_WIDTH), y2: f(y(now)) });
    nowLine.append(el('title', {}, `tick ${now}, shown now`));
    svg.append(nowLine);
  }
  return svg;
}

/// ` — value "…"`: a long value clipped, with a button that shows the whole
/// of it (once) and clips it again.
function valueText(trans, value) {
  const whole = state.expandedValue === trans;
  const span = html('span', ` — value "${whole ? value : clipText(value)}"`, 'value');
  if (value.length <= 80) return span;
  const button = html('button', whole ? 'show less' : `show all ${value.length} characters`, 'link');
  button.type = 'button';
  button.addEventListener('click', () => {
    state.expandedValue = whole ? null : trans;
    drawOutcome();
  });
  const wrap = html('span');
  wrap.append(span, ' ', button);
  return wrap;
}

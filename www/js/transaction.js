// One request end to end: every replica asked, its answer, and the
// coordinator's verdict.
import { $, clipText, html } from './dom.js';
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
    box.textContent = `Transaction ${state.lastTrans} is not sent yet at tick ${state.pg.tick()}.`;
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
  box.replaceChildren(head, list, verdict);
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

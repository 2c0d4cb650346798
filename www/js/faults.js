// Network faults you can draw: a loss or delay on one directed link, picked
// in the panel or on the ring (shift-click, or "Pick link"), drawn as a
// chord until Heal; a split dragged along the ring as an arc of peers; and
// one message in flight dropped by clicking it ("Drop a message").
// Every fault is an action of the core, so it lands in the share link.
import { $, R, el, html, polar } from './dom.js';
import { drawMessages } from './ring.js';
import { state } from './state.js';

/** The shortest arc (a fraction of the circle) that counts as a drag, not a click. */
const MIN_SWEEP = 0.01;
/** How far inside and outside the ring the dragged arc is drawn, in viewBox units. */
const ARC_WIDTH = 42;

/**
 * What this module remembers: the pick mode, the drag under way, the
 * messages dropped by hand this tick (`{x, y, tick}`), what is drawn, and
 * the app's `netFault` and `pause`.
 */
const fx = { picking: false, drag: null, crosses: [], drawn: '', netFault: () => {}, pause: () => {} };

/**
 * Wires the link choice, the loss and delay buttons, the pick and drop
 * modes and dragging on the ring; `netFault(fn, what)` runs a fault and
 * reports it, `pause()` stops the run.
 */
export function wireFaults(netFault, pause) {
  Object.assign(fx, { netFault, pause });
  $('drop-mode').addEventListener('click', () => setDropMode(!state.dropMode));
  $('msg-layer').addEventListener('click', dropClicked);
  $('link-from').addEventListener('change', onLinkChange);
  $('link-to').addEventListener('change', onLinkChange);
  $('set-loss').addEventListener('click', setLoss);
  $('set-delay').addEventListener('click', setDelay);
  $('pick-link').addEventListener('click', () => setPicking(!fx.picking));
  const ring = $('ring');
  ring.addEventListener('pointerdown', dragStart);
  ring.addEventListener('pointermove', dragMove);
  ring.addEventListener('pointerup', dragEnd);
  ring.addEventListener('pointercancel', dragCancel);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if (fx.drag) {
      dragCancel();
      status('Drag cancelled: nothing cut.');
    }
    setPicking(false);
    setDropMode(false);
  });
}

/** Fills the link choice with this scenario's peers and forgets any pick or drag. */
export function buildFaults() {
  const peers = state.pg.ring(0).peers;
  const options = (first) => [...(first ? [first] : []), ...peers.map((p) => {
    const o = html('option', p.address);
    o.value = p.address;
    return o;
  })];
  const all = html('option', 'all links');
  all.value = '';
  $('link-from').replaceChildren(...options(all));
  $('link-to').replaceChildren(...options(null));
  $('link-to').disabled = true;
  setPicking(false);
  setDropMode(false);
  dragCancel();
  fx.crosses = [];
  fx.drawn = '';
}

/**
 * Turns "Drop a message" on (the run pauses, messages on the ring become
 * clickable and peers do not) or off.
 */
function setDropMode(on) {
  if (state.dropMode === on) return;
  state.dropMode = on;
  if (on) fx.pause();
  $('drop-mode').setAttribute('aria-pressed', String(on));
  $('ring').classList.toggle('drop-mode', on);
  $('ring-over').classList.toggle('drop-mode', on);
  drawMessages(0);
  if (on) status('Drop a message: click a message in flight on the ring to lose it (Esc or the button stops).');
}

/** A click on a message dot in drop mode loses that message. */
function dropClicked(e) {
  if (!state.dropMode) return;
  const i = state.msgEls.indexOf(e.target);
  const m = state.view?.messages[i];
  if (!m) return;
  const x = Number(e.target.getAttribute('cx'));
  const y = Number(e.target.getAttribute('cy'));
  const peer = (id) => state.view.peers[id]?.address;
  fx.netFault(() => {
    state.pg.dropMessage(m.seq);
    fx.crosses.push({ x, y, tick: state.pg.tick() });
  }, `message ${m.seq} (${m.kind}, ${peer(m.from)} → ${peer(m.to)}) dropped by hand`);
}

/** The chosen directed link `{from, to}`, or null for every link. */
function chosenLink() {
  const from = $('link-from').value;
  return from ? { from, to: $('link-to').value } : null;
}

/** Keeps To usable only with a From, and redraws the chosen link. */
function onLinkChange() {
  $('link-to').disabled = !$('link-from').value;
  if (state.view) drawFaults();
}

/** Chooses the directed link `from` → `to` in the panel. */
function chooseLink(from, to) {
  $('link-from').value = from;
  $('link-to').value = to;
  onLinkChange();
  status(`Link ${from} → ${to} chosen: Set loss or Set delay applies to it.`);
}

/** The whole number in field `id`; an empty field is refused by name. */
function fieldNumber(id, what) {
  const input = $(id);
  const text = input.value.trim();
  if (input.validity.badInput || text === '') {
    throw new Error(`the ${what} field is empty: enter a whole number from ${input.min} to ${input.max}`);
  }
  return Number(text);
}

function setLoss() {
  const link = chosenLink();
  let percent;
  fx.netFault(() => {
    percent = fieldNumber('loss', 'Loss');
    if (link) state.pg.loss(percent, link.from, link.to);
    else state.pg.loss(percent);
  }, () => `${percent} % of messages lost on ${link ? `${link.from} → ${link.to}` : 'every link'}`);
}

function setDelay() {
  const link = chosenLink();
  let ticks;
  fx.netFault(() => {
    if (!link) throw new Error('a delay is set on one link: choose its From and To peers, or shift-click a second peer on the ring');
    ticks = fieldNumber('delay', 'Delay');
    state.pg.delay(link.from, link.to, ticks);
  }, () => `messages on ${link.from} → ${link.to} take ${ticks} ticks`);
}

/** Turns "Pick link" on (the next two peers clicked on the ring are the link) or off. */
function setPicking(on) {
  if (fx.picking && !on) status('');
  fx.picking = on;
  $('pick-link').setAttribute('aria-pressed', String(on));
  if (on) {
    $('link-from').value = '';
    onLinkChange();
    status('Pick link: click the peer the link starts from, then the one it goes to (Esc stops).');
  }
}

/**
 * A click on peer `address` (with Shift held when `shift`): picks a link
 * end in pick mode, or the link from the selected peer on shift-click.
 * Returns whether it did, so the click selects nothing else.
 */
export function pickPeer(address, shift) {
  if (fx.picking) {
    const from = $('link-from').value;
    if (!from) {
      $('link-from').value = address;
      onLinkChange();
      status(`Pick link: from ${address}; now click the peer it goes to.`);
      return false;
    }
    if (from === address) return false;
    setPicking(false);
    chooseLink(from, address);
    return true;
  }
  if (!shift || !state.selectedPeer || state.selectedPeer === address) return false;
  chooseLink(state.selectedPeer, address);
  return true;
}

/** Writes `text` in the net-status line. */
function status(text) {
  $('net-status').textContent = text;
}

/** Where the peer at `address` is drawn on the ring. */
function pointOf(address) {
  for (const entry of state.peerEls.values()) if (entry.address === address) return [entry.x, entry.y];
  return [0, 0];
}

/**
 * The directed links with a rule of their own as chords (dashed for loss,
 * thicker for delay, labelled), the chosen link highlighted, a red cross
 * where a message was dropped by hand this tick, and the loss on every
 * link in the ring's centre. Redrawn only when any of it changes.
 */
export function drawFaults() {
  const net = state.pg.links();
  const chosen = chosenLink();
  const now = state.pg.tick();
  fx.crosses = fx.crosses.filter((c) => c.tick === now);
  const sig = JSON.stringify([net, chosen, fx.crosses]);
  if (sig === fx.drawn) return;
  fx.drawn = sig;
  const layer = $('fault-layer');
  layer.replaceChildren();
  const rules = net.links.map((l) => ({ ...l, picked: chosen?.from === l.from && chosen?.to === l.to }));
  if (chosen && chosen.to && chosen.from !== chosen.to && !rules.some((l) => l.picked)) {
    rules.push({ from: chosen.from, to: chosen.to, loss: 0, delay: 1, picked: true });
  }
  for (const l of rules) layer.append(chord(l));
  for (const c of fx.crosses) {
    const [x, y] = [c.x, c.y];
    layer.append(el('path', { class: 'dropped', d: `M${x - 7} ${y - 7}L${x + 7} ${y + 7}M${x - 7} ${y + 7}L${x + 7} ${y - 7}` }));
  }
  // Low inside the ring, where chords between peers cross less often than at its centre.
  if (net.loss > 0) layer.append(el('text', { class: 'loss-all', y: String(R - 70), 'data-loss': String(net.loss) }, `${net.loss} % lost on every link`));
}

/**
 * One link as a chord bowed to its right (so A → B and B → A stay apart)
 * with an arrowhead at the receiver and its rule written at its middle.
 */
function chord(l) {
  const [x1, y1] = pointOf(l.from);
  const [x2, y2] = pointOf(l.to);
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const bow = Math.min(40, len * 0.15);
  const cx = (x1 + x2) / 2 - ((y2 - y1) / len) * bow;
  const cy = (y1 + y2) / 2 + ((x2 - x1) / len) * bow;
  const rule = [l.loss > 0 ? `${l.loss} % lost` : '', l.delay > 1 ? `${l.delay} ticks` : ''].filter(Boolean).join(', ');
  const g = el('g', {
    class: `chord${l.loss > 0 ? ' lossy' : ''}${l.delay > 1 ? ' slow' : ''}${l.picked ? ' picked' : ''}`,
    'data-from': l.from, 'data-to': l.to, 'data-loss': String(l.loss), 'data-delay': String(l.delay),
  });
  // Shortened so the arrowhead stops at the peer's edge.
  const end = 1 - 16 / len;
  const ex = (1 - end) ** 2 * x1 + 2 * (1 - end) * end * cx + end ** 2 * x2;
  const ey = (1 - end) ** 2 * y1 + 2 * (1 - end) * end * cy + end ** 2 * y2;
  const f = (n) => n.toFixed(1);
  g.append(el('path', { d: `M${f(x1)} ${f(y1)}Q${f(cx)} ${f(cy)} ${f(ex)} ${f(ey)}`, 'marker-end': 'url(#chord-arrow)' }));
  // The curve's middle point, nudged inwards so the label clears the line.
  const mx = 0.25 * x1 + 0.5 * cx + 0.25 * x2;
  const my = 0.25 * y1 + 0.5 * cy + 0.25 * y2;
  if (rule) g.append(el('text', { x: f(mx), y: f(my - 6) }, rule));
  g.append(el('title', {}, `${l.from} → ${l.to}: ${rule || 'no loss or delay of its own'}`));
  return g;
}

/** The ring position (0 to 1) and distance from the centre of a pointer event. */
function ringPoint(e) {
  const ctm = $('ring').getScreenCTM();
  if (!ctm) return null;
  const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
  const position = ((Math.atan2(pt.y, pt.x) + Math.PI / 2) / (2 * Math.PI) + 1) % 1;
  return { position, r: Math.hypot(pt.x, pt.y) };
}

/** A press on the ring's empty area (not a peer, not a key) starts a drag. */
function dragStart(e) {
  // A finger on the ring scrolls the page: touch screens split with Side and Partition.
  if (e.pointerType === 'touch' || e.button !== 0 || state.dropMode || e.target.closest('.peer, .keymark')) return;
  const p = ringPoint(e);
  if (!p || p.r < 30) return;
  e.preventDefault();
  fx.drag = { start: p.position, last: p.position, sweep: 0, pointer: e.pointerId, inside: [] };
  $('ring').setPointerCapture(e.pointerId);
}

/** Sweeps the arc along the circle as the pointer moves, either way round. */
function dragMove(e) {
  const d = fx.drag;
  if (!d || e.pointerId !== d.pointer) return;
  const p = ringPoint(e);
  if (!p) return;
  const step = ((p.position - d.last + 1.5) % 1) - 0.5;
  d.sweep = Math.max(-0.999, Math.min(0.999, d.sweep + step));
  d.last = p.position;
  if (Math.abs(d.sweep) < MIN_SWEEP) return;
  d.inside = [];
  for (const entry of state.peerEls.values()) {
    // Where the peer is drawn (close peers are spread apart), as the eye sees it.
    const along = d.sweep > 0 ? (entry.shown - d.start + 1) % 1 : (d.start - entry.shown + 1) % 1;
    const inArc = along <= Math.abs(d.sweep);
    entry.g.classList.toggle('in-arc', inArc);
    if (inArc) d.inside.push(entry.address);
  }
  drawArc(d);
  const n = d.inside.length;
  status(n === 0 || n === state.peerEls.size
    ? `The arc holds ${n} of ${state.peerEls.size} peers: it must hold at least one and not all (Esc cancels).`
    : `Release to cut these ${n} peer${n === 1 ? '' : 's'} off from the other ${state.peerEls.size - n} (Esc cancels).`);
}

/** The swept arc: a band around the ring from where the drag started. */
function drawArc(d) {
  const a = Math.min(d.start, d.start + d.sweep);
  const b = Math.max(d.start, d.start + d.sweep);
  const large = b - a > 0.5 ? 1 : 0;
  const [o1x, o1y] = polar(a, R + ARC_WIDTH);
  const [o2x, o2y] = polar(b, R + ARC_WIDTH);
  const [i2x, i2y] = polar(b, R - ARC_WIDTH);
  const [i1x, i1y] = polar(a, R - ARC_WIDTH);
  const f = (n) => n.toFixed(1);
  const d1 = `M${f(o1x)} ${f(o1y)}A${R + ARC_WIDTH} ${R + ARC_WIDTH} 0 ${large} 1 ${f(o2x)} ${f(o2y)}` +
    `L${f(i2x)} ${f(i2y)}A${R - ARC_WIDTH} ${R - ARC_WIDTH} 0 ${large} 0 ${f(i1x)} ${f(i1y)}Z`;
  let path = $('drag-layer').firstChild;
  if (!path) {
    path = el('path', { class: 'arc' });
    $('drag-layer').append(path);
  }
  path.setAttribute('d', d1);
}

/** Releasing the drag partitions the peers in the arc, if it holds some and not all. */
function dragEnd(e) {
  const d = fx.drag;
  if (!d || e.pointerId !== d.pointer) return;
  dragCancel();
  if (Math.abs(d.sweep) < MIN_SWEEP) return;
  const n = d.inside.length;
  const total = state.peerEls.size;
  if (n === 0 || n === total) {
    status(`Nothing cut: the arc held ${n} of ${total} peers; it must hold at least one and not all.`);
    return;
  }
  fx.netFault(() => state.pg.partition(d.inside),
    `${n} peer${n === 1 ? '' : 's'} in the dragged arc (${names(d.inside)}) cut off from the other ${total - n}`);
}

/** Up to 8 addresses, then how many more. */
export function names(addresses) {
  const shown = addresses.slice(0, 8).join(', ');
  return addresses.length > 8 ? `${shown} and ${addresses.length - 8} more` : shown;
}

/** Turns Drop a message off (Run does: messages move again). */
export function stopDropping() {
  setDropMode(false);
}

/** Ends a drag without cutting anything: the arc and the highlights go. */
function dragCancel() {
  const d = fx.drag;
  fx.drag = null;
  if (d && $('ring').hasPointerCapture(d.pointer)) $('ring').releasePointerCapture(d.pointer);
  $('drag-layer').replaceChildren();
  for (const entry of state.peerEls.values()) entry.g.classList.remove('in-arc');
}

// The ring: peers (focusable options in ring order), keys, messages in
// flight and partitions, drawn in SVG.
import { $, R, el, html, polar } from './dom.js';
import { state } from './state.js';

const MAX_KEY_MARKS = 3000; // keys drawn at once

/** What clicks on the ring do, set once by the app. */
const on = { selectPeer: () => {}, selectKey: () => {} };

/** Sets what a click on a peer or key does. */
export function onSelect(handlers) {
  Object.assign(on, handlers);
}

/** Draws the peers (once per scenario) and fills every peer list of the page. */
export function buildPeers() {
  const layer = $('peer-layer');
  layer.replaceChildren();
  state.peerEls.clear();
  const v = state.pg.ring(0);
  const n = v.peers.length;
  const radius = n <= 16 ? 14 : n <= 64 ? 9 : n <= 200 ? 5 : 3;
  const coordinator = $('coordinator');
  coordinator.replaceChildren(html('option', 'random live peer'));
  coordinator.firstChild.value = '';
  const logPeer = $('log-peer');
  logPeer.replaceChildren(html('option', 'all peers'));
  logPeer.firstChild.value = '';
  const side = $('part-side');
  side.replaceChildren();
  // Labels of peers that hash close together are pushed apart.
  const byPosition = [...v.peers].sort((a, b) => a.position - b.position);
  const labelOut = new Map();
  byPosition.forEach((p, i) => {
    const prev = byPosition[i - 1];
    const close = prev && p.position - prev.position < 0.015 && labelOut.get(prev.id) === 30;
    labelOut.set(p.id, close ? 52 : 30);
  });
  for (const p of v.peers) {
    // A peer's other tokens (virtual nodes): small ticks in its colour, under every peer.
    const ticks = el('g', { class: 'tokens', 'data-state': p.state });
    for (const t of p.tokens.slice(1)) {
      const [x1, y1] = polar(t, R - 6);
      const [x2, y2] = polar(t, R + 6);
      ticks.append(el('line', { x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1) }));
    }
    layer.prepend(ticks);
    const [x, y] = polar(p.position, R);
    const g = el('g', {
      class: 'peer', 'data-peer': p.address, 'data-state': p.state, transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
      role: 'option', 'aria-selected': 'false', tabindex: '-1', 'aria-label': peerName(p),
    });
    // An invisible hit area at least 24 px across (sized by fitHitAreas), under the peer's own circle.
    const hit = el('rect', { class: 'hit' });
    sizeHit(hit, radius);
    g.append(hit);
    g.append(el('circle', { r: radius }));
    // Not colour only: a failed peer is crossed out, a peer not started yet shows a pause mark.
    g.append(el('path', { class: 'state-mark', d: stateMark(p.state, radius) }));
    g.append(el('title', {}, p.address));
    // How many others suspect it (?) or do not list it (✗), when any do.
    const doubt = el('text', { class: 'doubt', y: -(radius + 4) });
    g.append(doubt);
    if (n <= 32) {
      const [lx, ly] = polar(p.position, labelOut.get(p.id));
      g.append(el('text', { x: lx.toFixed(1), y: ly.toFixed(1) }, p.address.replace(/\.0\.0\.0:0$/, '')));
    }
    g.addEventListener('click', (e) => on.selectPeer(nearestPeer(e) ?? p.address, e.shiftKey));
    g.addEventListener('keydown', (e) => onPeerKey(e, p.address));
    layer.append(g);
    state.peerEls.set(p.id, { g, hit, ticks, doubt, position: p.position, address: p.address, radius, mark: p.state });
    const o1 = html('option', p.address);
    o1.value = p.address;
    coordinator.append(o1);
    const o2 = html('option', p.address);
    o2.value = p.address;
    logPeer.append(o2);
    const o3 = html('option', p.address);
    o3.value = p.address;
    side.append(o3);
  }
  // Ring order, for ← and → between peers; one peer at a time is in the Tab order.
  state.peerOrder = byPosition.map((p) => p.address);
  const first = state.peerEls.get(byPosition[0]?.id);
  first?.g.setAttribute('tabindex', '0');
  fitHitAreas();
}

/// "peer 4.0.0.0:0, alive, 3 keys": a peer's accessible name.
function peerName(p) {
  const st = p.state === 'waiting' ? 'not started' : p.state;
  return `peer ${p.address}, ${st}, ${p.keys} ${p.keys === 1 ? 'key' : 'keys'}`;
}

/// The shape drawn over a peer's circle for its state: a cross when failed,
/// two bars (pause) when not started, nothing when alive.
function stateMark(st, r) {
  const a = (r * 0.6).toFixed(1);
  if (st === 'failed') return `M-${a} -${a}L${a} ${a}M${a} -${a}L-${a} ${a}`;
  if (st === 'waiting') {
    const b = (r * 0.3).toFixed(1);
    return `M-${b} -${a}V${a}M${b} -${a}V${a}`;
  }
  return '';
}

/// Each peer's hit circle is at least 24 px across on screen, whatever the
/// cluster size and however large the ring is drawn.
export function fitHitAreas() {
  const scale = $('ring').getScreenCTM()?.a; // px per viewBox unit
  if (!scale) return;
  const min = 12.5 / scale; // viewBox units for a 12.5 px radius
  for (const entry of state.peerEls.values()) {
    sizeHit(entry.hit, Math.max(entry.radius, min));
  }
}

/// A hit area is a rounded square as round as a circle of radius `r`.
function sizeHit(rect, r) {
  const v = r.toFixed(1);
  for (const [k, x] of [['x', -r], ['y', -r], ['width', 2 * r], ['height', 2 * r], ['rx', r]]) rect.setAttribute(k, k === 'rx' ? v : x.toFixed(1));
}

/// Hit areas of peers close together overlap: a click goes to the peer whose
/// centre is nearest to the pointer, so a peer's centre always selects it.
function nearestPeer(e) {
  const svg = $('ring');
  const ctm = svg.getScreenCTM();
  if (!ctm || !e.clientX && !e.clientY) return null;
  const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
  let best = null;
  let bestD = Infinity;
  for (const entry of state.peerEls.values()) {
    const [x, y] = polar(entry.position, R);
    const d = Math.hypot(pt.x - x, pt.y - y);
    if (d < bestD) {
      bestD = d;
      best = entry.address;
    }
  }
  return best;
}

/// A focused peer: Enter or Space selects it; ← and → move to the previous
/// or next peer in ring order (not back and forth in time); Home and End.
function onPeerKey(e, address) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const order = state.peerOrder;
  const i = order.indexOf(address);
  let next = null;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    e.stopPropagation();
    on.selectPeer(address, e.shiftKey);
    return;
  }
  if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = order[(i - 1 + order.length) % order.length];
  else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = order[(i + 1) % order.length];
  else if (e.key === 'Home') next = order[0];
  else if (e.key === 'End') next = order[order.length - 1];
  else return;
  e.preventDefault();
  e.stopPropagation();
  focusPeer(next);
}

/** The SVG group of the peer at `address`. */
export function peerG(address) {
  for (const entry of state.peerEls.values()) if (entry.address === address) return entry.g;
  return null;
}

/// Moves the single Tab stop among peers to `address` and focuses it.
function focusPeer(address) {
  const g = peerG(address);
  if (!g) return;
  for (const entry of state.peerEls.values()) entry.g.setAttribute('tabindex', entry.g === g ? '0' : '-1');
  g.focus();
}

function peerPoint(id) {
  const p = state.peerEls.get(id);
  return p ? polar(p.position, R) : [0, 0];
}

/** Each peer's state, selection, replica role, hints and beliefs. */
export function drawPeers(v) {
  const key = state.selectedKey && v.keys.find((k) => k.key === state.selectedKey);
  const replicas = new Set(key ? key.replicas : []);
  for (const p of v.peers) {
    const entry = state.peerEls.get(p.id);
    if (!entry) continue;
    entry.g.setAttribute('data-state', p.state);
    entry.g.setAttribute('aria-label', peerName(p));
    if (entry.mark !== p.state) {
      entry.mark = p.state;
      entry.g.querySelector('.state-mark').setAttribute('d', stateMark(p.state, entry.radius));
    }
    entry.ticks.setAttribute('data-state', p.state);
    entry.g.classList.toggle('selected', p.address === state.selectedPeer);
    entry.g.setAttribute('aria-selected', String(p.address === state.selectedPeer));
    entry.g.classList.toggle('replica', replicas.has(p.id));
    // Hinted handoff: a peer keeping writes for a suspected home replica.
    entry.g.classList.toggle('hinting', p.hints > 0);
    const hints = p.hints > 0 ? `; keeps ${p.hints} hinted ${p.hints === 1 ? 'copy' : 'copies'}` : '';
    // Beliefs: what the other live peers' lists say of this one.
    const b = p.believed;
    const beliefs = b ? `; ${b.alive} peers see it alive, ${b.suspected} suspect it, ${b.removed} do not list it` : '';
    entry.g.querySelector('title').textContent = `${p.address}, ${p.state}${beliefs}${hints}`;
    if (b) entry.g.setAttribute('data-believed', b.majority);
    else entry.g.removeAttribute('data-believed');
    const doubt = b ? b.suspected + b.removed : 0;
    entry.doubt.textContent = doubt > 0 ? `${b.suspected}? ${b.removed}✗` : '';
  }
}

/** The keys as marks inside the ring, and the selected key's links to its holders. */
export function drawKeys(v) {
  const layer = $('key-layer');
  const selected = v.peers.find((p) => p.address === state.selectedPeer);
  const held = new Set(selected ? v.keys.filter((k) => k.holders.includes(selected.id)).map((k) => k.key) : []);
  const links = $('link-layer');
  const step = Math.max(1, Math.ceil(v.keys.length / MAX_KEY_MARKS));
  const shown = v.keys.filter((_, i) => i % step === 0 || v.keys[i].key === state.selectedKey);
  while (state.keyEls.length < shown.length) {
    const line = el('line', { class: 'keymark' });
    line.append(el('title'));
    line.addEventListener('click', () => on.selectKey(line.dataset.key));
    layer.append(line);
    state.keyEls.push(line);
  }
  state.keyEls.forEach((line, i) => {
    const k = shown[i];
    if (!k) {
      line.setAttribute('visibility', 'hidden');
      return;
    }
    const [x1, y1] = polar(k.position, R - 22);
    const [x2, y2] = polar(k.position, R - 6);
    line.setAttribute('x1', x1.toFixed(1));
    line.setAttribute('y1', y1.toFixed(1));
    line.setAttribute('x2', x2.toFixed(1));
    line.setAttribute('y2', y2.toFixed(1));
    line.setAttribute('visibility', 'visible');
    line.dataset.key = k.key;
    const hints = k.hinted.length ? ` + ${k.hinted.length} hinted` : '';
    line.firstChild.textContent = `${k.key}: ${k.holders.length} live copies${hints}`;
    line.classList.toggle('selected', k.key === state.selectedKey);
    line.classList.toggle('weak', k.holders.length < v.replication[0]);
    line.classList.toggle('held', held.has(k.key));
  });
  links.replaceChildren();
  const key = state.selectedKey && v.keys.find((k) => k.key === state.selectedKey);
  if (key) {
    const [kx, ky] = polar(key.position, R - 22);
    const link = (id, cls) => {
      const [px, py] = peerPoint(id);
      links.append(el('path', { class: cls, d: `M${kx.toFixed(1)} ${ky.toFixed(1)} Q0 0 ${px.toFixed(1)} ${py.toFixed(1)}` }));
    };
    key.holders.forEach((id) => link(id, 'keylink'));
    key.hinted.forEach((id) => link(id, 'keylink hinted'));
  }
}

function kindClass(kind) {
  if (kind.endsWith('request')) return 'request';
  if (kind === 'gossip') return 'gossip';
  if (kind.startsWith('join')) return 'join';
  return kind;
}

/// While messages can be dropped (paused, "Drop a message"), each sits
/// clear of its sender, and those on one link spread out along it so that
/// each can be clicked; `along` counts the messages placed per link.
function dropSpot(along, m) {
  const link = `${m.from}>${m.to}`;
  const k = along.get(link) ?? 0;
  along.set(link, k + 1);
  return 0.3 + (k % 5) * 0.1;
}

/** Messages in flight, `frac` of the way into the current tick, and this tick's losses. */
export function drawMessages(frac) {
  const v = state.view;
  if (!v) return;
  const layer = $('msg-layer');
  const size = v.peers.length > 200 ? 2 : 3.5;
  while (state.msgEls.length < v.messages.length) {
    const c = el('circle', { class: 'msg', r: size });
    layer.append(c);
    state.msgEls.push(c);
  }
  const along = new Map();
  state.msgEls.forEach((c, i) => {
    const m = v.messages[i];
    if (!m) {
      c.setAttribute('visibility', 'hidden');
      return;
    }
    const span = Math.max(1, m.deliverAt - m.sentAt);
    const t = state.dropMode ? dropSpot(along, m) : Math.min(1, Math.max(0, (v.tick - 1 - m.sentAt + frac) / span));
    const [x1, y1] = peerPoint(m.from);
    const [x2, y2] = peerPoint(m.to);
    c.setAttribute('cx', (x1 + (x2 - x1) * t).toFixed(1));
    c.setAttribute('cy', (y1 + (y2 - y1) * t).toFixed(1));
    c.setAttribute('class', `msg ${kindClass(m.kind)}`);
    c.setAttribute('visibility', 'visible');
  });
  while (state.lostEls.length < state.lost.length) {
    const g = el('path', { class: 'lost' });
    layer.append(g);
    state.lostEls.push(g);
  }
  state.lostEls.forEach((p, i) => {
    const e = state.lost[i];
    if (!e) {
      p.setAttribute('visibility', 'hidden');
      return;
    }
    const [x1, y1] = peerPoint(e.other);
    const [x2, y2] = peerPoint(e.peer);
    const x = x1 + (x2 - x1) * 0.6;
    const y = y1 + (y2 - y1) * 0.6;
    p.setAttribute('d', `M${x - 5} ${y - 5}L${x + 5} ${y + 5}M${x - 5} ${y + 5}L${x + 5} ${y - 5}`);
    p.setAttribute('opacity', String(1 - frac * 0.7));
    p.setAttribute('visibility', 'visible');
  });
}

/// A partition on the ring: a dashed divider wherever two neighbouring
/// peers (by ring position) are on different sides, and a halo around each
/// peer in its side's colour. Redrawn only when the sides change.
export function drawSides(v) {
  const layer = $('side-layer');
  const sig = v.health.partitioned ? v.peers.map((p) => p.side).join(',') : '';
  if (layer.dataset.sig === sig && layer.dataset.n === String(v.peers.length)) return;
  layer.dataset.sig = sig;
  layer.dataset.n = String(v.peers.length);
  layer.replaceChildren();
  if (!sig) return;
  const n = v.peers.length;
  const radius = (n <= 16 ? 14 : n <= 64 ? 9 : n <= 200 ? 5 : 3) + 5;
  const byPosition = [...v.peers].sort((a, b) => a.position - b.position);
  byPosition.forEach((p, i) => {
    const next = byPosition[(i + 1) % n];
    if (next.side === p.side) return;
    // The divider sits halfway to the next peer, across the wrap if need be.
    const gap = (next.position - p.position + 1) % 1;
    const mid = (p.position + gap / 2) % 1;
    const [x1, y1] = polar(mid, 40);
    const [x2, y2] = polar(mid, R + 55);
    layer.append(el('line', { class: 'divider', x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1) }));
  });
  for (const p of v.peers) {
    const [x, y] = polar(p.position, R);
    layer.append(el('circle', { class: 'halo', 'data-side': String(p.side % 4), cx: x.toFixed(1), cy: y.toFixed(1), r: radius }));
  }
}

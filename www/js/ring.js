// The ring: peers (focusable options in ring order), keys, messages in
// flight and partitions, drawn in SVG. SVG, not canvas, by measurement
// (bench.mjs, 1,000 peers): drawPeers takes 6.6 ms for 1,000 peers when
// every attribute is set and far less touching only what changed, against
// 60-100 ms for one tick in wasm; what did cost frames was repainting the
// whole ring for moving messages (39 frames/s at 1 tick/s, 56 with them
// hidden), so messages and floating labels live in a second SVG laid over
// the ring (#ring-over). Running at 240 ticks/s: 1.4 → 36 frames/s at 1,000
// peers, 41 → 58 at 100; Pause 4,175 → 112 ms at 1,000 peers.
import { $, R, el, html, polar } from './dom.js';
import { state } from './state.js';

const MAX_KEY_MARKS = 3000; // keys drawn at once
/** Every peer's address is written next to it up to this many peers; above,
 * only the hovered, focused and selected peers' are (floating labels). */
const LABEL_PEERS = 32;
/** Doubt badges ("6? 0✗") are drawn up to this many peers; above, the
 * peer's title and the inspector tell what the others believe of it. */
const DOUBT_PEERS = 64;

/** What clicks on the ring do, set once by the app. */
const on = { selectPeer: () => {}, selectKey: () => {} };
/** Each peer's entry by address (the same objects as state.peerEls). */
const byAddress = new Map();
/** The floating labels: the hovered or focused peer's, and the selected one's. */
const float = { hover: null, selected: null, hovered: null, ring: null, offset: 0, every: true };

/** Sets what a click on a peer or key does. */
export function onSelect(handlers) {
  Object.assign(on, handlers);
}

/** A peer's circle radius (viewBox units) in a cluster of `n` peers. */
function peerRadius(n) {
  return n <= 16 ? 14 : n <= 64 ? 9 : n <= 200 ? 5 : 3;
}

/// Where each peer is drawn (ring fractions, in the order of `byPosition`):
/// at its true position unless a neighbour is closer than a diameter (and a
/// little air), then pushed apart from it, keeping ring order. When the
/// ring cannot fit every peer that far apart (1,000 peers), all stay where
/// they hash and the search box tells them apart.
function spread(byPosition, radius) {
  const n = byPosition.length;
  const at = byPosition.map((p) => p.position);
  const gap = Math.asin(Math.min(1, (2 * radius + 2) / (2 * R))) / Math.PI;
  if (n < 2 || n * gap > 0.95) return at;
  for (let pass = 0; pass < 5000; pass++) {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const short = gap - (at[j] + (j === 0 ? 1 : 0) - at[i]);
      if (short <= 0) continue;
      worst = Math.max(worst, short);
      at[i] -= short / 2 + 1e-7;
      at[j] += short / 2 + 1e-7;
    }
    if (worst === 0) break;
  }
  return at.map((a) => ((a % 1) + 1) % 1);
}

/** Draws the peers (once per scenario) and fills every peer list of the page. */
export function buildPeers() {
  const layer = $('peer-layer');
  layer.replaceChildren();
  state.peerEls.clear();
  byAddress.clear();
  const v = state.pg.ring(0);
  const n = v.peers.length;
  const radius = peerRadius(n);
  layer.dataset.size = n <= 64 ? 'large' : n <= 200 ? 'small' : 'tiny';
  const coordinator = $('coordinator');
  coordinator.replaceChildren(html('option', 'random live peer'));
  coordinator.firstChild.value = '';
  const logPeer = $('log-peer');
  logPeer.replaceChildren(html('option', 'all peers'));
  logPeer.firstChild.value = '';
  const side = $('part-side');
  side.replaceChildren();
  const names = $('peer-names');
  names.replaceChildren();
  const byPosition = [...v.peers].sort((a, b) => a.position - b.position);
  const shownAt = new Map(spread(byPosition, radius).map((a, i) => [byPosition[i].id, a]));
  for (const p of v.peers) {
    const shown = shownAt.get(p.id);
    // A peer's other tokens (virtual nodes): small ticks in its colour, under
    // every peer; a peer drawn away from where it hashes gets a leader line.
    const ticks = el('g', { class: 'tokens', 'data-state': p.state });
    for (const t of p.tokens.slice(1)) ticks.append(radialTick(t));
    const [x, y] = polar(shown, R);
    const off = Math.abs(shown - p.position);
    if (Math.min(off, 1 - off) * 2 * Math.PI * R > radius) ticks.append(...leader(p.position, shown, radius));
    layer.prepend(ticks);
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
    const mark = el('path', { class: 'state-mark', d: stateMark(p.state, radius) });
    g.append(mark);
    const title = el('title', {}, p.address);
    g.append(title);
    const short = p.address.replace(/\.0\.0\.0:0$/, '');
    // Outward along the radius, clear of a partition's halo: its label (up
    // to LABEL_PEERS) and how many others suspect it (?) or do not list it
    // (✗), when any do (up to DOUBT_PEERS).
    let doubt = null;
    if (n <= DOUBT_PEERS) {
      const [tx, ty] = polar(shown, radius + 15);
      const outer = el('text', { class: `outer ${anchor(shown)}${n <= 16 ? '' : ' small'}`, x: tx.toFixed(1), y: ty.toFixed(1) });
      if (n <= LABEL_PEERS) outer.append(el('tspan', {}, short));
      doubt = el('tspan', { class: 'doubt', dx: n <= LABEL_PEERS ? '5' : '0' });
      outer.append(doubt);
      g.append(outer);
    }
    g.addEventListener('click', (e) => on.selectPeer(nearestPeer(e) ?? p.address, e.shiftKey));
    g.addEventListener('keydown', (e) => onPeerKey(e, p.address));
    layer.append(g);
    const entry = { g, hit, ticks, mark, title, doubt, x, y, shown, address: p.address, short, radius, last: {} };
    state.peerEls.set(p.id, entry);
    byAddress.set(p.address, entry);
    for (const list of [coordinator, logPeer, side, names]) {
      const o = html('option', p.address);
      o.value = p.address;
      list.append(o);
    }
    names.lastChild.label = `peer ${p.id + 1}`;
  }
  // Ring order, for ← and → between peers; one peer at a time is in the Tab order.
  state.peerOrder = byPosition.map((p) => p.address);
  const first = state.peerEls.get(byPosition[0]?.id);
  first?.g.setAttribute('tabindex', '0');
  buildLabels(n);
  fitHitAreas();
}

/** How text beside a peer at ring fraction `shown` is anchored: away from the ring. */
function anchor(shown) {
  const [x] = polar(shown, 1);
  return x > 0.35 ? 'start' : x < -0.35 ? 'end' : 'middle';
}

/** A short line across the ring at `position`. */
function radialTick(position) {
  const [x1, y1] = polar(position, R - 6);
  const [x2, y2] = polar(position, R + 6);
  return el('line', { x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1) });
}

/// A peer drawn at `shown` though it hashes to `position`: a tick where it
/// hashes and a thin curve from there, outside the ring, to its circle.
function leader(position, shown, radius) {
  const [x1, y1] = polar(position, R + 6);
  const [cx, cy] = polar((position + shown) / 2 + (Math.abs(shown - position) > 0.5 ? 0.5 : 0), R + radius + 8);
  const [x2, y2] = polar(shown, R + radius);
  const d = `M${x1.toFixed(1)} ${y1.toFixed(1)}Q${cx.toFixed(1)} ${cy.toFixed(1)} ${x2.toFixed(1)} ${y2.toFixed(1)}`;
  const tick = radialTick(position);
  tick.setAttribute('class', 'true-position');
  return [tick, el('path', { class: 'leader', d })];
}

/// The floating labels over the ring (a layer that catches no clicks): one
/// for the hovered or focused peer, one (with a ring around the peer) for
/// the selected peer, at any cluster size.
function buildLabels(n) {
  const layer = $('label-layer');
  const label = (cls) => {
    const g = el('g', { class: cls, visibility: 'hidden' });
    g.append(el('rect', { rx: 3 }), el('text'));
    return g;
  };
  float.hover = label('float');
  float.selected = label('float selected');
  float.hovered = null;
  float.ring = el('circle', { class: 'select-ring', r: peerRadius(n) + 4, visibility: 'hidden' });
  float.offset = peerRadius(n) + (n <= DOUBT_PEERS ? 50 : 8);
  float.every = n <= LABEL_PEERS;
  layer.replaceChildren(float.ring, float.selected, float.hover);
}

/** Shows `label` by the peer `entry` (or hides it when there is none). */
function placeLabel(label, entry) {
  if (!entry) {
    label.setAttribute('visibility', 'hidden');
    return;
  }
  const [dx, dy] = polar(entry.shown, float.offset);
  const x = entry.x + dx;
  const y = entry.y + dy;
  const text = label.lastChild;
  text.textContent = entry.address;
  text.setAttribute('x', x.toFixed(1));
  text.setAttribute('y', y.toFixed(1));
  text.setAttribute('text-anchor', anchor(entry.shown));
  label.setAttribute('visibility', 'visible');
  const box = text.getBBox();
  const rect = label.firstChild;
  for (const [k, val] of [['x', box.x - 3], ['y', box.y - 1], ['width', box.width + 6], ['height', box.height + 2]]) rect.setAttribute(k, val.toFixed(1));
}

/// The peer under the pointer or focused (`address`, or none): its label,
/// unless every peer has one already or it is the selected peer.
function hover(address) {
  const entry = address && !float.every && address !== state.selectedPeer ? byAddress.get(address) : null;
  float.hovered = entry ?? null;
  placeLabel(float.hover, float.hovered);
}

/// The selected peer: a ring around it and, when peers have no labels of
/// their own, its label.
function placeSelection() {
  const entry = state.selectedPeer ? byAddress.get(state.selectedPeer) : null;
  const ring = float.ring;
  if (entry) {
    ring.setAttribute('cx', entry.x.toFixed(1));
    ring.setAttribute('cy', entry.y.toFixed(1));
  }
  ring.setAttribute('visibility', entry ? 'visible' : 'hidden');
  if (float.selected.dataset.shows !== (entry?.address ?? '')) {
    float.selected.dataset.shows = entry?.address ?? '';
    placeLabel(float.selected, float.every ? null : entry);
  }
  if (float.hovered && float.hovered === entry) hover(null);
}

/// The peer a search names: its address, its number ("412", peer 412 being
/// the one with id 411, address 156.1.0.0:0) or "peer 412".
function findPeer(text) {
  const t = text.trim().replace(/^peer\s+/i, '');
  if (byAddress.has(t)) return t;
  if (!/^\d{1,10}$/.test(t)) return null;
  const n = Number(t);
  const address = `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}:0`;
  return byAddress.has(address) ? address : null;
}

/// The ring's own listeners, set once: the pointer over a peer (the one
/// whose centre is nearest, as for a click) or a focused peer shows its
/// label; the "Find a peer" box: picking a suggestion or Enter selects the
/// peer it names (highlighted on the ring); its status says which, or that
/// there is none.
export function wireRing() {
  const layer = $('peer-layer');
  layer.addEventListener('pointermove', (e) => {
    if (e.target.closest('.peer')) hover(nearestPeer(e));
  });
  layer.addEventListener('pointerleave', () => hover(null));
  layer.addEventListener('focusin', (e) => hover(e.target.closest('.peer')?.dataset.peer ?? null));
  layer.addEventListener('focusout', () => hover(null));
  const input = $('find-peer');
  const status = $('find-status');
  const pick = () => {
    const address = findPeer(input.value);
    input.setAttribute('aria-invalid', String(!address && input.value.trim() !== ''));
    if (!address) {
      status.textContent = input.value.trim() === '' ? '' : `no peer "${input.value.trim()}" in this cluster`;
      return;
    }
    status.textContent = `${address} selected`;
    on.selectPeer(address);
  };
  input.addEventListener('change', pick);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') pick();
  });
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
    const d = Math.hypot(pt.x - entry.x, pt.y - entry.y);
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
  return byAddress.get(address)?.g ?? null;
}

/// Moves the single Tab stop among peers to `address` and focuses it.
function focusPeer(address) {
  const g = peerG(address);
  if (!g) return;
  for (const entry of state.peerEls.values()) entry.g.setAttribute('tabindex', entry.g === g ? '0' : '-1');
  g.focus();
}

/** Where the peer with id `id` is drawn. */
function peerPoint(id) {
  const p = state.peerEls.get(id);
  return p ? [p.x, p.y] : [0, 0];
}

/// Sets `entry`'s remembered `name` to `value`, calling `apply` only when
/// it changed: a frame touches the DOM of the peers that changed alone.
function put(entry, name, value, apply) {
  if (entry.last[name] === value) return;
  entry.last[name] = value;
  apply(value);
}

/** Each peer's state, selection, replica role, hints and beliefs. */
export function drawPeers(v) {
  const key = state.selectedKey && v.keys.find((k) => k.key === state.selectedKey);
  const replicas = new Set(key ? key.replicas : []);
  for (const p of v.peers) {
    const entry = state.peerEls.get(p.id);
    if (!entry) continue;
    const { g } = entry;
    put(entry, 'state', p.state, (st) => {
      g.setAttribute('data-state', st);
      entry.ticks.setAttribute('data-state', st);
      entry.mark.setAttribute('d', stateMark(st, entry.radius));
    });
    put(entry, 'name', peerName(p), (name) => g.setAttribute('aria-label', name));
    const selected = p.address === state.selectedPeer;
    put(entry, 'selected', selected, () => {
      g.classList.toggle('selected', selected);
      g.setAttribute('aria-selected', String(selected));
    });
    put(entry, 'replica', replicas.has(p.id), (r) => g.classList.toggle('replica', r));
    // Hinted handoff: a peer keeping writes for a suspected home replica.
    put(entry, 'hinting', p.hints > 0, (h) => g.classList.toggle('hinting', h));
    const hints = p.hints > 0 ? `; keeps ${p.hints} hinted ${p.hints === 1 ? 'copy' : 'copies'}` : '';
    // Beliefs: what the other live peers' lists say of this one.
    const b = p.believed;
    const beliefs = b ? `; ${b.alive} peers see it alive, ${b.suspected} suspect it, ${b.removed} do not list it` : '';
    put(entry, 'title', `${p.address}, ${p.state}${beliefs}${hints}`, (t) => { entry.title.textContent = t; });
    put(entry, 'believed', b ? b.majority : null, (m) => {
      if (m) g.setAttribute('data-believed', m);
      else g.removeAttribute('data-believed');
    });
    if (entry.doubt) put(entry, 'doubt', b && b.suspected + b.removed > 0 ? `${b.suspected}? ${b.removed}✗` : '', (t) => { entry.doubt.textContent = t; });
  }
  placeSelection();
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
      line.dataset.sig = '';
      return;
    }
    // Only marks whose key or looks changed are touched.
    const cls = `keymark${k.key === state.selectedKey ? ' selected' : ''}${k.holders.length < v.replication[0] ? ' weak' : ''}${held.has(k.key) ? ' held' : ''}`;
    const sig = `${k.key}\u0000${k.holders.length}\u0000${k.hinted.length}\u0000${cls}`;
    if (line.dataset.sig === sig) return;
    line.dataset.sig = sig;
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
    line.setAttribute('class', cls);
  });
  labelTested(v);
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

/** A preset's key under test: its name inside the ring by its mark, once it exists. */
function labelTested(v) {
  let label = $('tested-label');
  const key = state.testedKey && v.keys.find((k) => k.key === state.testedKey);
  if (!key) {
    label?.remove();
    return;
  }
  if (!label) {
    label = el('text', { id: 'tested-label', class: 'tested-label', 'dominant-baseline': 'middle' });
    $('key-layer').append(label);
  }
  const [x, y] = polar(key.position, R - 30);
  const outward = anchor(key.position);
  label.setAttribute('x', x.toFixed(1));
  label.setAttribute('y', y.toFixed(1));
  label.setAttribute('text-anchor', outward === 'start' ? 'end' : outward === 'end' ? 'start' : 'middle');
  label.setAttribute('data-key', key.key);
  label.textContent = `${key.key} (under test)`;
}

function kindClass(kind) {
  if (kind.startsWith('join')) return 'join';
  if (kind.endsWith('request')) return 'request';
  if (kind === 'gossip' || kind === 'reply') return kind;
  if (kind.startsWith('replicate')) return 'replicate';
  return 'repair'; // anti-entropy (digest, pull, merkle …) and read repair (write-back)
}

/**
 * While messages can be dropped (paused, "Drop a message"), each sits
 * clear of its sender, and those on one link spread out along it so that
 * each can be clicked; `along` counts the messages placed per link.
 */
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
    // Only the position changes every frame; class and visibility when they do.
    const look = m ? `msg ${kindClass(m.kind)}` : '';
    if (c.dataset.look !== look) {
      c.dataset.look = look;
      c.setAttribute('visibility', m ? 'visible' : 'hidden');
      if (m) c.setAttribute('class', look);
    }
    if (!m) return;
    const span = Math.max(1, m.deliverAt - m.sentAt);
    const t = state.dropMode ? dropSpot(along, m) : Math.min(1, Math.max(0, (v.tick - 1 - m.sentAt + frac) / span));
    const [x1, y1] = peerPoint(m.from);
    const [x2, y2] = peerPoint(m.to);
    c.setAttribute('cx', (x1 + (x2 - x1) * t).toFixed(1));
    c.setAttribute('cy', (y1 + (y2 - y1) * t).toFixed(1));
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
    // Many losses at once (a partition cuts every gossip across it): smaller, fainter crosses.
    const d = state.lost.length > 20 ? 3 : 5;
    p.setAttribute('d', `M${x - d} ${y - d}L${x + d} ${y + d}M${x - d} ${y + d}L${x + d} ${y - d}`);
    p.setAttribute('opacity', String((state.lost.length > 20 ? 0.6 : 1) * (1 - frac * 0.7)));
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
  const radius = peerRadius(n) + 5;
  const byPosition = [...v.peers].sort((a, b) => a.position - b.position);
  byPosition.forEach((p, i) => {
    const next = byPosition[(i + 1) % n];
    if (next.side === p.side) return;
    // The divider sits halfway to the next peer as drawn, across the wrap if need be.
    const from = state.peerEls.get(p.id)?.shown ?? p.position;
    const gap = ((state.peerEls.get(next.id)?.shown ?? next.position) - from + 1) % 1;
    const mid = (from + gap / 2) % 1;
    const [x1, y1] = polar(mid, 40);
    const [x2, y2] = polar(mid, R + 55);
    layer.append(el('line', { class: 'divider', x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1) }));
  });
  for (const p of v.peers) {
    const [x, y] = peerPoint(p.id);
    layer.append(el('circle', { class: 'halo', 'data-side': String(p.side % 4), cx: x.toFixed(1), cy: y.toFixed(1), r: radius }));
  }
}

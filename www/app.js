// The ftkv playground: draws the simulation that the Rust core (compiled to
// WebAssembly) runs, and turns clicks into actions on it. No protocol logic
// lives here. Text from the simulation or from a share link is only ever set
// with textContent or setAttribute, never parsed as HTML.
import init, { Playground } from './pkg/ftkv.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const R = 250;
const MAX_MESSAGES = 400;   // messages drawn at once
const MAX_KEY_MARKS = 3000; // keys drawn at once
const MAX_ROWS = 300;       // rows in inspector tables
const MAX_EVENTS = 20000;   // events kept for the log
const LOG_ROWS = 200;       // events shown
const MAX_BARS = 200;       // requests drawn on the history timeline (the latest)
const TRACE_LIMIT = 100;    // record every message (to show lost ones) up to this many peers
const NET_HINT = document.getElementById('net-status').textContent;
const CHECK_HINT = document.getElementById('check-result').textContent;
const LOAD_KEYS = 100;      // keys one click on "Write 100 keys" creates
const STALENESS_SEEDS = 8;  // clusters one staleness measurement runs (in the page's thread)
const DEFAULT_KEYS = [['apple', 'red'], ['banana', 'yellow'], ['cherry', 'dark red'], ['kiwi', 'green'], ['plum', 'purple']];

const state = {
  pg: null,
  running: false,
  speed: 8,
  lastStep: 0,
  view: null,
  selectedPeer: null,
  selectedKey: null,
  lastTrans: null,
  events: [],
  eventsSeen: 0,
  lost: [],
  peerEls: new Map(),
  peerOrder: [],
  keyEls: [],
  msgEls: [],
  lostEls: [],
  linkShown: '',
  linkDue: 0,
  family: null,
  frames: 0,
  tab: 'events',
  historyDue: 0,
  checkedAt: null,
  verdicts: new Map(), // key → { sentence } of keys the last check found not linearizable
  loadDue: 0,
  keysWritten: 0,
};

// ---- helpers -------------------------------------------------------------

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A long value clipped for display (the whole of it stays in the log). */
function clipText(text, max = 80) {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function html(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function polar(position, radius) {
  const a = position * 2 * Math.PI - Math.PI / 2;
  return [radius * Math.cos(a), radius * Math.sin(a)];
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function message(e) {
  return e instanceof Error ? e.message : String(e);
}

function randomSeed() {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0];
}

function linkField(link, name) {
  const m = new RegExp(`(?:^|[#&])${name}=([^&]*)`).exec(link);
  return m ? m[1] : null;
}

// ---- starting a scenario -------------------------------------------------

function fresh(peers, seed, preset, settings = {}) {
  const pg = new Playground({ ...settings, peers, seed, preset: preset || undefined, traceMessages: peers <= TRACE_LIMIT });
  if (!preset) {
    // Sensible defaults: let the peers join, then write a few keys.
    pg.step(30);
    for (const [k, v] of DEFAULT_KEYS) pg.create(k, v);
    pg.step(5);
  }
  return pg;
}

function fromLink(link) {
  const peers = Number(linkField(link, 'peers')) || 0;
  return Playground.fromLink(link, peers > 0 && peers <= TRACE_LIMIT);
}

function adopt(pg) {
  if (state.pg) state.pg.free();
  Object.assign(state, {
    pg, view: null, selectedPeer: null, selectedKey: null, lastTrans: null,
    events: [], eventsSeen: 0, lost: [], family: null, checkedAt: null, verdicts: new Map(), loadDue: 0, keysWritten: 0,
  });
  setRunning(false);
  buildPeers();
  const link = pg.shareLink();
  $('seed').value = linkField(link, 'seed') ?? '';
  $('peers').value = linkField(link, 'peers') ?? '';
  $('preset').value = linkField(link, 'preset') ?? '';
  const s = showSettings(pg);
  $('outcome').textContent = `Pick a key and send a request: the coordinator asks the key's ${s.n} replicas; ` +
    `a read needs ${s.r} of them to answer, a write ${s.w}.`;
  clearStaleness();
  $('insp-title').textContent = '— click a peer on the ring';
  $('insp-body').hidden = true;
  $('net-status').textContent = NET_HINT;
  $('check-result').replaceChildren(html('p', CHECK_HINT, 'hint'));
  refresh();
  updateLink(true);
}

/// Builds a new cluster from the controls and the settings panel; an
/// error goes next to the panel when `fromPanel`, to the top otherwise.
function resetFromInputs(fromPanel = false) {
  const report = fromPanel ? settingsError : showError;
  const peers = Number($('peers').value);
  const seedText = $('seed').value.trim();
  if (!Number.isInteger(peers) || peers < 1 || peers > 1000) {
    report(`Peers must be a whole number from 1 to 1000, not "${$('peers').value}".`);
    return;
  }
  if (seedText !== '' && !/^\d{1,20}$/.test(seedText)) {
    report(`The seed must be a whole number, not "${seedText}".`);
    return;
  }
  let settings;
  try {
    settings = settingsOptions();
  } catch (e) {
    settingsError(message(e));
    return;
  }
  try {
    const seed = seedText === '' ? randomSeed() : BigInt(seedText);
    const pg = fresh(peers, seed, $('preset').value, settings);
    clearError();
    adopt(pg);
  } catch (e) {
    report(message(e));
  }
}

function loadHash() {
  const hash = location.hash.slice(1);
  if (hash && hash === state.linkShown) return;
  if (hash) {
    try {
      adopt(fromLink(hash));
      clearError();
      return;
    } catch (e) {
      showError(`This link cannot be replayed: ${message(e)}. A new scenario was started instead.`);
    }
  }
  adopt(fresh(10, randomSeed(), ''));
}

function updateLink(now) {
  const t = performance.now();
  if (!now && t < state.linkDue) return;
  state.linkDue = t + 300;
  const link = state.pg.shareLink();
  if (link !== state.linkShown) {
    state.linkShown = link;
    history.replaceState(null, '', `#${link}`);
  }
}

// ---- the ring --------------------------------------------------------------

function buildPeers() {
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
    g.addEventListener('click', (e) => selectPeer(nearestPeer(e) ?? p.address));
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
function fitHitAreas() {
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
    selectPeer(address);
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

function peerG(address) {
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

function drawPeers(v) {
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

function drawKeys(v) {
  const layer = $('key-layer');
  const selected = v.peers.find((p) => p.address === state.selectedPeer);
  const held = new Set(selected ? v.keys.filter((k) => k.holders.includes(selected.id)).map((k) => k.key) : []);
  const links = $('link-layer');
  const step = Math.max(1, Math.ceil(v.keys.length / MAX_KEY_MARKS));
  const shown = v.keys.filter((_, i) => i % step === 0 || v.keys[i].key === state.selectedKey);
  while (state.keyEls.length < shown.length) {
    const line = el('line', { class: 'keymark' });
    line.append(el('title'));
    line.addEventListener('click', () => selectKey(line.dataset.key));
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

function drawMessages(frac) {
  const v = state.view;
  if (!v) return;
  const layer = $('msg-layer');
  const size = v.peers.length > 200 ? 2 : 3.5;
  while (state.msgEls.length < v.messages.length) {
    const c = el('circle', { class: 'msg', r: size });
    layer.append(c);
    state.msgEls.push(c);
  }
  state.msgEls.forEach((c, i) => {
    const m = v.messages[i];
    if (!m) {
      c.setAttribute('visibility', 'hidden');
      return;
    }
    const span = Math.max(1, m.deliverAt - m.sentAt);
    const t = Math.min(1, Math.max(0, (v.tick - 1 - m.sentAt + frac) / span));
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

// ---- panels ----------------------------------------------------------------

function drawHealth(v) {
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
  set('h-flight', h.inFlight);
  const part = $('h-part');
  part.textContent = h.partitioned ? `${h.sides} sides` : 'none';
  part.className = h.partitioned ? 'bad' : '';
  const tick = $('tick');
  tick.textContent = String(v.tick);
  tick.setAttribute('data-tick', String(v.tick));
}

function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.slice(0, MAX_ROWS).map((cells) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of cells) tr.append(html('td', text, cls));
    return tr;
  }));
}

function drawInspector() {
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
  fillRows($('insp-keys').tBodies[0], p.keys.map((k) => [[k.key], [k.value], [k.version], [k.role]]));
}

function drawOutcome() {
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
  const head = html('div', `${t.op.toUpperCase()} "${t.key}" via ${t.coordinator} (transaction ${t.trans}, tick ${t.started})`);
  // Every replica asked, in ring order (substitutes last): its reply, or none.
  const list = html('ul');
  for (const a of t.asked) {
    const reply = t.replies.find((r) => r.address === a.address);
    const role = a.substitute ? ' (standing in for a suspected replica)' : '';
    let text;
    if (a.reply === 'none') text = t.decision ? 'no answer' : 'no answer yet';
    else if (a.reply === 'ok') text = `success${t.op === 'read' && reply && reply.value !== null ? ` "${reply.value}"` : ''} at tick ${a.tick}`;
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
    const shown = t.decision.ok && t.decision.value !== null;
    const value = shown ? ` — value "${clipText(t.decision.value)}"` : '';
    const outcome = t.decision.ok ? `${t.verdict}: success` : `fail: ${t.verdict}`;
    verdict = html('div', `${outcome} (quorum ${t.quorum}: ${oks} replicas succeeded, ${fails} failed, ${silent} silent, by tick ${t.decision.tick})${value}`, t.decision.ok ? 'ok' : 'no');
  }
  box.replaceChildren(head, list, verdict);
}

function drawGrade() {
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
  const seed = BigInt(linkField(state.pg.shareLink(), 'seed') ?? '0');
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

function pullEvents(v) {
  const fresh = state.pg.events(state.eventsSeen, 100000);
  state.eventsSeen += fresh.length;
  state.events.push(...fresh);
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  state.lost = fresh.filter((e) => e.kind === 'drop' && e.tick === v.tick - 1 && e.other !== null).slice(0, 100);
}

function drawLog() {
  const peer = $('log-peer').value;
  const kind = $('log-kind').value;
  const shown = [];
  for (let i = state.events.length - 1; i >= 0 && shown.length < LOG_ROWS; i--) {
    const e = state.events[i];
    if (peer && e.address !== peer) continue;
    if (kind === '' && (e.kind === 'send' || e.kind === 'drop')) continue;
    if (kind !== '' && kind !== '*' && e.kind !== kind) continue;
    shown.push(html('li', `[${e.tick}] ${e.address}  ${e.text}`, `k-${e.kind}`));
  }
  if (shown.length === 0) shown.push(html('li', 'no events match'));
  $('log-list').replaceChildren(...shown);
}

function drawHistory(now) {
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
      [String(r.trans)], [r.op], [r.key], [r.coordinator], [String(r.invoked)],
      [r.completed === null ? '' : String(r.completed)],
      [outcome, r.indeterminate ? 'maybe' : r.outcome], [r.value ?? ''], [r.version ?? ''],
    ];
  }));
  shown.forEach((r, i) => { tbody.rows[i].dataset.trans = String(r.trans); });
  drawTimeline(rows);
  const count = (outcome) => rows.filter((r) => r.outcome === outcome).length;
  $('history-summary').textContent =
    `${rows.length} operations: ${count('ok')} ok, ${count('fail')} failed, ${count('pending')} pending` +
    (rows.length > shown.length ? ` (the latest ${shown.length} shown, newest first)` : ' (newest first)');
  const stale = $('check-result').querySelector('.stale');
  if (stale) stale.hidden = state.checkedAt === state.pg.tick();
}

/// The history as a timeline: one bar per request (the latest MAX_BARS),
/// from its invocation to its decision (a pending one to the shown tick),
/// one lane per key, coloured by outcome. Keys are untrusted: textContent.
function drawTimeline(rows) {
  const svg = $('history-svg');
  const bars = rows.slice(-MAX_BARS);
  const now = state.pg.tick();
  $('history-cap').textContent = bars.length === 0
    ? 'No request yet: each one will show here as a bar from its invocation to its decision, one lane per key.'
    : `${rows.length > bars.length ? `The latest ${bars.length} of ${rows.length} requests` : `All ${bars.length} requests`}` +
      `, one lane per key, from invocation to decision (pending ones to tick ${now}). Click a bar to see its transaction.`;
  const LABEL = 150;
  const WIDTH = 1000;
  const RIGHT = 12;
  const ROW = 12;
  const MAX_SUB = 4; // bars of one key overlapping in time stack up to this many rows
  const start = bars.length ? Math.min(...bars.map((r) => r.invoked)) : 0;
  const span = Math.max(1, now - start);
  const x = (t) => LABEL + ((t - start) / span) * (WIDTH - LABEL - RIGHT);
  // Lanes in order of the key's first request shown; overlapping bars of a key
  // go to the first sub-row that is free by then.
  const lanes = new Map();
  const placed = bars.map((r) => {
    let lane = lanes.get(r.key);
    if (!lane) lanes.set(r.key, (lane = { ends: [] }));
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
    const g = el('g', { class: 'lane', 'data-key': key });
    const bad = state.verdicts.get(key);
    g.append(el('rect', { x: 0, y: lane.y, width: WIDTH, height: lane.h, class: `lane-bg${bad ? ' nonlin' : ''}` }));
    const label = el('text', { x: 4, y: lane.y + lane.h / 2, class: 'lane-label', 'dominant-baseline': 'middle' },
      `${bad ? '✗ ' : ''}${clipText(key, 18)}`);
    if (bad) label.setAttribute('data-verdict', 'non-linearizable');
    label.append(el('title', {}, bad ? `${key}: not linearizable — ${bad.sentence}` : key));
    g.append(label);
    parts.push(g);
  }
  const barLayer = el('g', { class: 'bars' });
  for (const { r, end, sub } of placed) {
    const lane = lanes.get(r.key);
    const x0 = x(r.invoked);
    const cls = r.outcome === 'fail' && r.indeterminate ? 'maybe' : r.outcome;
    const bar = el('rect', {
      x: x0, y: lane.y + 4 + sub * ROW, width: Math.max(3, x(end) - x0), height: ROW - 3, rx: 2,
      class: `bar ${cls}${r.trans === state.lastTrans ? ' selected' : ''}${state.verdicts.get(r.key)?.trans.has(r.trans) ? ' culprit' : ''}`,
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
  $('history-verdicts').replaceChildren(...[...state.verdicts].map(([key, v]) => {
    const li = html('li', `${key}: not linearizable — ${v.sentence}`, 'must');
    li.dataset.key = key;
    return li;
  }));
}

/// Runs the history checker and shows its report; must-be-zero anomalies
/// in red.
function showCheck() {
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

function showTab(name) {
  state.tab = name;
  for (const tab of ['events', 'history']) {
    $(`tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    $(`${tab}-pane`).hidden = tab !== name;
  }
  drawHistory(true);
}

function refresh() {
  const v = (state.view = state.pg.ring(MAX_MESSAGES));
  pullEvents(v);
  drawHealth(v);
  drawPeers(v);
  drawSides(v);
  drawKeys(v);
  drawMessages(0);
  drawInspector();
  drawOutcome();
  drawGrade();
  drawLog();
  drawHistory(false);
  drawLoad(v, false);
  drawTime(v);
}

// ---- time travel -------------------------------------------------------------

/// The time slider (0 to the horizon, at the shown tick) and, in the past,
/// the note that acting there forks the run.
function drawTime(v) {
  const horizon = state.pg.horizon();
  const slider = $('time');
  slider.max = String(horizon);
  slider.value = String(v.tick);
  $('time-out').textContent = `${v.tick} / ${horizon}`;
  slider.setAttribute('aria-valuetext', `tick ${v.tick} of ${horizon}`);
  $('back').disabled = v.tick === 0;
  const note = $('past-note');
  note.hidden = v.tick >= horizon;
  if (!note.hidden) {
    note.textContent = `Viewing tick ${v.tick} of ${horizon} — acting here forks the run: later actions are dropped.`;
  }
}

/// Shows tick `tick` of the run (pausing it): every panel redraws for that
/// tick; the event log is read again, since the events after it are gone.
function seekTo(tick) {
  setRunning(false);
  const t = Math.max(0, Math.min(state.pg.horizon(), tick));
  try {
    state.pg.seek(t);
  } catch (e) {
    showError(message(e));
    return;
  }
  clearError();
  state.events = [];
  state.eventsSeen = Math.max(0, state.pg.eventCount() - MAX_EVENTS);
  state.family = null;
  refresh();
  drawHistory(true);
  drawLoad(state.view, true);
  updateLink(true);
}

/// ← and → step back and forth unless a form field has the keys.
function onKey(e) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
  const target = e.target;
  if (target instanceof Element && (target.closest('input, select, textarea, [contenteditable]'))) return;
  e.preventDefault();
  if (e.key === 'ArrowLeft') seekTo(state.pg.tick() - 1);
  else if (!state.running) act(() => stepOnce());
}

// ---- settings, load and staleness -------------------------------------------

/// Shows the running cluster's settings (from the core, so a share link's
/// settings show too) in the panel; returns them.
function showSettings(pg) {
  const s = pg.settings();
  $('set-n').value = String(s.n);
  $('set-r').value = String(s.r);
  $('set-w').value = String(s.w);
  $('set-vnodes').value = String(s.vnodes);
  $('set-rr').value = s.readRepair;
  $('set-hh').checked = s.hintedHandoff;
  $('set-ae').value = s.antiEntropy;
  $('set-ae-period').value = String(s.aePeriod);
  $('settings-now').textContent = s.text;
  settingsError(null);
  explainSettings();
  return s;
}

/// The whole number in input `id`, within the input's own min and max.
function wholeInput(id) {
  const input = $(id);
  const text = input.value.trim();
  const n = Number(text);
  const what = document.querySelector(`label[for=${id}]`).textContent;
  if (text === '' || !Number.isInteger(n) || n < Number(input.min) || n > Number(input.max)) {
    throw new Error(`${what} must be a whole number from ${input.min} to ${input.max}, not "${text}".`);
  }
  return n;
}

/// The panel as options of `new Playground`; the core checks how they
/// combine (R and W at most N, peers × virtual nodes).
function settingsOptions() {
  return {
    replication: { n: wholeInput('set-n'), r: wholeInput('set-r'), w: wholeInput('set-w') },
    vnodes: wholeInput('set-vnodes'),
    readRepair: $('set-rr').value,
    hintedHandoff: $('set-hh').checked,
    antiEntropy: $('set-ae').value,
    aePeriod: wholeInput('set-ae-period'),
  };
}

function settingsError(text) {
  const box = $('settings-error');
  box.textContent = text ?? '';
  box.hidden = !text;
}

/// What the chosen N, R and W promise, in words.
function explainSettings() {
  const [n, r, w] = ['set-n', 'set-r', 'set-w'].map((id) => Number($(id).value));
  if (![n, r, w].every(Number.isInteger)) {
    $('settings-explain').textContent = '';
    return;
  }
  const overlap = r + w > n
    ? `R + W > N: every read quorum meets every write quorum, so a read sees the latest acknowledged write.`
    : `R + W ≤ N: a read may miss the latest acknowledged write (a stale read).`;
  $('settings-explain').textContent = `${overlap} Writes go on with ${Math.max(0, n - w)} of a key's replicas down, reads with ${Math.max(0, n - r)}.`;
}

/// Keys per peer as bars: live copies, then hinted copies on top; min,
/// mean and max over the live peers.
function drawLoad(v, now) {
  const t = performance.now();
  if (!now && t < state.loadDue) return;
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

/// Creates LOAD_KEYS more keys, each from a random live coordinator.
function addKeys() {
  const taken = state.view.keys.map((k) => /^key(\d+)$/.exec(k.key)).filter(Boolean).map((m) => Number(m[1]) + 1);
  const base = Math.max(state.keysWritten, ...taken);
  act(() => {
    for (let i = 0; i < LOAD_KEYS; i++) state.pg.create(`key${base + i}`, 'v');
    state.keysWritten = base + LOAD_KEYS;
  }, () => drawLoad(state.view, true));
}

function clearStaleness() {
  $('staleness-chart').replaceChildren();
  $('staleness-chart').removeAttribute('data-last-p');
  $('staleness-stats').textContent = 'Measure staleness: of the reads sent t ticks after a write was acknowledged, ' +
    'the share that returned it, for the running N, R, W (8 peers, no faults, random link delays).';
}

/// Measures the PBS curve of the running settings (in the core, a few
/// small clusters) and plots p(t).
function measureStaleness() {
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

// ---- actions ---------------------------------------------------------------

function act(fn, done) {
  try {
    const result = fn();
    clearError();
    refresh();
    drawHistory(true);
    drawLoad(state.view, true);
    updateLink(true);
    done?.(result);
    return result;
  } catch (e) {
    showError(message(e));
    return undefined;
  }
}

function selectPeer(address) {
  state.selectedPeer = address;
  // The selected peer is the ring's Tab stop.
  const g = peerG(address);
  if (g) for (const entry of state.peerEls.values()) entry.g.setAttribute('tabindex', entry.g === g ? '0' : '-1');
  drawPeers(state.view);
  drawKeys(state.view);
  drawInspector();
}

function selectKey(key) {
  state.selectedKey = state.selectedKey === key ? null : key;
  if (state.selectedKey) $('key').value = state.selectedKey;
  drawPeers(state.view);
  drawKeys(state.view);
}

function request(op) {
  const key = $('key').value;
  const value = $('value').value;
  const coordinator = $('coordinator').value || undefined;
  const trans = act(() => {
    switch (op) {
      case 'create': return state.pg.create(key, value, coordinator);
      case 'read': return state.pg.read(key, coordinator);
      case 'update': return state.pg.update(key, value, coordinator);
      default: return state.pg.delete(key, coordinator);
    }
  });
  if (trans !== undefined) {
    state.lastTrans = trans;
    state.selectedKey = key;
    drawOutcome();
    drawPeers(state.view);
    drawKeys(state.view);
  }
}

/// A network fault (or heal), reported under the network controls.
function netFault(fn, what) {
  act(fn, () => { $('net-status').textContent = `Tick ${state.pg.tick()}: ${what}.`; });
}

function partition(side) {
  netFault(() => state.pg.partition(side), `${side.join(', ')} cut off from the rest`);
}

/// Splits the ring into its two halves by ring position: the peers in
/// [0, ½) against those in [½, 1), as one recorded partition.
function split() {
  const peers = state.pg.ring(0).peers;
  const low = peers.filter((p) => p.position < 0.5).map((p) => p.address);
  if (low.length === 0 || low.length === peers.length) {
    showError('every peer hashes into one half of the ring; choose peers under Side and Partition instead');
    return;
  }
  netFault(() => state.pg.partition(low),
    `the ring is split in two: ${low.length} peer${low.length === 1 ? '' : 's'} in [0, ½) against ${peers.length - low.length} in [½, 1)`);
}

/// A partition on the ring: a dashed divider wherever two neighbouring
/// peers (by ring position) are on different sides, and a halo around each
/// peer in its side's colour. Redrawn only when the sides change.
function drawSides(v) {
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

function setRunning(on) {
  state.running = on;
  $('run').textContent = on ? 'Pause' : 'Run';
  $('step').disabled = on;
  state.lastStep = performance.now();
  if (!on && state.pg) {
    updateLink(true);
    if (state.view) drawLoad(state.view, true);
  }
}

function stepOnce() {
  const ran = state.pg.step(1);
  if (ran === 0) {
    setRunning(false);
    if (!state.pg.grade()) {
      showError(`This scenario reached tick ${state.pg.tick()}, the longest a share link can replay for this many peers.`);
    }
  }
  return ran;
}

function frame(t) {
  state.frames++;
  if (state.running) {
    const interval = 1000 / state.speed;
    const due = Math.min(20, Math.floor((t - state.lastStep) / interval));
    if (due > 0) {
      let ran = 0;
      for (let i = 0; i < due && state.running; i++) ran += stepOnce();
      state.lastStep = due >= 20 ? t : state.lastStep + due * interval;
      if (ran > 0) refresh();
      updateLink(!state.running);
    }
    drawMessages(Math.min(1, (t - state.lastStep) / interval));
  }
  requestAnimationFrame(frame);
}

function fillPresets() {
  for (const p of Playground.presets()) {
    const option = html('option', p.name);
    option.value = p.name;
    $('preset').append(option);
  }
}

function wire() {
  $('run').addEventListener('click', () => setRunning(!state.running));
  $('step').addEventListener('click', () => act(() => stepOnce()));
  $('back').addEventListener('click', () => seekTo(state.pg.tick() - 1));
  $('time').addEventListener('input', () => seekTo(Number($('time').value)));
  document.addEventListener('keydown', onKey);
  window.addEventListener('resize', fitHitAreas);
  $('speed').addEventListener('input', () => {
    state.speed = Number($('speed').value);
    $('speed-out').textContent = String(state.speed);
  });
  $('reset').addEventListener('click', () => resetFromInputs());
  $('preset').addEventListener('change', () => resetFromInputs());
  $('settings').addEventListener('submit', (e) => {
    e.preventDefault();
    resetFromInputs(true);
  });
  $('settings').addEventListener('input', explainSettings);
  $('add-keys').addEventListener('click', addKeys);
  $('measure').addEventListener('click', measureStaleness);
  $('copy-link').addEventListener('click', async () => {
    updateLink(true);
    try {
      await navigator.clipboard.writeText(location.href);
      $('copy-link').textContent = 'Copied';
      setTimeout(() => { $('copy-link').textContent = 'Copy link'; }, 1200);
    } catch {
      showError('The browser did not allow copying; the address bar holds the link.');
    }
  });
  for (const op of ['create', 'read', 'update', 'delete']) {
    $(op).addEventListener('click', () => request(op));
  }
  $('fail').addEventListener('click', () => act(() => state.pg.fail(state.selectedPeer)));
  $('recover').addEventListener('click', () => act(() => state.pg.recover(state.selectedPeer)));
  $('isolate').addEventListener('click', () => partition([state.selectedPeer]));
  $('partition').addEventListener('click', () => partition([...$('part-side').selectedOptions].map((o) => o.value)));
  $('split').addEventListener('click', split);
  $('set-loss').addEventListener('click', () => {
    const percent = Number($('loss').value);
    netFault(() => state.pg.loss(percent), `${percent} % of messages lost on every link`);
  });
  $('heal').addEventListener('click', () => netFault(() => state.pg.heal(), 'the network is whole again'));
  $('tab-events').addEventListener('click', () => showTab('events'));
  $('tab-history').addEventListener('click', () => showTab('history'));
  $('check').addEventListener('click', showCheck);
  $('history-svg').addEventListener('click', (e) => {
    const bar = e.target.closest('[data-trans]');
    if (!bar) return;
    state.lastTrans = Number(bar.dataset.trans);
    drawOutcome();
    drawHistory(true);
  });
  $('history-table').tBodies[0].addEventListener('click', (e) => {
    const row = e.target.closest('tr');
    if (!row?.dataset.trans) return;
    state.lastTrans = Number(row.dataset.trans);
    drawOutcome();
  });
  $('log-peer').addEventListener('change', drawLog);
  $('log-kind').addEventListener('change', drawLog);
  $('download').addEventListener('click', () => {
    const a = $('download');
    if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(new Blob([state.pg.dbgLog()], { type: 'text/plain' }));
  });
  window.addEventListener('hashchange', loadHash);
}

// Hooks for the benchmark and tests: read-only access to the running handle.
window.ftkv = {
  playground: () => state.pg,
  frames: () => state.frames,
  Playground,
};

await init();
fillPresets();
wire();
loadHash();
requestAnimationFrame(frame);
document.body.dataset.ready = 'true';

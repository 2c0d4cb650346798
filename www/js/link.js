// Starting a scenario: a fresh cluster or a share link, and keeping the
// address bar's link up to date.
import { Playground } from '../pkg/ftkv.js';
import { state } from './state.js';

/** Record every message (to show lost ones) up to this many peers. */
const TRACE_LIMIT = 100;
const DEFAULT_KEYS = [['apple', 'red'], ['banana', 'yellow'], ['cherry', 'dark red'], ['kiwi', 'green'], ['plum', 'purple']];

/** A random 32-bit seed for a new scenario. */
export function randomSeed() {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0];
}

/** A new cluster: a preset, or peers that join and write a few keys. */
export function fresh(peers, seed, preset, settings = {}) {
  // A preset brings its own peers (the Peers field then shows them).
  const pg = new Playground({ ...settings, peers: preset ? undefined : peers, seed, preset: preset || undefined, traceMessages: peers <= TRACE_LIMIT });
  if (!preset) {
    // Sensible defaults: let the peers join, then write a few keys.
    pg.step(30);
    for (const [k, v] of DEFAULT_KEYS) pg.create(k, v);
    pg.step(5);
  }
  return pg;
}

/** Replays a share link (the core reads it), tracing messages in small clusters. */
export function fromLink(link) {
  return Playground.fromLinkTracedUpTo(link, TRACE_LIMIT);
}

/** Puts the scenario's share link in the address bar (at most every 300 ms unless `now`). */
export function updateLink(now) {
  const t = performance.now();
  if (!now && t < state.linkDue) return;
  state.linkDue = t + 300;
  const link = state.pg.shareLink();
  if (link !== state.linkShown) {
    state.linkShown = link;
    history.replaceState(null, '', `#${link}`);
  }
}

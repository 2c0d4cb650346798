// The page's one mutable state: the running playground handle and what the
// panels remember between frames.

/** Messages drawn at once. */
export const MAX_MESSAGES = 400;

export const state = {
  pg: null,
  running: false,
  speed: 8,
  lastStep: 0,
  view: null,
  selectedPeer: null,
  selectedKey: null,
  testedKey: null, // a preset's key under test, labelled on the ring
  lastTrans: null,
  expandedValue: null, // the transaction whose whole value is shown
  lost: [],
  peerEls: new Map(),
  peerOrder: [],
  keyEls: [],
  msgEls: [],
  lostEls: [],
  dropMode: false, // "Drop a message": messages are clickable, peers are not
  linkShown: '',
  linkDue: 0,
  family: null,
  frames: 0,
  tab: 'events',
  historyDue: 0,
  checkedAt: null,
  netTick: null, // the tick the network status line speaks of
  verdicts: new Map(), // key → { sentence } of keys the last check found not linearizable
  loadDue: 0,
  keyListDue: 0,
  keysWritten: 0,
};

// ---- helpers -------------------------------------------------------------


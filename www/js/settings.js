// The cluster settings panel: N, R, W, virtual nodes, read repair, hinted
// handoff and anti-entropy, read from the core and passed back to it.
import { $ } from './dom.js';

/// Shows the running cluster's settings (from the core, so a share link's
/// settings show too) in the panel; returns them.
export function showSettings(pg) {
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
export function settingsOptions() {
  return {
    replication: { n: wholeInput('set-n'), r: wholeInput('set-r'), w: wholeInput('set-w') },
    vnodes: wholeInput('set-vnodes'),
    readRepair: $('set-rr').value,
    hintedHandoff: $('set-hh').checked,
    antiEntropy: $('set-ae').value,
    aePeriod: wholeInput('set-ae-period'),
  };
}

/** Shows (or with null hides) an error under the settings panel. */
export function settingsError(text) {
  const box = $('settings-error');
  box.textContent = text ?? '';
  box.hidden = !text;
}

/// What the chosen N, R and W promise, in words.
export function explainSettings() {
  const [n, r, w] = ['set-n', 'set-r', 'set-w'].map((id) => Number($(id).value));
  if (![n, r, w].every(Number.isInteger)) {
    $('settings-explain').textContent = '';
    return;
  }
  const over = [['R', r, 'a read cannot wait for more answers'], ['W', w, 'a write cannot wait for more acknowledgements']]
    .find(([, x]) => x > n);
  if (over) {
    $('settings-explain').textContent = `${over[0]} = ${over[1]} is more than N = ${n}: ${over[2]} than a key has replicas. Lower ${over[0]} or raise N.`;
    return;
  }
  const overlap = r + w > n
    ? `R + W > N: every read quorum meets every write quorum, so a read sees the latest acknowledged write.`
    : `R + W ≤ N: a read may miss the latest acknowledged write (a stale read).`;
  $('settings-explain').textContent = `${overlap} Writes go on with ${Math.max(0, n - w)} of a key's replicas down, reads with ${Math.max(0, n - r)}.`;
}

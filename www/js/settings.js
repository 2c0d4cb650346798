// The cluster settings panel, built from the core's settings schema
// (`Playground.settingsSchema()`): a field per setting with the schema's
// title, doc, bounds and choices, read from the core and passed back to it.
import { Playground } from '../pkg/ftkv.js';
import { $ } from './dom.js';

/** The schema and limits, read once from the core. */
let schema = null;

/** The settings schema and the page's limits (`{settings, limits}`). */
export function settingsSchema() {
  schema ??= Playground.settingsSchema();
  return schema;
}

/** A new HTML element with these attributes and text. */
function make(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The input of setting `s`. */
const field = (s) => $(`set-${s.name}`);

/** The settings of the replication group (N, R, W), by name. */
function replication() {
  return Object.fromEntries(settingsSchema().settings.filter((s) => s.group === 'replication').map((s) => [s.name, s]));
}

/// Builds the panel's fields from the schema, and bounds the Peers and
/// delay fields by the core's limits.
export function buildSettings() {
  const { settings, limits } = settingsSchema();
  const grid = $('settings-fields');
  const maxN = replication().n?.max;
  for (const s of settings) {
    const id = `set-${s.name}`;
    grid.append(make('label', { for: id, title: s.doc }, s.title));
    if (s.kind === 'choice') {
      const select = make('select', { id });
      for (const word of s.choices) select.append(make('option', { value: word }, word));
      grid.append(select);
    } else if (s.kind === 'switch') {
      grid.append(make('input', { id, type: 'checkbox' }));
    } else {
      grid.append(make('input', { id, type: 'number', min: String(s.min), max: String(s.maxIsN ? maxN : s.max), step: '1', required: '' }));
    }
  }
  const peers = $('peers');
  peers.min = '1';
  peers.max = String(limits.maxPeers);
  peers.value = String(limits.defaultPeers);
  for (const id of ['delay', 'st-low', 'st-high']) $(id).max = String(limits.maxDelay);
  $('loss').max = String(limits.maxLoss);
}

/// Shows the running cluster's settings (from the core, so a share link's
/// settings show too) in the panel; returns them.
export function showSettings(pg) {
  const now = pg.settings();
  for (const s of settingsSchema().settings) {
    if (s.kind === 'switch') field(s).checked = now[s.js];
    else field(s).value = String(now[s.js]);
  }
  $('settings-now').textContent = now.text;
  settingsError(null);
  explainSettings();
  return now;
}

/// The whole number in the input of setting `s`, within its bounds.
function wholeInput(s) {
  const input = field(s);
  const text = input.value.trim();
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < Number(input.min) || n > Number(input.max)) {
    throw new Error(`${s.title} must be a whole number from ${input.min} to ${input.max}, not "${text}".`);
  }
  return n;
}

/// The panel as options of `new Playground`; the core checks how they
/// combine (R and W at most N, peers × virtual nodes).
export function settingsOptions() {
  const options = {};
  for (const s of settingsSchema().settings) {
    const value = s.kind === 'switch' ? field(s).checked : s.kind === 'choice' ? field(s).value : wholeInput(s);
    if (s.group) (options[s.group] ??= {})[s.js] = value;
    else options[s.js] = value;
  }
  return options;
}

/** Shows (or with null hides) an error under the settings panel. */
export function settingsError(text) {
  const box = $('settings-error');
  box.textContent = text ?? '';
  box.hidden = !text;
}

/// What the chosen N, R and W promise, in words.
export function explainSettings() {
  const group = replication();
  const [n, r, w] = ['n', 'r', 'w'].map((name) => Number(field(group[name]).value));
  $('settings-explain').textContent = Playground.explainReplication(n, r, w);
}

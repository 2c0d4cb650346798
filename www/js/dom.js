// DOM helpers shared by every part of the page: element builders (text is
// only ever set with textContent or setAttribute, never parsed as HTML),
// ring geometry and the error banner.

export const $ = (id) => document.getElementById(id);
export const SVG = 'http://www.w3.org/2000/svg';
/** The ring's radius in viewBox units. */
export const R = 250;
/** Rows shown at most in a table. */
export const MAX_ROWS = 300;

/** An SVG element with attributes and (as text) content. */
export function el(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A long value clipped for display (the whole of it stays in the log). */
export function clipText(text, max = 80) {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** An HTML element with text content and a class. */
export function html(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** The point at ring `position` (0 to 1, clockwise from the top) and `radius`. */
export function polar(position, radius) {
  const a = position * 2 * Math.PI - Math.PI / 2;
  return [radius * Math.cos(a), radius * Math.sin(a)];
}

/** Shows `message` in the error banner (as text). */
export function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
}

/** Hides the error banner. */
export function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

/** The words of an error thrown by the core or the page. */
export function message(e) {
  return e instanceof Error ? e.message : String(e);
}

/** Fills `tbody` with rows of [text, class] cells (at most MAX_ROWS). */
export function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.slice(0, MAX_ROWS).map((cells) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of cells) tr.append(html('td', text, cls));
    return tr;
  }));
}

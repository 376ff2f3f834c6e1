// Building DOM from data without innerHTML, so that nothing the bridge prints can become markup.

/**
 * h('td', {class: 'num'}, '42') → <td class="num">42</td>. Attributes starting with "on" are
 * listeners; null/undefined/false children are skipped; arrays are flattened.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Thousands separated by thin spaces: counters are read at a glance. */
export function num(n) {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('en-US').replaceAll(',', '\u2009');
}

/** 1536 → "1.5 KB". */
export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * A table: columns [{title, cls?}] and rows, each an array of cells (a node or text) or
 * {attrs, cells} for a row with its own attributes.
 */
export function table(columns, rows, attrs = {}) {
  return h('table', { class: 'grid', ...attrs },
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { class: c.cls }, c.title)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { class: 'empty', colspan: columns.length }, 'none'))
      : rows.map(row => {
        const { attrs: rowAttrs, cells } = Array.isArray(row) ? { attrs: {}, cells: row } : row;
        return h('tr', rowAttrs, cells.map((cell, i) => h('td', { class: columns[i].cls }, cell)));
      })));
}

/** A titled panel. */
export function card(title, ...body) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}

/** A red banner for a refusal or failure, with the bridge's own words in monospace. */
export function errorBox(error) {
  return h('div', { class: 'error', role: 'alert' }, h('pre', {}, error.message ?? String(error)));
}

// Pieces shared by the forms: the nameif list, labelled fields, and the live preview of the CLI line.
import { run } from './api.js';
import { h } from './dom.js';

/** The interfaces' nameifs, in show interface order. */
export async function nameifs() {
  const answer = await run('show interface');
  return answer.json.interfaces.map(i => i.nameif).filter(Boolean);
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input, hint ? h('span', { class: 'hint' }, hint) : null);
}

export function select(attrs, options) {
  return h('select', attrs, options.map(o => typeof o === 'string' ? h('option', { value: o }, o) : h('option', { value: o.value }, o.label)));
}

/** The exact line a form will run, shown under it so the user learns the CLI as they click. */
export function preview(id) {
  return h('div', { class: 'cli' }, h('span', { class: 'prompt' }, '> '), h('code', { id }));
}

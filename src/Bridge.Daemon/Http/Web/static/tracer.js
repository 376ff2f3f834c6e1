// Packet-tracer: a form that builds the packet-tracer line, and its JSON answer drawn as the chain
// of phases (ALLOW green, DROP red and highlighted) ending in the Result block.
import { run } from './api.js';
import { h, num, card, errorBox } from './dom.js';
import { nameifs, field, select, preview } from './forms.js';

export async function mount(view, session) {
  const ifc = select({ name: 'input' }, await nameifs());
  const proto = select({ name: 'protocol' }, ['icmp', 'tcp', 'udp', 'rawip']);
  const src = h('input', { name: 'source', required: true, placeholder: '192.168.103.1', size: 16 });
  const dst = h('input', { name: 'destination', required: true, placeholder: '192.168.101.1', size: 16 });
  const sport = h('input', { name: 'sport', value: '1025', size: 7 });
  const dport = h('input', { name: 'dport', value: '80', size: 7 });
  const icmpType = h('input', { name: 'icmp-type', value: '8', size: 5 });
  const icmpCode = h('input', { name: 'icmp-code', value: '0', size: 4 });
  const rawProto = h('input', { name: 'ip-protocol', value: '47', size: 6 });
  const flags = h('input', { name: 'tcp-flags', placeholder: 'SYN', size: 8 });
  const established = h('input', { type: 'checkbox', name: 'established' });
  const detailed = h('input', { type: 'checkbox', name: 'detailed' });

  const ports = [field('Source port', sport), field('Destination port', dport), field('TCP flags', flags, 'optional')];
  const icmp = [field('ICMP type', icmpType), field('ICMP code', icmpCode)];
  const raw = [field('IP protocol', rawProto)];
  const line = preview('tracer-line');
  const build = () => {
    const p = proto.value;
    const s = src.value.trim() || 'SRC', d = dst.value.trim() || 'DST';
    let cmd = `packet-tracer input ${ifc.value} ${p} `;
    if (p === 'icmp') cmd += `${s} ${icmpType.value.trim()} ${icmpCode.value.trim()} ${d}`;
    else if (p === 'rawip') cmd += `${s} ${rawProto.value.trim()} ${d}`;
    else cmd += `${s} ${sport.value.trim()} ${d} ${dport.value.trim()}`;
    if (p === 'tcp' && flags.value.trim()) cmd += ` tcp-flags ${flags.value.trim()}`;
    if (established.checked) cmd += ' state established';
    if (detailed.checked) cmd += ' detailed';
    return cmd;
  };
  const update = () => {
    const p = proto.value;
    for (const f of ports) f.hidden = !(p === 'tcp' || p === 'udp');
    ports[2].hidden = p !== 'tcp';
    for (const f of icmp) f.hidden = p !== 'icmp';
    for (const f of raw) f.hidden = p !== 'rawip';
    line.querySelector('code').textContent = build();
  };
  const result = h('div', { id: 'trace-result' });
  const form = h('form', { id: 'tracer-form', class: 'form', autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Input interface', ifc), field('Protocol', proto), field('Source', src), field('Destination', dst),
      ports, icmp, raw,
      field('Established', established, 'state established'), field('Detailed', detailed, 'rule dumps')),
    line,
    h('button', { type: 'submit', class: 'primary' }, 'Trace'));
  form.addEventListener('input', update);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const command = build();
    result.replaceChildren(h('p', { class: 'muted' }, `Running ${command}…`));
    try {
      const answer = await run(command);
      result.replaceChildren(drawTrace(answer.json));
      session.status(`Ran: ${command}`);
    } catch (e) {
      result.replaceChildren(errorBox(e));
      session.status(e.message, true);
    }
  });
  update();
  view.append(card('Packet-tracer', form), result);
}

function lines(title, list, cls) {
  if (!list || list.length === 0) return null;
  return h('div', { class: 'block ' + cls }, h('div', { class: 'label' }, title), h('pre', { class: 'mono' }, list.join('\n')));
}

function ns(n) {
  if (n === undefined || n === null) return null;
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(2)} ms` : n >= 1000 ? `${(n / 1000).toFixed(1)} µs` : `${n} ns`;
}

/** The chain: an overview strip of every phase, then one box per phase, then the Result block. */
export function drawTrace(trace) {
  const phases = trace.phases;
  const strip = h('ol', { class: 'strip', id: 'trace-strip' },
    phases.map(p => h('li', { class: 'pill ' + p.result.toLowerCase(), title: `${p.type} ${p.subtype}`.trim() },
      h('a', { href: `#packet-tracer`, onclick: event => { event.preventDefault(); document.getElementById(`phase-${p.id}`)?.scrollIntoView({ behavior: 'smooth' }); } },
        h('span', { class: 'id' }, p.id), ' ', p.type))),
    h('li', { class: 'pill final ' + trace.result.action }, trace.result.action.toUpperCase()));

  const boxes = h('div', { class: 'chain' }, phases.map(p => h('article', {
    class: 'phase ' + (p.result === 'DROP' ? 'drop' : 'allow'), id: `phase-${p.id}`, dataset: { result: p.result, type: p.type },
  },
  h('header', {},
    h('span', { class: 'id' }, `Phase ${p.id}`),
    h('span', { class: 'type' }, p.type),
    p.subtype ? h('span', { class: 'subtype' }, p.subtype) : null,
    h('span', { class: 'badge ' + p.result.toLowerCase() }, p.result),
    p.elapsedTimeNs !== undefined ? h('span', { class: 'elapsed' }, ns(p.elapsedTimeNs)) : null),
  lines('Config', p.config, 'config'),
  lines('Additional information', p.additionalInformation, 'info'),
  p.detail && p.detail.length ? h('details', {}, h('summary', {}, 'Detail'), h('pre', { class: 'mono' }, p.detail.join('\n'))) : null)));

  const r = trace.result;
  const status = (name, s, l) => name
    ? h('span', {}, h('b', {}, name), ' ', h('span', { class: 'state ' + s }, s), ' / line ', h('span', { class: 'state ' + l }, l))
    : h('span', { class: 'muted' }, 'not reached');
  const resultBlock = h('section', { class: 'result-block ' + r.action, id: 'trace-final', dataset: { action: r.action } },
    h('h3', {}, 'Result'),
    h('dl', {},
      h('dt', {}, 'input-interface'), h('dd', {}, status(r.inputInterface, r.inputStatus, r.inputLineStatus)),
      h('dt', {}, 'output-interface'), h('dd', {}, status(r.outputInterface, r.outputStatus, r.outputLineStatus)),
      h('dt', {}, 'Action'), h('dd', {}, h('span', { class: 'badge big ' + (r.action === 'drop' ? 'drop' : 'allow') }, r.action)),
      r.dropReason ? [h('dt', {}, 'Drop-reason'), h('dd', { id: 'drop-reason' }, h('span', { class: 'mono' }, `(${r.dropReason.keyword})`), ' ', r.dropReason.description,
        h('span', { class: 'muted' }, ` — ${r.dropReason.section} drop`))] : null,
      r.timeTakenNs !== undefined ? [h('dt', {}, 'Time taken'), h('dd', {}, ns(r.timeTakenNs))] : null));

  const packet = trace.packet
    ? h('p', { class: 'packet mono' }, trace.packet.frame, trace.packet.worker >= 0 ? ` · worker ${num(trace.packet.worker)}` : ' · sandbox')
    : null;
  return card('Trace', packet, strip, boxes, resultBlock);
}

// Captures: the list (show capture) with stop/start, clear, delete and pcap download; a form that
// builds the capture line; and one capture's packets with each packet's trace.
import { run } from './api.js';
import { h, num, bytes, table, card, errorBox } from './dom.js';
import { nameifs, field, select, preview } from './forms.js';

const REFRESH_MS = 3000;

export function mount(view, session, args) {
  return args.length > 0 ? mountPackets(view, session, args[0]) : mountList(view, session);
}

/** "10.1.1.1" → "host 10.1.1.1"; "any", "host X", "NET MASK" and port operators go through as typed. */
function address(text) {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '') return 'any';
  if (/^[0-9.]+$/.test(t) || /^[0-9a-f:]+$/i.test(t) && t.includes(':')) return `host ${t}`;
  return t;
}

async function mountList(view, session) {
  const messages = h('div', { id: 'capture-messages' });
  const list = h('div', { id: 'capture-list' });
  const form = await createForm(session, messages, () => refresh());
  view.append(card('Captures (show capture)', messages, list), form);

  let stopped = false;
  let timer = null;
  async function act(command) {
    messages.replaceChildren();
    try {
      const answer = await run(command);
      if (answer.text.trim()) messages.append(h('pre', { class: 'note' }, answer.text.trim()));
      session.status(`Ran: ${command}`);
    } catch (e) {
      messages.append(errorBox(e));
      session.status(e.message, true);
    }
    await refresh();
  }
  async function refresh() {
    clearTimeout(timer);
    try {
      const answer = await run('show capture');
      if (stopped) return;
      list.replaceChildren(captureTable(answer.json.captures, act));
    } catch (e) {
      if (stopped) return;
      list.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }
  await refresh();
  return () => { stopped = true; clearTimeout(timer); };
}

function captureTable(captures, act) {
  const button = (label, command, cls = '') =>
    h('button', { type: 'button', class: 'small ' + cls, title: command, onclick: () => act(command) }, label);
  return table(
    [{ title: 'Name' }, { title: 'Type' }, { title: 'Interface' }, { title: 'Match' }, { title: 'Status' },
      { title: 'Packets', cls: 'num' }, { title: 'Bytes', cls: 'num' }, { title: '' }],
    captures.map(c => ({
      attrs: { dataset: { capture: c.name } },
      cells: [
        h('a', { href: `#captures/${encodeURIComponent(c.name)}`, class: 'mono' }, c.name),
        c.type, c.interface ?? 'all',
        h('span', { class: 'mono' }, c.matches.join('; ') || 'any'),
        h('span', { class: 'state ' + (c.status === 'capturing' ? 'up' : c.status === 'full' ? 'warn' : 'down') }, c.status),
        num(c.packets), bytes(c.bytes),
        h('span', { class: 'actions' },
          h('a', { class: 'button small', href: `#captures/${encodeURIComponent(c.name)}` }, 'View'),
          c.status === 'stopped'
            ? button('Start', `no capture ${c.name} stop`)
            : button('Stop', `capture ${c.name} stop`),
          button('Clear', `clear capture ${c.name}`),
          button('Delete', `no capture ${c.name}`, 'danger'),
          h('a', { class: 'button small', href: `/capture/${encodeURIComponent(c.name)}/pcap/${encodeURIComponent(c.name)}.pcap`, download: `${c.name}.pcap` }, 'pcap')),
      ],
    })),
    { id: 'capture-table' });
}

async function createForm(session, messages, refresh) {
  const name = h('input', { name: 'name', required: true, pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,63}', placeholder: 'CAPI', size: 12 });
  const ifc = select({ name: 'interface' }, await nameifs());
  const proto = select({ name: 'protocol' }, ['ip', 'icmp', 'tcp', 'udp']);
  const src = h('input', { name: 'source', value: 'any', size: 26, placeholder: 'any | host A | NET MASK [eq PORT]' });
  const dst = h('input', { name: 'destination', value: 'any', size: 26, placeholder: 'any | host A | NET MASK [eq PORT]' });
  const trace = h('input', { type: 'checkbox', name: 'trace' });
  const line = preview('capture-line');
  const build = () =>
    `capture ${name.value.trim() || 'NAME'} interface ${ifc.value} match ${proto.value} ${address(src.value)} ${address(dst.value)}${trace.checked ? ' trace' : ''}`;
  const update = () => { line.querySelector('code').textContent = build(); };
  const form = h('form', { id: 'capture-form', class: 'form', autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Name', name), field('Interface', ifc), field('Protocol', proto),
      field('Source', src), field('Destination', dst), field('Trace', trace, 'record each packet\'s path')),
    line,
    h('button', { type: 'submit', class: 'primary' }, 'Create capture'),
    session.canChange ? null : h('span', { class: 'hint' }, ` ${session.user} has privilege ${session.privilege}: the bridge will refuse changes`));
  form.addEventListener('input', update);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    messages.replaceChildren();
    const command = build();
    try {
      await run(command);
      session.status(`Ran: ${command}`);
      name.value = '';
      update();
    } catch (e) {
      messages.append(errorBox(e));
      session.status(e.message, true);
    }
    await refresh();
  });
  update();
  return card('New capture', form);
}

/** "   12: 22:13:20.000700 ..." → time by packet number, as FTD prints it (the JSON time is in ns, past a double's precision). */
function timesByNumber(text) {
  const times = new Map();
  for (const m of text.matchAll(/^\s*(\d+): (\d\d:\d\d:\d\d\.\d+)/gm)) times.set(Number(m[1]), m[2]);
  return times;
}

async function mountPackets(view, session, name) {
  const trace = h('pre', { id: 'packet-trace', class: 'mono out' }, 'Select a packet to see its trace (show capture NAME packet-number N trace detail).');
  const holder = h('div', { id: 'packet-list' });
  const heading = h('div', { class: 'toolbar' },
    h('a', { href: '#captures' }, '← captures'),
    h('a', { class: 'button', id: 'download', href: `/capture/${encodeURIComponent(name)}/pcap/${encodeURIComponent(name)}.pcap`, download: `${name}.pcap` }, 'Download pcap'),
    h('a', { class: 'button', href: `/capture/${encodeURIComponent(name)}`, target: '_blank' }, 'Text'),
    h('button', { type: 'button', onclick: () => load() }, 'Refresh'));
  view.append(card(`Capture ${name}`, heading, holder), card('Packet trace', trace));

  async function showTrace(number, row) {
    for (const r of holder.querySelectorAll('tr.selected')) r.classList.remove('selected');
    row.classList.add('selected');
    const command = `show capture ${name} packet-number ${number} trace detail`;
    trace.textContent = `> ${command}\n`;
    try {
      const answer = await run(command);
      trace.textContent += answer.text;
      trace.dataset.packet = number;
    } catch (e) {
      trace.textContent += e.message;
    }
  }

  async function load() {
    try {
      const answer = await run(`show capture ${name}`);
      const times = timesByNumber(answer.text);
      const packets = answer.json.packets;
      holder.replaceChildren(
        h('p', { class: 'muted', id: 'packet-count' }, `${packets.length} packets captured`),
        table([{ title: 'No.', cls: 'num' }, { title: 'Time (UTC)' }, { title: 'Dir' }, { title: 'Length', cls: 'num' }, { title: 'Packet' }],
          packets.map(p => ({
            attrs: { class: 'clickable', dataset: { number: p.number }, onclick: event => showTrace(p.number, event.currentTarget) },
            cells: [p.number, h('span', { class: 'mono' }, times.get(p.number) ?? ''), p.direction === 'ingress' ? 'in' : 'out',
              p.length, h('span', { class: 'mono' }, p.text)],
          })),
          { id: 'packet-table' }));
      session.status(`${packets.length} packets in ${name}`);
    } catch (e) {
      holder.replaceChildren(errorBox(e));
      session.status(e.message, true);
    }
  }
  await load();
}

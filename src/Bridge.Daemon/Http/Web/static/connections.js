// Connections: the show conn table with a filter over every column.
import { run } from './api.js';
import { h, num, bytes, table, card, errorBox } from './dom.js';

const REFRESH_MS = 5000;

function duration(seconds) {
  const s = Number(seconds);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return `${hh}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}

function endpoint(e) {
  return `${e.interface} ${e.address}${e.port !== undefined && e.port !== null ? ':' + e.port : ''}`;
}

export function mount(view, session) {
  const filter = h('input', { type: 'search', id: 'conn-filter', placeholder: 'filter: address, port, interface, protocol, flags…', autofocus: true });
  const count = h('span', { id: 'conn-shown', class: 'muted' });
  const holder = h('div', {});
  view.append(card('Connections (show conn)', h('div', { class: 'toolbar' }, filter, count), holder));

  let latest = null;
  const draw = () => {
    if (!latest) return;
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = latest.connections.filter(c => {
      const hay = [c.protocol, endpoint(c.initiator), endpoint(c.responder), c.flags, c.id].join(' ').toLowerCase();
      return words.every(w => hay.includes(w));
    });
    count.textContent = `${rows.length} of ${latest.inUse} in use`;
    holder.replaceChildren(table(
      [{ title: 'Id', cls: 'num' }, { title: 'Proto' }, { title: 'Initiator' }, { title: 'Responder' },
        { title: 'Idle', cls: 'num' }, { title: 'Uptime', cls: 'num' }, { title: 'Packets', cls: 'num' }, { title: 'Bytes', cls: 'num' }, { title: 'Flags' }],
      rows.map(c => [c.id, c.protocol, h('span', { class: 'mono' }, endpoint(c.initiator)), h('span', { class: 'mono' }, endpoint(c.responder)),
        duration(c.idleSeconds), duration(c.uptimeSeconds), num(c.packets), bytes(c.bytes), h('span', { class: 'mono' }, c.flags)]),
      { id: 'conn-table' }));
  };
  filter.addEventListener('input', draw);

  let stopped = false;
  let timer = null;
  const refresh = async () => {
    try {
      const answer = await run('show conn');
      if (stopped) return;
      latest = answer.json;
      draw();
      session.status(`Updated ${new Date().toLocaleTimeString()}; refreshing every ${REFRESH_MS / 1000} s`);
    } catch (e) {
      if (stopped) return;
      holder.replaceChildren(errorBox(e));
      session.status(e.message, true);
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}

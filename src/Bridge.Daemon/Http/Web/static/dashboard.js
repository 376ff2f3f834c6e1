// Dashboard: interfaces with counters and link state, top asp-drop reasons, connection count and
// Snort statistics, refreshed every few seconds.
import { run } from './api.js';
import { h, num, bytes, table, card, errorBox } from './dom.js';

const REFRESH_MS = 3000;
const TOP_DROPS = 10;

export function mount(view, session) {
  const interfaces = h('div', { id: 'interfaces' });
  const conns = h('div', { id: 'conn-count', class: 'big' });
  const drops = h('div', { id: 'asp-drops' });
  const snort = h('div', { id: 'snort' });
  view.append(
    card('Interfaces', interfaces),
    h('div', { class: 'row' },
      card('Connections', conns, h('a', { href: '#connections', class: 'more' }, 'show conn →')),
      card('Top asp-drop reasons', drops),
      card('Snort statistics', snort)));

  let stopped = false;
  let timer = null;
  const refresh = async () => {
    try {
      const [ifc, asp, count, sn] = await Promise.all([
        run('show interface'), run('show asp drop'), run('show conn count'), run('show snort statistics'),
      ]);
      if (stopped) return;
      interfaces.replaceChildren(interfaceTable(ifc.json.interfaces));
      conns.replaceChildren(h('span', { class: 'value' }, num(count.json.inUse)), h('span', { class: 'unit' }, ' in use'));
      drops.replaceChildren(dropTable(asp.json));
      snort.replaceChildren(snortTable(sn.json));
      session.status(`Updated ${new Date().toLocaleTimeString()}; refreshing every ${REFRESH_MS / 1000} s`);
    } catch (e) {
      if (stopped) return;
      interfaces.replaceChildren(errorBox(e));
      session.status(e.message, true);
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}

function link(i) {
  if (i.shutdown) return h('span', { class: 'state down' }, 'admin down');
  const up = i.port?.linkUp;
  return h('span', { class: 'state ' + (up ? 'up' : 'down') }, up ? 'up' : 'down');
}

function interfaceTable(list) {
  const columns = [
    { title: 'Interface' }, { title: 'Nameif' }, { title: 'VLAN', cls: 'num' }, { title: 'Link' },
    { title: 'Pkts in', cls: 'num' }, { title: 'Bytes in', cls: 'num' },
    { title: 'Pkts out', cls: 'num' }, { title: 'Bytes out', cls: 'num' },
    { title: 'Dropped', cls: 'num' }, { title: '1 min in/out pkt/s', cls: 'num' }, { title: 'Kernel drops', cls: 'num' },
  ];
  return table(columns, list.map(i => ({
    attrs: { dataset: { nameif: i.nameif } },
    cells: [
      h('span', { class: 'mono' }, i.name), h('b', {}, i.nameif), i.vlan ? i.vlan : '—', link(i),
      num(i.packetsInput), bytes(i.bytesInput), num(i.packetsOutput), bytes(i.bytesOutput),
      h('span', { class: i.packetsDropped ? 'warn' : '' }, num(i.packetsDropped)),
      `${num(i.rate1m.inputPkts)} / ${num(i.rate1m.outputPkts)}`,
      num(i.port?.rxKernelDrops),
    ],
  })), { id: 'interface-table' });
}

function dropTable(asp) {
  const rows = [];
  for (const [section, data] of Object.entries(asp)) {
    for (const [keyword, count] of Object.entries(data.drops)) rows.push({ section, keyword, count });
  }
  rows.sort((a, b) => b.count - a.count);
  return table([{ title: 'Reason' }, { title: 'Kind' }, { title: 'Count', cls: 'num' }],
    rows.slice(0, TOP_DROPS).map(r => [h('span', { class: 'mono' }, r.keyword), r.section, num(r.count)]));
}

function snortTable(s) {
  const rows = [
    ['Passed packets', num(s.passedPackets)],
    ['Blocked packets', num(s.blockedPackets)],
    ['Injected packets', num(s.injectedPackets)],
    ['Fast-forwarded flows', num(s.fastForwardedFlows)],
    ['Blacklisted flows', num(s.blacklistedFlows)],
    ['Alerts', num(s.alerts)],
    ['Rules loaded', s.rulesLoaded === null ? 'no rules' : num(s.rulesLoaded)],
  ];
  return table([{ title: 'Counter' }, { title: 'Value', cls: 'num' }], rows);
}

// The shell: who is logged in, which page is shown (from the URL's #fragment), the status line.
import { run } from './api.js';
import { h, errorBox } from './dom.js';
import * as dashboard from './dashboard.js';
import * as captures from './captures.js';
import * as tracer from './tracer.js';
import * as connections from './connections.js';

const pages = {
  'dashboard': dashboard,
  'captures': captures,
  'packet-tracer': tracer,
  'connections': connections,
};

/** What every page gets: the user's role, and a way to report on the status line. */
const session = {
  user: null,
  privilege: null,
  canChange: false,
  status(text, isError = false) {
    const el = document.getElementById('status');
    el.textContent = text;
    el.classList.toggle('bad', isError);
  },
};

let unmount = null;

async function show() {
  const [name, ...rest] = location.hash.replace(/^#/, '').split('/');
  const page = pages[name] ?? dashboard;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.page === (pages[name] ? name : 'dashboard'));
  }
  if (unmount) unmount();
  unmount = null;
  const view = document.getElementById('view');
  view.replaceChildren();
  view.dataset.page = pages[name] ? name : 'dashboard';
  try {
    unmount = await page.mount(view, session, rest.map(decodeURIComponent)) ?? null;
  } catch (e) {
    view.append(errorBox(e));
  }
}

async function whoAmI() {
  const who = document.getElementById('who');
  try {
    const [priv, version] = await Promise.all([run('show curpriv'), run('show version')]);
    session.user = priv.json.username;
    session.privilege = priv.json.privilege;
    session.canChange = priv.json.role === 'admin';
    who.replaceChildren(
      h('span', { class: 'user' }, priv.json.username),
      h('span', { class: 'priv ' + (session.canChange ? 'admin' : 'monitor'), title: session.canChange ? 'may change the bridge' : 'may only show' },
        `privilege ${priv.json.privilege}`));
    document.getElementById('hostname').textContent = version.json.hostname;
    document.title = `Bridge — ${version.json.hostname}`;
  } catch (e) {
    who.textContent = e.message;
  }
}

window.addEventListener('hashchange', show);
await whoAmI();
await show();

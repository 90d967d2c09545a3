import { api, session, ApiError } from './api.js';
import { h, field, announce } from './dom.js';
import { enrichScreen } from './enrich.js';
import { jobsScreen, jobScreen } from './jobs.js';
import { contactsScreen } from './contacts.js';
import { creditsScreen } from './credits.js';
import { settingsScreen } from './settings.js';
import { providersScreen } from './providers.js';

// Client-side routes under /app; the server answers every one of them with this shell.
const routes = [
  { path: /^\/app\/?$/, title: 'Enrich a CSV', render: enrichScreen },
  { path: /^\/app\/jobs\/?$/, title: 'Jobs', render: jobsScreen },
  { path: /^\/app\/jobs\/([0-9a-f-]{36})\/?$/i, title: 'Job', render: jobScreen },
  { path: /^\/app\/contacts\/?$/, title: 'Contacts', render: contactsScreen },
  { path: /^\/app\/credits\/?$/, title: 'Credits', render: creditsScreen },
  { path: /^\/app\/settings\/?$/, title: 'Settings', render: settingsScreen },
  { path: /^\/app\/providers\/?$/, title: 'Providers', render: providersScreen, operator: true },
];

let visit = 0;
let workspace = null;

/** The screen of the current path; a screen is given a signal that says when the user has left it (to stop polling). */
export async function render() {
  const mine = ++visit;
  const main = document.getElementById('main');
  const route = routes.find((r) => r.path.test(location.pathname));
  showError(null);
  markCurrent();
  main.replaceChildren();
  if (!route) {
    document.title = 'Not found · Tributary';
    main.append(h('h1', {}, 'There is no such screen'), h('p', {}, h('a', { href: '/app' }, 'Go to Enrich a CSV')));
    return focusMain();
  }
  document.title = `${route.title} · Tributary`;
  if (!route.operator && !session.key()) {
    main.append(signInForm());
    return focusMain();
  }
  const args = route.path.exec(location.pathname).slice(1);
  const left = () => mine !== visit;
  try {
    await route.render(main, { args, left, go: navigate, workspace });
  } catch (e) {
    if (!left()) showError(e);
  }
  if (!left()) focusMain();
}

function focusMain() {
  const heading = document.querySelector('#main h1');
  (heading ?? document.getElementById('main')).setAttribute('tabindex', '-1');
  (heading ?? document.getElementById('main')).focus({ preventScroll: false });
}

export function navigate(path) {
  history.pushState(null, '', path);
  render();
}

function markCurrent() {
  for (const a of document.querySelectorAll('#nav a')) {
    const target = new URL(a.href).pathname;
    const current = target === '/app' ? location.pathname === '/app' || location.pathname === '/app/' : location.pathname.startsWith(target);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Shows an error in plain words at the top of the page (null hides it). */
export function showError(error) {
  const box = document.getElementById('error');
  if (!error) { box.hidden = true; box.textContent = ''; return; }
  box.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  box.hidden = false;
  if (error instanceof ApiError && error.code === 'invalid_key' && session.key()) {
    session.signOut();
    workspace = null;
    showWho();
  }
}

function signInForm() {
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false', placeholder: 'wbk_…' });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Sign in with an API key of your workspace. It is kept in this browser tab only, and forgotten when you close the tab or sign out.'),
    field('API key', key, 'The demo server prints its key at start-up: export TRIBUTARY_KEY=wbk_…'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = key.value.trim();
    if (!value) return;
    session.setKey(value);
    try {
      workspace = (await api('/v1/workspace')).data;
    } catch (e) {
      session.signOut();
      showError(e);
      key.focus();
      return;
    }
    showWho();
    announce(`Signed in to workspace ${workspace.name}`);
    render();
  });
  return form;
}

function showWho() {
  const who = document.getElementById('who');
  who.replaceChildren();
  if (!session.key()) return;
  const signOut = h('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', () => {
    session.signOut();
    workspace = null;
    showWho();
    announce('Signed out');
    navigate('/app');
  });
  who.append(h('span', {}, workspace ? `Workspace ${workspace.name}` : 'Signed in'), signOut);
}

document.addEventListener('click', (event) => {
  const a = event.target.closest?.('a[href]');
  if (!a || a.target || a.hasAttribute('download') || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/app')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', render);
// Whatever goes wrong, say so instead of leaving a blank or half-drawn screen.
window.addEventListener('error', (event) => showError(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

(async () => {
  if (session.key()) {
    try { workspace = (await api('/v1/workspace')).data; } catch (e) { showError(e); }
  }
  showWho();
  render();
})();

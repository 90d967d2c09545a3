import { api, session } from './api.js';
import { h, field, table, notice, announce } from './dom.js';
import { showError } from './app.js';

/** The configured providers with their health, quotas and cost: the operator's view, opened with the admin token. */
export async function providersScreen(main, { go }) {
  main.append(h('h1', {}, 'Providers'));
  if (!session.adminToken()) return main.append(adminSignIn(go));
  let list;
  try {
    list = (await api('/admin/providers', { admin: true })).providers;
  } catch (e) {
    if (e.status === 401) { session.forgetAdmin(); main.append(notice('The admin token was refused.', 'bad'), adminSignIn(go)); return; }
    if (e.status === 404) { main.append(notice('This server has no admin API: the operator has not set Tributary:AdminToken.', 'bad')); return; }
    throw e;
  }
  const forget = h('button', { type: 'button' }, 'Forget the admin token');
  forget.addEventListener('click', () => { session.forgetAdmin(); announce('Admin token forgotten'); go('/app/providers'); });
  const limits = (q) => [q.rate_per_second && `${q.rate_per_second}/s`, q.rate_per_minute && `${q.rate_per_minute}/min`,
    q.daily_limit && `${q.daily_limit}/day${q.used_today === null ? '' : ` (${q.used_today} used today)`}`].filter(Boolean).join(', ') || 'none';
  const usage = (u) => `${u.calls} calls, ${u.found} found, ${u.failures} failed, ${u.cost} credits` + (u.spend === null ? '' : ` (${u.spend})`);
  const cost = (c) => {
    if (!c.per_call && !c.per_match && !c.per_verification && Object.keys(c.per_found ?? {}).length === 0) return 'none set';
    const found = Object.entries(c.per_found ?? {}).map(([k, v]) => `${v} per ${k}`).join(', ');
    return [c.per_call ? `${c.per_call} per call` : '', c.per_match ? `${c.per_match} per match` : '', found,
      c.per_verification ? `${c.per_verification} per verification` : ''].filter(Boolean).join('; ') + (c.credit_price ? ` (× ${c.credit_price} each)` : '');
  };
  main.append(list.length === 0 ? notice('No provider is configured: every enrichment finds nothing.') :
    table(`${list.length} providers`, ['Name', 'Type', 'Channels', 'Verifies emails', 'Health', 'Quota', 'Vendor cost', 'Today', 'Last 30 days'],
      list.map((p) => h('tr', {}, h('th', { scope: 'row' }, p.name), h('td', {}, p.type), h('td', { class: 'wrap' }, p.channels.join(', ') || '—'),
        h('td', {}, p.verifies ? 'yes' : 'no'), h('td', { class: p.health === 'healthy' ? 'status-succeeded' : 'status-failed' }, p.health),
        h('td', { class: 'wrap' }, limits(p.quota)), h('td', { class: 'wrap' }, cost(p.cost)),
        h('td', { class: 'wrap' }, usage(p.today)), h('td', { class: 'wrap' }, usage(p.last_30_days))))),
  h('div', { class: 'actions' }, forget));
}

function adminSignIn(go) {
  const token = h('input', { type: 'password', id: 'admin-token', autocomplete: 'off', required: true });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'admin-title' },
    h('h2', { id: 'admin-title' }, 'Operator sign-in'),
    h('p', {}, 'Providers are the operator\'s: sign in with the server\'s admin token (Tributary:AdminToken). It is kept in this tab only.'),
    field('Admin token', token),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in as operator')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!token.value.trim()) return;
    session.setAdminToken(token.value.trim());
    showError(null);
    go('/app/providers');
  });
  return form;
}

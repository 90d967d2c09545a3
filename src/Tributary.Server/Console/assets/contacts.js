import { api, query } from './api.js';
import { h, field, table, number, when, notice, announce } from './dom.js';
import { CHANNELS, lacking, newIdempotencyKey } from './guard.js';
import { showError } from './app.js';

const FILTERS = [
  ['search', 'Name or email contains', 'search'], ['company_domain', 'Company domain', 'text'], ['company_name', 'Company name contains', 'text'],
  ['job_title', 'Job title contains', 'text'], ['location', 'Location contains', 'text'], ['tag', 'Tag', 'text'],
  ['created_after', 'Created on or after', 'date'], ['created_before', 'Created before', 'date'],
];
const SENIORITIES = ['c_suite', 'vp', 'director', 'manager', 'senior', 'entry'];

/** The workspace's contacts, searched with the filters of GET /v1/contacts; the selected ones can be enriched as a job. */
export async function contactsScreen(main, { go, left }) {
  main.append(h('h1', {}, 'Contacts'));
  const inputs = Object.fromEntries(FILTERS.map(([name, , type]) => [name, h('input', { type, name })]));
  const yesNo = (name) => h('select', { name }, h('option', { value: '' }, 'Either'), h('option', { value: 'true' }, 'Yes'), h('option', { value: 'false' }, 'No'));
  inputs.seniority = h('select', { name: 'seniority' }, h('option', { value: '' }, 'Any'), SENIORITIES.map((s) => h('option', { value: s }, s)));
  inputs.has_email = yesNo('has_email');
  inputs.has_phone = yesNo('has_phone');
  const form = h('form', { class: 'panel', role: 'search', 'aria-label': 'Search contacts' },
    h('div', { class: 'grid' },
      FILTERS.map(([name, label]) => field(label, inputs[name])),
      field('Seniority', inputs.seniority), field('Has an email', inputs.has_email), field('Has a phone', inputs.has_phone)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search')));
  const results = h('div', {});
  main.append(form, results);

  const selected = new Set();
  const boxes = CHANNELS.map(([value]) => h('input', { type: 'checkbox', value, checked: value === 'work_email' }));
  const enrich = h('button', { type: 'button', class: 'primary', disabled: true }, 'Enrich selected');
  const count = h('span', { 'aria-live': 'polite' }, 'No contact selected.');
  let idempotencyKey = newIdempotencyKey();
  const updateSelection = () => {
    enrich.disabled = selected.size === 0 || !boxes.some((b) => b.checked);
    count.textContent = selected.size === 0 ? 'No contact selected.' : `${number(selected.size)} selected.`;
    idempotencyKey = newIdempotencyKey();
  };
  boxes.forEach((b) => b.addEventListener('change', updateSelection));
  enrich.addEventListener('click', async () => {
    enrich.disabled = true;
    const channels = boxes.filter((b) => b.checked).map((b) => b.value);
    try {
      const { data: job } = await api('/v1/jobs', {
        method: 'POST', headers: { 'Idempotency-Key': idempotencyKey },
        body: { contact_ids: [...selected], channels, name: `${selected.size} selected contact${selected.size === 1 ? '' : 's'}` },
      });
      announce('Job started');
      go(`/app/jobs/${job.id}`);
    } catch (e) {
      showError(e);
      enrich.disabled = false;
    }
  });

  const search = async (cursor) => {
    const filters = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value.trim()]));
    let answer;
    try {
      answer = await api(`/v1/contacts${query({ ...filters, per_page: 50, cursor })}`);
    } catch (e) {
      results.replaceChildren();
      if (e.code === 'validation_error') { results.append(notice(e.message, 'bad')); return; }
      return lacking(results, e, 'Contacts', 'read:contacts');
    }
    if (left()) return;
    const { data, meta } = answer;
    selected.clear();
    updateSelection();
    results.replaceChildren();
    if (data.contacts.length === 0) { results.append(notice('No contact matches these filters.')); return; }
    const all = h('input', { type: 'checkbox', 'aria-label': 'Select every contact on this page' });
    const rowBoxes = data.contacts.map((c) => {
      const box = h('input', { type: 'checkbox', value: c.id, 'aria-label': `Select ${c.full_name ?? c.email ?? c.id}` });
      box.addEventListener('change', () => { if (box.checked) selected.add(c.id); else selected.delete(c.id); updateSelection(); });
      return box;
    });
    all.addEventListener('change', () => {
      rowBoxes.forEach((b) => { b.checked = all.checked; if (all.checked) selected.add(b.value); else selected.delete(b.value); });
      updateSelection();
    });
    const next = h('button', { type: 'button' }, 'Next page');
    next.addEventListener('click', () => search(meta.next_cursor));
    results.append(
      h('section', { class: 'panel', 'aria-label': 'Enrich the selected contacts' },
        h('fieldset', {}, h('legend', {}, 'Channels to find for the selected contacts'),
          h('div', { class: 'checks' }, CHANNELS.map(([, label], i) => h('label', {}, boxes[i], label)))),
        h('div', { class: 'actions' }, enrich, count)),
      h('p', {}, `${number(meta.total)} contacts match.`),
      table(null, [all, 'Name', 'Email', 'Phone', 'Job title', 'Company', 'Created'], data.contacts.map((c, i) => h('tr', {},
        h('td', {}, rowBoxes[i]), h('td', {}, c.full_name ?? ''), h('td', {}, c.email ?? ''), h('td', {}, c.phone ?? ''),
        h('td', { class: 'wrap' }, c.job_title ?? ''), h('td', { class: 'wrap' }, c.company_name ?? c.company_domain ?? ''), h('td', {}, when(c.created_at))))),
      h('div', { class: 'actions' }, meta.next_cursor ? next : null));
  };
  form.addEventListener('submit', (event) => { event.preventDefault(); search(); });
  await search();
}

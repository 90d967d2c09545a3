import { api, query } from './api.js';
import { h, field, table, number, announce, notice } from './dom.js';
import { parse, detectSeparator, detectMapping, identifies, HINTS } from './csv.js';
import { CHANNELS, newIdempotencyKey, lacking } from './guard.js';
import { showError } from './app.js';

const PREVIEW_ROWS = 10;

/** Enrich a CSV: choose a file, preview it, map its columns, choose channels, see the estimate, start. */
export async function enrichScreen(main, { go, left }) {
  main.append(h('h1', {}, 'Enrich a CSV'),
    h('p', {}, 'Upload a CSV export of leads (from a CRM or a spreadsheet). Tributary keeps every column of your file and adds what it finds.'));
  const file = h('input', { type: 'file', accept: '.csv,text/csv', name: 'file' });
  const chooser = h('section', { class: 'panel', 'aria-labelledby': 'step-file' },
    h('h2', { id: 'step-file' }, '1. Choose a file'), field('CSV file', file, 'Comma, semicolon, tab or pipe separated; UTF-8 or Windows-1252.'));
  const rest = h('div', {});
  main.append(chooser, rest);

  file.addEventListener('change', async () => {
    rest.replaceChildren();
    showError(null);
    const chosen = file.files?.[0];
    if (!chosen) return;
    let read;
    try { read = await readCsv(chosen); } catch (e) { rest.append(notice(`This file could not be read: ${e.message}`, 'bad')); return; }
    if (read.rows.length < 2) { rest.append(notice('This file has a header line but no rows to enrich.', 'bad')); return; }
    if (!left()) drawPlan(rest, chosen, read, go, left);
  });
}

/** The file's text (UTF-8, or Windows-1252 when it is not valid UTF-8), its rows and the charset to declare. */
async function readCsv(file) {
  const bytes = await file.arrayBuffer();
  let text, charset = 'utf-8';
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
    charset = 'windows-1252';
  }
  const separator = detectSeparator(text);
  return { rows: parse(text, separator), charset, separator };
}

function drawPlan(container, file, { rows, charset, separator }, go, left) {
  const [header, ...data] = rows;
  const hints = detectMapping(header);
  const sepName = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }[separator];

  // 2. Preview
  container.append(h('section', { class: 'panel', 'aria-labelledby': 'step-preview' },
    h('h2', { id: 'step-preview' }, '2. Preview'),
    h('p', { id: 'row-count' }, `${file.name}: ${number(data.length)} rows, ${header.length} columns (${sepName} separated).`),
    table(`The first ${Math.min(PREVIEW_ROWS, data.length)} rows`, header,
      data.slice(0, PREVIEW_ROWS).map((row) => h('tr', {}, header.map((_, i) => h('td', {}, row[i] ?? '')))))));

  // 3. Mapping
  const selects = header.map((column, i) => {
    const select = h('select', { name: `map-${i}`, 'data-column': column },
      h('option', { value: '' }, 'Not used'), HINTS.map(([value, label]) => h('option', { value, selected: hints[i] === value }, label)));
    return select;
  });
  const mappingProblem = h('div', { 'aria-live': 'polite' });
  container.append(h('section', { class: 'panel', 'aria-labelledby': 'step-map' },
    h('h2', { id: 'step-map' }, '3. Map columns to identity hints'),
    h('p', {}, 'Tributary recognised the columns below from their headers. Change any it got wrong. It needs an email, a LinkedIn URL, or a name with a company.'),
    table(null, ['Column', 'Use as', 'First value'], header.map((column, i) => h('tr', {},
      h('th', { scope: 'row' }, h('label', { for: (selects[i].id = `map-${i}`) }, column)),
      h('td', {}, selects[i]),
      h('td', { class: 'wrap' }, data[0]?.[i] ?? '')))),
    mappingProblem));

  // 4. Channels
  const boxes = CHANNELS.map(([value, label]) => h('input', { type: 'checkbox', name: 'channel', value, checked: value === 'work_email' || value === 'phone' }));
  container.append(h('section', { class: 'panel', 'aria-labelledby': 'step-channels' },
    h('h2', { id: 'step-channels' }, '4. Choose what to find'),
    h('fieldset', {}, h('legend', {}, 'Channels'),
      h('div', { class: 'checks' }, CHANNELS.map(([, label], i) => h('label', {}, boxes[i], label))))));

  // 5. Estimate and start
  const estimate = h('div', { id: 'estimate', 'aria-live': 'polite' });
  const start = h('button', { type: 'button', class: 'primary', id: 'start' }, 'Start enriching');
  container.append(h('section', { class: 'panel', 'aria-labelledby': 'step-start' },
    h('h2', { id: 'step-start' }, '5. Check the cost and start'), estimate, h('div', { class: 'actions' }, start)));

  // One Idempotency-Key per submission as it stands: clicking twice sends the same key, and the server starts one job.
  let idempotencyKey = newIdempotencyKey();
  let submitting = false;
  const plan = () => {
    const mapping = {};
    const problems = [];
    selects.forEach((select, i) => {
      if (!select.value) return;
      if (mapping[select.value]) problems.push(`"${header[i]}" and "${mapping[select.value]}" are both mapped to ${label(select.value)}; keep one.`);
      else if (/[,=]/.test(header[i])) problems.push(`The column "${header[i]}" has a comma or an equals sign in its name; rename it in the file to map it.`);
      else mapping[select.value] = header[i];
    });
    if (!identifies(Object.keys(mapping))) problems.push('Map an email, a LinkedIn URL, or a name with a company name or domain: without them nobody can be found.');
    const channels = boxes.filter((b) => b.checked).map((b) => b.value);
    if (channels.length === 0) problems.push('Choose at least one channel to find.');
    return { mapping, channels, problems };
  };

  let asked = 0;
  const refresh = async () => {
    idempotencyKey = newIdempotencyKey();
    // Counted before the checks: an estimate still on its way for the plan before must not enable Start for this one.
    const mine = ++asked;
    const { channels, problems } = plan();
    mappingProblem.replaceChildren(...problems.map((p) => notice(p, 'bad')));
    start.disabled = problems.length > 0;
    if (problems.length > 0) { estimate.replaceChildren(); return; }
    try {
      const { data: cost } = await api('/v1/estimate', { method: 'POST', body: { records: data.length, channels } });
      if (mine !== asked || left()) return;
      estimate.replaceChildren(
        h('dl', { class: 'stats' },
          h('div', { class: 'stat' }, h('dt', {}, 'Rows'), h('dd', {}, number(cost.records))),
          h('div', { class: 'stat' }, h('dt', {}, 'At most'), h('dd', { id: 'estimate-credits' }, `${number(cost.max_credits)} credits`)),
          h('div', { class: 'stat' }, h('dt', {}, 'Your balance'), h('dd', { id: 'balance' }, `${number(cost.balance)} credits`))),
        h('p', { class: 'hint' }, `Up to ${number(cost.max_credits_per_record)} credits per row; only what is found is charged, and cached answers are free.`),
        ...(cost.enough ? [] : [notice('The balance does not cover the most this job can cost; it will be refused. Ask your operator for credits, or choose fewer channels.', 'bad')]));
      start.disabled = !cost.enough;
    } catch (e) {
      if (mine !== asked || left()) return;
      estimate.replaceChildren();
      lacking(estimate, e, 'Starting a job', 'write:enrich');
      start.disabled = true;
    }
  };
  const label = (hint) => HINTS.find(([v]) => v === hint)?.[1] ?? hint;
  for (const control of [...selects, ...boxes]) control.addEventListener('change', refresh);
  refresh();

  start.addEventListener('click', async () => {
    if (submitting) return;
    const { mapping, channels, problems } = plan();
    if (problems.length > 0) return;
    submitting = true;
    start.disabled = true;
    start.textContent = 'Starting…';
    // Hints given no column are sent as "hint=" so that the server does not read them from a column it would recognise.
    const unmapped = [...HINTS.map(([hint]) => hint), 'domain'].filter((hint) => !mapping[hint]);
    const map = [...Object.entries(mapping).map(([hint, column]) => `${hint}=${column}`), ...unmapped.map((hint) => `${hint}=`)].join(',');
    try {
      const { data: job } = await api(`/v1/jobs${query({ channels: channels.join(','), map, name: file.name })}`, {
        method: 'POST', body: file, contentType: `text/csv; charset=${charset}`, headers: { 'Idempotency-Key': idempotencyKey },
      });
      announce(`Job started for ${file.name}`);
      go(`/app/jobs/${job.id}`);
    } catch (e) {
      submitting = false;
      start.disabled = false;
      start.textContent = 'Start enriching';
      showError(e);
    }
  });
}

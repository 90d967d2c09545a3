import { api, query } from './api.js';
import { h, table, number, when, duration, stat, announce, notice } from './dom.js';
import { lacking } from './guard.js';
import { showError } from './app.js';

const FINAL = ['succeeded', 'failed', 'cancelled'];
const POLL_MS = 1000;

/** Past jobs of every surface, newest first, with their cost and outcome; the console's own can be opened and downloaded. */
export async function jobsScreen(main, { left }) {
  main.append(h('h1', {}, 'Jobs'));
  const status = h('select', { id: 'job-status', name: 'status' },
    h('option', { value: '' }, 'Any status'), ['queued', 'processing', 'succeeded', 'failed', 'cancelled'].map((s) => h('option', { value: s }, s)));
  const list = h('div', {});
  main.append(h('div', { class: 'field' }, h('label', { for: 'job-status' }, 'Show jobs'), status), list);
  const load = async (cursor) => {
    let answer;
    try {
      answer = await api(`/v1/jobs${query({ per_page: 25, status: status.value, cursor })}`);
    } catch (e) {
      list.replaceChildren();
      return lacking(list, e, 'Jobs', 'read:enrich');
    }
    if (left()) return;
    const { data, meta } = answer;
    if (!cursor) list.replaceChildren();
    if (data.jobs.length === 0 && !cursor) { list.append(notice('No jobs yet. Start one from Enrich a CSV or Contacts.')); return; }
    list.querySelector('.more')?.remove();
    list.append(table(cursor ? null : `${number(meta.total)} jobs`, ['Name', 'Status', 'Rows', 'Credits charged', 'Started', 'Finished', ''],
      data.jobs.map((job) => h('tr', {},
        h('td', { class: 'wrap' }, job.kind === 'native' ? h('a', { href: `/app/jobs/${job.id}` }, job.name ?? job.id) : `${job.name ?? job.id} (${job.kind})`),
        h('td', { class: `status-${job.status}` }, job.status),
        h('td', {}, `${number(job.processed)} of ${number(job.total)}`),
        h('td', {}, number(job.credits_charged)),
        h('td', {}, when(job.created_at)),
        h('td', {}, when(job.finished_at)),
        h('td', {}, job.kind === 'native' && job.processed > 0 ? downloadButton(job.id, job.name ?? job.id) : '')))));
    if (meta.next_cursor) {
      const more = h('button', { type: 'button', class: 'more' }, 'Show older jobs');
      more.addEventListener('click', () => load(meta.next_cursor));
      list.append(h('div', { class: 'actions more' }, more));
    }
  };
  status.addEventListener('change', () => load());
  await load();
}

/** Fetches a signed link for the job's CSV and follows it, so the browser saves the file (the key never enters a URL). */
export function downloadButton(jobId, name) {
  const button = h('button', { type: 'button', 'aria-label': `Download the enriched CSV of ${name}` }, 'Download CSV');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const { data } = await api(`/v1/jobs/${jobId}/download`, { method: 'POST', body: { format: 'csv' } });
      const link = h('a', { href: data.url, download: '' });
      document.body.append(link);
      link.click();
      link.remove();
      announce('Download started');
    } catch (e) {
      showError(e);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** One job, live: progress per channel with rate and ETA, polled until it ends; cancel; download. */
export async function jobScreen(main, { args: [id], left }) {
  const heading = h('h1', {}, 'Job');
  const body = h('div', {});
  main.append(h('p', {}, h('a', { href: '/app/jobs' }, '← All jobs')), heading, body);
  let announcedFinal = false;
  const draw = (job) => {
    heading.textContent = job.name ?? `Job ${job.id}`;
    const final = FINAL.includes(job.status);
    const cancel = h('button', { type: 'button', class: 'danger', id: 'cancel' }, 'Cancel job');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try { draw((await api(`/v1/jobs/${id}/cancel`, { method: 'POST' })).data); announce('Job cancelled'); } catch (e) { showError(e); cancel.disabled = false; }
    });
    body.replaceChildren(
      h('p', {}, 'Status: ', h('strong', { id: 'job-status', class: `status-${job.status}` }, job.status),
        job.error ? ` — ${job.error}` : ''),
      h('div', { class: 'field' }, h('label', { for: 'job-progress' }, `Progress: ${job.progress}%`),
        h('progress', { id: 'job-progress', max: 100, value: job.progress }, `${job.progress}%`)),
      h('dl', { class: 'stats' },
        stat('Rows done', `${number(job.processed)} of ${number(job.total)}`),
        stat('Found', number(job.found)), stat('Not found', number(job.not_found)), stat('Failed', number(job.failed)),
        stat('Rate', job.rate_per_second === null ? '—' : `${number(job.rate_per_second)} rows/s`),
        stat('Time left', final ? '—' : duration(job.eta_seconds)),
        stat('Credits charged', number(job.credits_charged)), stat('Credits reserved', number(job.credits_reserved))),
      h('h2', {}, 'Found per channel'),
      h('div', {}, job.channels.map((channel) => {
        const found = job.found_by_channel[channel] ?? 0;
        const progressId = `found-${channel}`;
        return h('div', { class: 'channel' },
          h('label', { for: progressId }, channel),
          h('progress', { id: progressId, max: Math.max(job.total, 1), value: found }, `${found}`),
          h('span', {}, `${number(found)} of ${number(job.total)}`));
      })),
      h('div', { class: 'actions' }, final ? null : cancel, job.processed > 0 ? downloadButton(job.id, job.name ?? job.id) : null));
    if (final && !announcedFinal) { announcedFinal = true; announce(`Job ${job.status}`); }
  };
  let job;
  try {
    job = (await api(`/v1/jobs/${id}`)).data;
  } catch (e) {
    return lacking(body, e, 'This job', 'read:enrich');
  }
  draw(job);
  poll(); // not awaited: the screen is drawn, its figures follow
  async function poll() {
   while (!FINAL.includes(job.status)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (left()) return;
    try {
      job = (await api(`/v1/jobs/${id}`)).data;
    } catch (e) {
      showError(e);
      continue;
    }
    if (left()) return;
    // Keep keyboard focus where it was across redraws.
    const focused = document.activeElement?.id;
    draw(job);
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
   }
  }
}

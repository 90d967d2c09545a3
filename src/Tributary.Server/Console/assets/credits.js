import { api, query } from './api.js';
import { h, table, number, when, stat, notice } from './dom.js';
import { lacking } from './guard.js';

/** The balance, the credits held for work in flight, and the ledger, newest first. */
export async function creditsScreen(main, { left }) {
  main.append(h('h1', {}, 'Credits'));
  let balance;
  try {
    balance = (await api('/v1/credits')).data;
  } catch (e) {
    return lacking(main, e, 'Credits', 'read:credits');
  }
  main.append(h('dl', { class: 'stats' }, stat('Balance', number(balance.balance)), stat('Reserved for jobs in flight', number(balance.reserved))),
    h('h2', {}, 'Ledger'));
  const ledger = h('div', {});
  main.append(ledger);
  const load = async (cursor) => {
    const { data, meta } = await api(`/v1/credits/ledger${query({ per_page: 50, cursor })}`);
    if (left()) return;
    ledger.querySelector('.more')?.remove();
    if (data.entries.length === 0 && !cursor) { ledger.append(notice('The ledger is empty.')); return; }
    ledger.append(table(cursor ? null : `${number(meta.total)} entries`, ['When', 'Kind', 'Amount', 'Reason'],
      data.entries.map((e) => h('tr', {}, h('td', {}, when(e.created_at)), h('td', {}, e.kind), h('td', {}, number(e.amount)),
        h('td', { class: 'wrap' }, e.reason ?? (e.enrichment_id ? `enrichment ${e.enrichment_id}` : ''))))));
    if (meta.next_cursor) {
      const more = h('button', { type: 'button' }, 'Show older entries');
      more.addEventListener('click', () => load(meta.next_cursor));
      ledger.append(h('div', { class: 'actions more' }, more));
    }
  };
  await load();
}

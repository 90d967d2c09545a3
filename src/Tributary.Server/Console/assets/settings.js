import { api } from './api.js';
import { h, field, notice, announce } from './dom.js';
import { lacking } from './guard.js';
import { showError } from './app.js';

/** The workspace's settings (admin:workspace): consent, phone countries, minimum confidence, the verification webhook. */
export async function settingsScreen(main) {
  main.append(h('h1', {}, 'Settings'));
  let settings;
  try {
    settings = (await api('/v1/workspace/settings')).data;
  } catch (e) {
    return lacking(main, e, 'Settings', 'admin:workspace');
  }
  const consent = h('input', { type: 'checkbox', id: 'consent', checked: settings.personal_email_consent });
  const countries = h('input', { type: 'text', id: 'countries', value: settings.default_phone_countries.join(', '), autocomplete: 'off' });
  const min = h('input', { type: 'number', id: 'min-confidence', min: 0, max: 1, step: 0.05, value: settings.min_confidence, inputmode: 'decimal' });
  const webhook = h('input', { type: 'url', id: 'verification-url', value: settings.verification_webhook_url ?? '', placeholder: 'https://verify.example.com/emails' });
  const secret = h('input', { type: 'text', id: 'webhook-secret', value: settings.webhook_secret, readonly: true, spellcheck: 'false' });
  const saved = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'enrichment-title' },
    h('h2', { id: 'enrichment-title' }, 'Enrichment'),
    h('div', { class: 'field' }, h('label', {}, consent, ' Personal email consent'),
      h('small', {}, 'Allows the personal_email channel: tick it only when your workspace may process personal addresses.')),
    field('Default phone countries', countries, 'ISO country codes, comma-separated (e.g. US, GB): phones written without a country code are read as these.'),
    field('Minimum confidence', min, 'From 0 to 1: values found with less confidence are not kept.'),
    h('h2', { id: 'webhooks-title' }, 'API & Webhooks → Enrichment verification'),
    field('Verification webhook URL', webhook, 'Each newly enriched email is posted here, signed; answer {"valid": false} to mark it unverified. Leave empty for none.'),
    field('Webhook secret', secret, 'Verify the webhook-signature header with this secret (Standard Webhooks). It is read-only.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'save-settings' }, 'Save settings')), saved);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    saved.replaceChildren();
    const minimum = Number(min.value);
    if (min.value.trim() === '' || Number.isNaN(minimum) || minimum < 0 || minimum > 1) {
      saved.append(notice('The minimum confidence must be a number from 0 to 1.', 'bad'));
      min.focus();
      return;
    }
    const body = {
      personal_email_consent: consent.checked,
      default_phone_countries: countries.value.split(/[\s,;]+/).map((c) => c.trim()).filter(Boolean),
      min_confidence: minimum,
      verification_webhook_url: webhook.value.trim() || null,
    };
    try {
      const { data } = await api('/v1/workspace/settings', { method: 'PATCH', body });
      countries.value = data.default_phone_countries.join(', ');
      min.value = data.min_confidence;
      webhook.value = data.verification_webhook_url ?? '';
      saved.append(notice('Settings saved.', 'good'));
      announce('Settings saved');
    } catch (e) {
      if (e.code === 'validation_error') saved.append(notice(e.message, 'bad'));
      else showError(e);
    }
  });
  main.append(form);
}

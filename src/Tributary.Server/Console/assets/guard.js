import { notice } from './dom.js';

/**
 * Draws a screen's "this key may not" notice when the API refused the key's permission, naming the permission;
 * any other error is thrown on, to be shown in the page's error area.
 */
export function lacking(container, error, screen, permission) {
  if (error?.code !== 'insufficient_permissions') throw error;
  container.append(notice(`${screen} needs the ${permission} permission, which this API key lacks. Sign in with a key that has it, or ask your operator for one.`, 'bad'));
}

/** The channels a job can find for a person, in the order the screens list them. */
export const CHANNELS = [
  ['work_email', 'Work email'], ['phone', 'Phone'], ['personal_email', 'Personal email'], ['linkedin_url', 'LinkedIn URL'],
  ['job_title', 'Job title'], ['seniority', 'Seniority'], ['company_name', 'Company name'], ['company_domain', 'Company domain'],
  ['location', 'Location'],
];

export const newIdempotencyKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

// The API key and the admin token live in this tab's sessionStorage only, and travel only as bearer headers.
const KEY = 'tributary.key';
const ADMIN = 'tributary.adminToken';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  setKey: (value) => sessionStorage.setItem(KEY, value),
  adminToken: () => sessionStorage.getItem(ADMIN),
  setAdminToken: (value) => sessionStorage.setItem(ADMIN, value),
  signOut: () => { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ADMIN); },
  forgetAdmin: () => sessionStorage.removeItem(ADMIN),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function plainWords(status, error) {
  const code = error?.code;
  if (code === 'invalid_key') return 'This API key was not accepted: it is unknown, revoked or expired. Sign in again with a valid key.';
  if (code === 'rate_limited') return `${error.message}. Wait a little and try again.`;
  if (error?.message) return error.message;
  if (status === 404) return 'The server does not know this address.';
  if (status >= 500) return `The server failed to answer (HTTP ${status}). Try again; if it keeps failing, the server's log says why.`;
  return `The server refused the request (HTTP ${status}).`;
}

/**
 * Calls the API with the signed-in key (or, with admin: true, the operator's token); resolves to the parsed JSON body
 * and rejects with an ApiError whose message can be shown as it is.
 */
export async function api(path, { method = 'GET', body, headers = {}, admin = false, contentType } = {}) {
  const credential = admin ? session.adminToken() : session.key();
  const sent = { Accept: 'application/json', ...headers };
  if (credential) sent.Authorization = `Bearer ${credential}`;
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    payload = JSON.stringify(body);
    sent['Content-Type'] = 'application/json';
  } else if (contentType) sent['Content-Type'] = contentType;
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body: payload, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check that Tributary is running and try again.');
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) throw new ApiError(response.status, json?.error?.code ?? `http_${response.status}`, plainWords(response.status, json?.error));
  return json;
}

/** A query string of the non-empty values. */
export function query(values) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The form's delivery options (CONTRACT §8): payload filter (JSON), retry schedule, timeout and
 * receiver credentials. Secrets are write-only: a stored one is shown as "set" and is only sent
 * again when the recipient types a new one.
 */
/** @import { AuthInput, Endpoint, EndpointChanges, Problem } from './types.js' */
import { byId } from './dom.js';

/** @param {string} id */
const input = (id) => byId(id, HTMLInputElement);

/** Shows the credential fields of the chosen type. */
function showAuthFields() {
  const type = byId('endpoint-auth-type', HTMLSelectElement).value;
  byId('auth-basic').hidden = type !== 'basic';
  byId('auth-oauth2').hidden = type !== 'oauth2_client_credentials';
}

/** Wires the credential type select (endpoint-form.js calls this once). */
export function bindDeliveryOptions() {
  byId('endpoint-auth-type', HTMLSelectElement).addEventListener('change', showAuthFields);
}

/**
 * Fills the options from an endpoint (edit) or empties them (add).
 * @param {Endpoint | null} endpoint
 */
export function fillDeliveryOptions(endpoint) {
  byId('endpoint-filter', HTMLTextAreaElement).value = endpoint?.filter ? JSON.stringify(endpoint.filter, null, 2) : '';
  const schedule = endpoint?.retry_schedule;
  input('endpoint-retries').value = !schedule ? '' : schedule.length === 0 ? 'none' : schedule.join(', ');
  input('endpoint-timeout').value = endpoint?.timeout ?? '';
  const auth = endpoint?.auth ?? null;
  byId('endpoint-auth-type', HTMLSelectElement).value = auth ? auth.type : 'none';
  input('auth-username').value = auth?.type === 'basic' ? auth.username : '';
  input('auth-token-url').value = auth?.type === 'oauth2_client_credentials' ? auth.token_url : '';
  input('auth-client-id').value = auth?.type === 'oauth2_client_credentials' ? auth.client_id : '';
  input('auth-scope').value = auth?.type === 'oauth2_client_credentials' ? (auth.scope ?? '') : '';
  input('auth-audience').value = auth?.type === 'oauth2_client_credentials' ? (auth.audience ?? '') : '';
  for (const id of ['auth-password', 'auth-client-secret']) {
    input(id).value = '';
    input(id).placeholder = auth ? 'set' : '';
  }
  const open = Boolean(endpoint && (endpoint.filter || endpoint.retry_schedule || endpoint.timeout || endpoint.auth));
  byId('delivery-options', HTMLDetailsElement).open = open;
  showAuthFields();
}

/**
 * Reads the options into API fields: on create only those set, on edit every one (empty = null,
 * which clears). Credentials are sent when new secrets were typed, or cleared with "None".
 * @param {Endpoint | null} editing
 * @returns {{ changes: EndpointChanges } | { problem: Problem }}
 */
export function readDeliveryOptions(editing) {
  /** @type {EndpointChanges} */
  const changes = {};
  const filterText = byId('endpoint-filter', HTMLTextAreaElement).value.trim();
  if (filterText) {
    let parsed;
    try {
      parsed = /** @type {unknown} */ (JSON.parse(filterText));
    } catch {
      return { problem: { message: 'The payload filter is not valid JSON.', details: [{ path: '/filter' }] } };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { problem: { message: 'The payload filter must be a JSON object.', details: [{ path: '/filter' }] } };
    }
    changes.filter = /** @type {Record<string, unknown>} */ (parsed);
  } else if (editing) changes.filter = null;

  const retries = input('endpoint-retries').value.trim();
  if (retries) {
    changes.retry_schedule = retries.toLowerCase() === 'none' ? [] : retries.split(/[\s,]+/).filter(Boolean);
  } else if (editing) changes.retry_schedule = null;

  const timeout = input('endpoint-timeout').value.trim();
  if (timeout) changes.timeout = timeout;
  else if (editing) changes.timeout = null;

  const auth = readAuth(editing);
  if ('problem' in auth) return auth;
  if (auth.value !== undefined) changes.auth = auth.value;
  return { changes };
}

/**
 * Whether the form shows the stored credentials unchanged (their secrets aside).
 * @param {Endpoint['auth']} stored
 * @param {string} type
 */
function storedUnchanged(stored, type) {
  if (!stored || stored.type !== type) return false;
  if (stored.type === 'basic') return input('auth-username').value.trim() === stored.username;
  return (
    input('auth-token-url').value.trim() === stored.token_url &&
    input('auth-client-id').value.trim() === stored.client_id &&
    input('auth-scope').value.trim() === (stored.scope ?? '') &&
    input('auth-audience').value.trim() === (stored.audience ?? '')
  );
}

/**
 * @param {Endpoint | null} editing
 * @returns {{ value: AuthInput | null | undefined } | { problem: Problem }}
 */
function readAuth(editing) {
  const type = byId('endpoint-auth-type', HTMLSelectElement).value;
  const stored = editing?.auth ?? null;
  if (type === 'none') return { value: stored ? null : undefined };
  const secretId = type === 'basic' ? 'auth-password' : 'auth-client-secret';
  const secret = input(secretId).value;
  if (!secret) {
    // stored credentials left as they were: send nothing, they stay. The API replaces credentials
    // whole, so a changed username or token URL needs the secret typed again.
    if (storedUnchanged(stored, type)) return { value: undefined };
    return {
      problem: {
        message: type === 'basic' ? 'Enter the password to use.' : 'Enter the client secret to use.',
        details: [{ path: `/auth/${type === 'basic' ? 'password' : 'client_secret'}` }],
      },
    };
  }
  if (type === 'basic') return { value: { type: 'basic', username: input('auth-username').value.trim(), password: secret } };
  /** @type {AuthInput} */
  const value = {
    type: 'oauth2_client_credentials',
    token_url: input('auth-token-url').value.trim(),
    client_id: input('auth-client-id').value.trim(),
    client_secret: secret,
  };
  const scope = input('auth-scope').value.trim();
  const audience = input('auth-audience').value.trim();
  if (scope) value.scope = scope;
  if (audience) value.audience = audience;
  return { value };
}

/** The fields a problem's details point at (for aria-invalid), by JSON pointer prefix. */
export const OPTION_FIELDS = /** @type {const} */ ({
  '/filter': 'endpoint-filter',
  '/retry_schedule': 'endpoint-retries',
  '/timeout': 'endpoint-timeout',
  '/auth/username': 'auth-username',
  '/auth/password': 'auth-password',
  '/auth/token_url': 'auth-token-url',
  '/auth/client_id': 'auth-client-id',
  '/auth/client_secret': 'auth-client-secret',
});

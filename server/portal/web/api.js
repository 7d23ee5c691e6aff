/**
 * The client of /api/v1/portal (CONTRACT §6): one typed function per route the page uses, each
 * sending the session's bearer token. A 401 anywhere turns the page into the expired-link notice.
 */
/** @import { Attempt, Endpoint, EndpointChanges, ErrorDetail, EventType, Message, Ok, Page, Session } from './types.js' */
import { showGate } from './session.js';
import { API, MESSAGE_PAGE, state } from './state.js';

/** An error answer of the API, with its code and the details that point at form fields. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {unknown} body the parsed answer, or null when it was not JSON
   */
  constructor(status, body) {
    const json = /** @type {{ error?: string, message?: string, details?: ErrorDetail[] } | null} */ (
      typeof body === 'object' ? body : null
    );
    super(json?.message || `Request failed with HTTP ${status}.`);
    this.status = status;
    this.code = json?.error;
    this.details = json?.details ?? [];
  }
}

/**
 * The text to show for anything a request threw (an ApiError, or fetch's TypeError offline).
 * @param {unknown} error
 */
export function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * @param {string} method
 * @param {string} path below /api/v1/portal
 * @param {object} [body]
 * @returns {Promise<unknown>} the JSON of a 2xx answer whose `ok` is true
 */
async function request(method, path, body) {
  if (state.expired) throw new ApiError(401, { error: 'unauthorized', message: 'This session has expired.' });
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  /** @type {unknown} */
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (response.status === 401) {
    showGate('This link has expired', 'Portal links are valid for a limited time. Ask the service that sent you this link for a new one.');
  }
  const ok = typeof json === 'object' && json !== null && 'ok' in json && json.ok === true;
  if (!response.ok || !ok) throw new ApiError(response.status, json);
  return json;
}

/**
 * The `data` of an answer.
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<T>}
 */
async function data(method, path, body) {
  return /** @type {Ok<T>} */ (await request(method, path, body)).data;
}

/**
 * Every item of a paginated list, following next_cursor.
 * @template T
 * @param {string} path
 * @returns {Promise<T[]>}
 */
async function listAll(path) {
  /** @type {T[]} */
  let items = [];
  /** @type {string | null} */
  let cursor = null;
  do {
    const page = /** @type {Page<T>} */ (await request('GET', `${path}?limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`));
    items = items.concat(page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** @returns {Promise<Session>} */
export const getSession = () => data('GET', '/session');

/** @returns {Promise<EventType[]>} */
export const listEventTypes = () => listAll('/event-types');

/** @returns {Promise<Endpoint[]>} */
export const listEndpoints = () => listAll('/endpoints');

/**
 * @param {EndpointChanges & { url: string }} endpoint
 * @returns {Promise<Endpoint>} the new endpoint, with its secret
 */
export const createEndpoint = (endpoint) => data('POST', '/endpoints', endpoint);

/**
 * @param {string} id
 * @param {EndpointChanges} changes
 * @returns {Promise<Endpoint>}
 */
export const updateEndpoint = (id, changes) => data('PATCH', `/endpoints/${id}`, changes);

/** @param {string} id */
export const deleteEndpoint = async (id) => {
  await request('DELETE', `/endpoints/${id}`);
};

/**
 * The endpoint's current signing secret.
 * @param {string} id
 * @returns {Promise<string>}
 */
export const getSecret = async (id) => {
  /** @type {{ secret: string }} */
  const answer = await data('GET', `/endpoints/${id}/secret`);
  return answer.secret;
};

/**
 * A new signing secret; the previous one keeps signing deliveries for 24 hours.
 * @param {string} id
 * @returns {Promise<string>}
 */
export const rotateSecret = async (id) => {
  /** @type {{ secret: string }} */
  const answer = await data('POST', `/endpoints/${id}/rotate-secret`, {});
  return answer.secret;
};

/** @returns {Promise<Message[]>} the newest messages sent to this recipient */
export const listMessages = () => data('GET', `/messages?limit=${MESSAGE_PAGE}`);

/**
 * @param {string} messageId
 * @returns {Promise<Attempt[]>}
 */
export const listAttempts = (messageId) => data('GET', `/messages/${messageId}/attempts?limit=100`);

/**
 * Sends a message again to one of the recipient's endpoints.
 * @param {string} messageId
 * @param {string} endpointId
 */
export const replayMessage = async (messageId, endpointId) => {
  await request('POST', `/messages/${messageId}/replay`, { endpoint_id: endpointId });
};

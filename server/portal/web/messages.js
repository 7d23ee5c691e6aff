/** Recent deliveries: messages with each endpoint's status and response, their attempts, and replay. */
/** @import { Attempt, AttemptSummary, Message } from './types.js' */
import * as api from './api.js';
import { errorMessage } from './api.js';
import { announce, byId, el, formatTime, replaceChildren, shortUrl } from './dom.js';
import { state } from './state.js';

/** @type {() => void} */
let onMessagesLoaded = () => {};

/**
 * Runs after every reload of the message list (the endpoint cards' "Send latest message" depends
 * on it); main.js wires it so this module need not import the endpoint cards.
 * @param {() => void} callback
 */
export function whenMessagesLoaded(callback) {
  onMessagesLoaded = callback;
}

export async function refreshMessages() {
  state.messages = await api.listMessages();
  await Promise.all([...state.openAttempts].map(loadAttempts));
  renderMessages();
  onMessagesLoaded();
}

/** @param {string} messageId */
async function loadAttempts(messageId) {
  state.attempts.set(messageId, await api.listAttempts(messageId));
}

/**
 * The endpoint's short URL, or its id once it is gone.
 * @param {string} id
 */
function endpointLabel(id) {
  const endpoint = state.endpoints.find((e) => e.id === id);
  return endpoint ? shortUrl(endpoint.url) : id;
}

/** @param {string} status */
function statusBadge(status) {
  const cls = status === 'succeeded' ? 'badge ok' : status === 'failed' ? 'badge failed' : 'badge pending';
  const text = status === 'succeeded' ? 'Succeeded' : status === 'failed' ? 'Failed' : 'Pending';
  return el('span', { class: cls, text });
}

/** @param {AttemptSummary | null} attempt */
function responseText(attempt) {
  if (!attempt) return 'not attempted yet';
  if (attempt.response_status !== null && attempt.response_status !== undefined) return `HTTP ${attempt.response_status}`;
  return attempt.error ? attempt.error.replace(/_/g, ' ') : '';
}

function renderMessages() {
  const box = byId('messages');
  if (state.messages.length === 0) {
    replaceChildren(box, [el('p', { class: 'empty', text: 'No webhooks have been sent to you yet.' })]);
    return;
  }
  /** @type {HTMLTableRowElement[]} */
  const rows = [];
  for (const message of state.messages) {
    const open = state.openAttempts.has(message.id);
    const cellId = `attempts-${message.id}`;
    rows.push(
      el('tr', { 'data-message-id': message.id }, [
        el('td', {}, [el('span', { class: 'mono', text: message.event_type })]),
        el('td', { class: 'optional' }, [el('span', { class: 'mono', text: message.id })]),
        el('td', { text: formatTime(message.created_at) }),
        el(
          'td',
          {},
          message.deliveries.length === 0
            ? [el('span', { class: 'muted', text: 'No endpoint matched' })]
            : message.deliveries.map((d) =>
                el('div', { class: 'delivery-line', 'data-role': 'delivery' }, [
                  statusBadge(d.status),
                  el('span', { 'data-role': 'response', text: responseText(d.last_attempt) }),
                  el('span', { class: 'muted mono', text: endpointLabel(d.endpoint_id) }),
                ]),
              ),
        ),
        el('td', {}, [
          el('div', { class: 'actions' }, [
            el('button', {
              type: 'button',
              'data-action': 'attempts',
              'aria-expanded': open ? 'true' : 'false',
              'aria-controls': cellId,
              text: open ? 'Hide attempts' : 'Attempts',
              onclick: () => toggleAttempts(message),
            }),
            replayControl(message),
          ]),
        ]),
      ]),
    );
    if (open) rows.push(el('tr', {}, [el('td', { id: cellId, class: 'attempts-cell', colspan: '5' }, [renderAttempts(message)])]));
  }
  replaceChildren(box, [
    el('table', {}, [
      el('caption', { class: 'visually-hidden', text: 'Webhooks sent to you, newest first' }),
      el('thead', {}, [
        el('tr', {}, [
          el('th', { scope: 'col', text: 'Event type' }),
          el('th', { scope: 'col', class: 'optional', text: 'Message' }),
          el('th', { scope: 'col', text: 'Sent' }),
          el('th', { scope: 'col', text: 'Deliveries' }),
          el('th', { scope: 'col', text: 'Actions' }),
        ]),
      ]),
      el('tbody', {}, rows),
    ]),
  ]);
}

/**
 * An endpoint picker and "Send again"; nothing when the recipient has no endpoint.
 * @param {Message} message
 */
function replayControl(message) {
  if (state.endpoints.length === 0) return null;
  const selectId = `replay-${message.id}`;
  const select = el(
    'select',
    { id: selectId, 'data-role': 'replay-endpoint' },
    state.endpoints.map((e) => el('option', { value: e.id, text: shortUrl(e.url) })),
  );
  return el('span', { class: 'actions' }, [
    el('label', { for: selectId, class: 'visually-hidden', text: `Endpoint to send ${message.event_type} to` }),
    select,
    el('button', { type: 'button', 'data-action': 'replay', text: 'Send again', onclick: () => replay(message, select.value) }),
  ]);
}

/** @param {Message} message */
function renderAttempts(message) {
  /** @type {Attempt[] | undefined} */
  const list = state.attempts.get(message.id);
  const payload = el('details', {}, [
    el('summary', { text: 'Payload' }),
    el('pre', {
      class: 'mono',
      text: message.payload === null ? '(purged by the retention policy)' : JSON.stringify(message.payload, null, 2),
    }),
  ]);
  if (!list) return el('p', { class: 'muted', text: 'Loading attempts…' });
  if (list.length === 0) return el('div', {}, [el('p', { class: 'muted', text: 'No attempts yet.' }), payload]);
  return el('div', {}, [
    el('table', { 'data-role': 'attempts' }, [
      el('caption', { class: 'visually-hidden', text: `Delivery attempts of ${message.id}` }),
      el('thead', {}, [
        el(
          'tr',
          {},
          ['Time', 'Endpoint', 'Trigger', 'Result', 'Response', 'Duration'].map((h) => el('th', { scope: 'col', text: h })),
        ),
      ]),
      el(
        'tbody',
        {},
        list.map((a) =>
          el('tr', { 'data-attempt-id': a.id }, [
            el('td', { text: formatTime(a.created_at) }),
            el('td', { class: 'mono', text: endpointLabel(a.endpoint_id) }),
            el('td', { text: a.trigger }),
            el('td', {}, [statusBadge(a.status)]),
            el('td', { 'data-role': 'response', text: responseText(a) }),
            el('td', { text: `${a.duration_ms} ms` }),
          ]),
        ),
      ),
    ]),
    payload,
  ]);
}

/** @param {Message} message */
async function toggleAttempts(message) {
  if (state.openAttempts.has(message.id)) {
    state.openAttempts.delete(message.id);
    renderMessages();
    return;
  }
  state.openAttempts.add(message.id);
  renderMessages();
  try {
    await loadAttempts(message.id);
  } catch (error) {
    announce(errorMessage(error), true);
  }
  renderMessages();
  const button = document.querySelector(`tr[data-message-id="${message.id}"] [data-action="attempts"]`);
  if (button instanceof HTMLElement) button.focus();
}

/**
 * Sends a message again to one endpoint and shows its attempts as they arrive.
 * @param {Message} message
 * @param {string} endpointId
 */
export async function replay(message, endpointId) {
  try {
    await api.replayMessage(message.id, endpointId);
    announce(`Sending ${message.event_type} to ${endpointLabel(endpointId)} again. The result appears under Recent deliveries.`);
    state.openAttempts.add(message.id);
    // the dispatcher sends at once: look again shortly rather than asking the user to refresh
    setTimeout(() => refreshMessages().catch(() => {}), 800);
    setTimeout(() => refreshMessages().catch(() => {}), 3000);
  } catch (error) {
    announce(errorMessage(error), true);
  }
}

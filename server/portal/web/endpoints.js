/**
 * The endpoint cards: secret reveal/copy/rotate, enable/disable, send the latest message, delete
 * (the destructive ones behind a confirmation click). The add/edit form is endpoint-form.js.
 * Imports run one way (main → endpoints → form/messages → api → session): whatever would point
 * back is a callback that main.js wires.
 */
/** @import { Endpoint } from './types.js' */
import * as api from './api.js';
import { errorMessage } from './api.js';
import { announce, byId, el, formatTime, replaceChildren } from './dom.js';
import { openEditor } from './endpoint-form.js';
import { replay } from './messages.js';
import { state } from './state.js';

export async function refreshEndpoints() {
  state.endpoints = await api.listEndpoints();
  renderEndpoints();
}

export function renderEndpoints() {
  const list = byId('endpoints');
  if (state.endpoints.length === 0) {
    replaceChildren(list, [el('p', { class: 'empty', text: 'No endpoints yet. Add one to start receiving webhooks.' })]);
    return;
  }
  replaceChildren(list, [el('ul', { class: 'plain', 'aria-label': 'Endpoints', role: 'list' }, state.endpoints.map(renderEndpoint))]);
}

/**
 * Moves focus to a button of a card after a re-render replaced it.
 * @param {string} endpointId
 * @param {string} action its data-action
 */
export function focusAction(endpointId, action) {
  const card = document.querySelector(`[data-endpoint-id="${endpointId}"]`);
  const button = card?.querySelector(`[data-action="${action}"]`);
  if (button instanceof HTMLElement) button.focus();
}

/**
 * A button that asks for a second click ("Confirm: …" or Cancel) before it runs.
 * @param {Endpoint} endpoint
 * @param {string} action
 * @param {string} label
 * @param {string} confirmLabel
 * @param {() => void} run
 * @returns {HTMLButtonElement[]}
 */
function confirmable(endpoint, action, label, confirmLabel, run) {
  const key = `${endpoint.id}:${action}`;
  if (!state.confirming.has(key)) {
    return [
      el('button', {
        type: 'button',
        'data-action': action,
        text: label,
        onclick: () => {
          state.confirming.add(key);
          renderEndpoints();
          focusAction(endpoint.id, `${action}-confirm`);
        },
      }),
    ];
  }
  return [
    el('button', {
      type: 'button',
      class: 'danger',
      'data-action': `${action}-confirm`,
      text: confirmLabel,
      onclick: () => {
        state.confirming.delete(key);
        run();
      },
    }),
    el('button', {
      type: 'button',
      'data-action': `${action}-cancel`,
      text: 'Cancel',
      onclick: () => {
        state.confirming.delete(key);
        renderEndpoints();
        focusAction(endpoint.id, action);
      },
    }),
  ];
}

/**
 * One line naming the delivery options that differ from the defaults (empty when none do).
 * @param {Endpoint} endpoint
 */
function deliverySummary(endpoint) {
  const parts = [];
  if (endpoint.filter) parts.push('Payload filter');
  if (endpoint.retry_schedule) {
    parts.push(endpoint.retry_schedule.length === 0 ? 'No retries' : `Retries after ${endpoint.retry_schedule.join(', ')}`);
  }
  if (endpoint.timeout) parts.push(`Timeout ${endpoint.timeout}`);
  if (endpoint.auth)
    parts.push(endpoint.auth.type === 'basic' ? 'HTTP Basic auth (password set)' : 'OAuth 2.0 client credentials (secret set)');
  return parts.join(' · ');
}

/** @param {Endpoint} endpoint */
function renderEndpoint(endpoint) {
  const headingId = `endpoint-${endpoint.id}`;
  const types =
    endpoint.event_types.length === 0
      ? [el('li', { class: 'tag', text: 'All event types' })]
      : endpoint.event_types.map((name) => el('li', { class: 'tag mono', text: name }));
  const secret = state.secrets.get(endpoint.id);
  const latest = state.messages[0];
  const options = deliverySummary(endpoint);
  const held = endpoint.held_count ?? 0;
  return el('li', { class: 'card endpoint', 'data-endpoint-id': endpoint.id, 'aria-labelledby': headingId }, [
    el('div', { class: 'endpoint-head' }, [
      el('div', {}, [
        el('h3', { id: headingId, class: 'mono', tabindex: '-1', text: endpoint.url }),
        endpoint.description ? el('p', { class: 'endpoint-meta', text: endpoint.description }) : null,
        el('p', { class: 'endpoint-meta', text: `Created ${formatTime(endpoint.created_at)}` }),
      ]),
      el('div', { class: 'badges' }, [
        el('span', { class: endpoint.disabled ? 'badge failed' : 'badge ok', text: endpoint.disabled ? 'Disabled' : 'Enabled' }),
        held > 0
          ? el('span', {
              class: 'badge pending',
              'data-role': 'held-count',
              title: 'Deliveries kept while the endpoint is disabled; enabling it sends them.',
              text: `${held} held`,
            })
          : null,
      ]),
    ]),
    el('ul', { class: 'tags', 'aria-label': 'Event types' }, types),
    options ? el('p', { class: 'endpoint-meta', 'data-role': 'delivery-options', text: options }) : null,
    secret
      ? el('div', { class: 'secret', 'data-role': 'secret' }, [
          el('span', { class: 'visually-hidden', text: 'Signing secret:' }),
          el('code', { 'data-role': 'secret-value', text: secret }),
          el('button', { type: 'button', 'data-action': 'copy-secret', text: 'Copy', onclick: () => copySecret(secret) }),
          el('button', {
            type: 'button',
            'data-action': 'hide-secret',
            text: 'Hide',
            onclick: () => {
              state.secrets.delete(endpoint.id);
              renderEndpoints();
              focusAction(endpoint.id, 'reveal-secret');
            },
          }),
        ])
      : null,
    el('div', { class: 'actions' }, [
      el('button', {
        type: 'button',
        'data-action': 'edit',
        text: 'Edit',
        'aria-describedby': headingId,
        onclick: () => openEditor(endpoint),
      }),
      secret
        ? null
        : el('button', {
            type: 'button',
            'data-action': 'reveal-secret',
            text: 'Reveal secret',
            'aria-describedby': headingId,
            onclick: () => revealSecret(endpoint),
          }),
      ...confirmable(endpoint, 'rotate-secret', 'Rotate secret', 'Confirm: rotate secret', () => rotateSecret(endpoint)),
      el('button', {
        type: 'button',
        'data-action': 'toggle',
        text: endpoint.disabled ? 'Enable' : 'Disable',
        onclick: () => toggleEndpoint(endpoint),
      }),
      el('button', {
        type: 'button',
        'data-action': 'send-test',
        text: 'Send latest message',
        disabled: !latest,
        title: latest ? null : 'No message has been sent to you yet',
        onclick: () => {
          const newest = state.messages[0];
          if (newest) replay(newest, endpoint.id);
        },
      }),
      ...confirmable(endpoint, 'delete', 'Delete', 'Confirm: delete endpoint', () => deleteEndpoint(endpoint)),
    ]),
  ]);
}

/** @param {Endpoint} endpoint */
async function revealSecret(endpoint) {
  try {
    state.secrets.set(endpoint.id, await api.getSecret(endpoint.id));
    renderEndpoints();
    focusAction(endpoint.id, 'copy-secret');
  } catch (error) {
    announce(errorMessage(error), true);
  }
}

/** @param {Endpoint} endpoint */
async function rotateSecret(endpoint) {
  try {
    state.secrets.set(endpoint.id, await api.rotateSecret(endpoint.id));
    renderEndpoints();
    announce('Secret rotated. The previous secret keeps signing deliveries for 24 hours.');
    focusAction(endpoint.id, 'copy-secret');
  } catch (error) {
    announce(errorMessage(error), true);
    renderEndpoints();
  }
}

/** @param {string} secret */
async function copySecret(secret) {
  try {
    await navigator.clipboard.writeText(secret);
    announce('Secret copied to the clipboard.');
  } catch {
    announce('Copying is not allowed here; select the secret and copy it by hand.', true);
  }
}

/** @param {Endpoint} endpoint */
async function toggleEndpoint(endpoint) {
  try {
    await api.updateEndpoint(endpoint.id, { disabled: !endpoint.disabled });
    await refreshEndpoints();
    announce(endpoint.disabled ? 'Endpoint enabled.' : 'Endpoint disabled.');
    focusAction(endpoint.id, 'toggle');
  } catch (error) {
    announce(errorMessage(error), true);
  }
}

/** @param {Endpoint} endpoint */
async function deleteEndpoint(endpoint) {
  try {
    await api.deleteEndpoint(endpoint.id);
    state.secrets.delete(endpoint.id);
    await refreshEndpoints();
    announce('Endpoint deleted.');
    byId('add-endpoint').focus();
  } catch (error) {
    announce(errorMessage(error), true);
    renderEndpoints();
  }
}

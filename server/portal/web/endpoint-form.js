/** The add/edit endpoint form: URL, description, the event types to subscribe to and the delivery options. */
/** @import { Endpoint, EndpointChanges, Problem } from './types.js' */
import * as api from './api.js';
import { ApiError, errorMessage } from './api.js';
import { announce, byId, el, replaceChildren } from './dom.js';
import { bindDeliveryOptions, fillDeliveryOptions, OPTION_FIELDS, readDeliveryOptions } from './endpoint-options.js';
import { state } from './state.js';

/** @type {() => Promise<void>} */
let reloadEndpoints = async () => {};

/**
 * Wires the form and its "Add endpoint" button (main.js calls this once the page has a token).
 * @param {() => Promise<void>} reload re-reads and re-renders the endpoint list after a save
 */
export function bindEndpointForm(reload) {
  reloadEndpoints = reload;
  byId('add-endpoint').addEventListener('click', () => openEditor(null));
  byId('endpoint-cancel').addEventListener('click', closeEditor);
  const form = byId('endpoint-form', HTMLFormElement);
  form.addEventListener('submit', submitEndpoint);
  bindDeliveryOptions();
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeEditor();
  });
}

/**
 * Opens the form empty (add) or filled in from an endpoint (edit), and focuses the URL field.
 * @param {Endpoint | null} endpoint
 */
export function openEditor(endpoint) {
  state.editing = endpoint ? endpoint.id : null;
  byId('editor-title').textContent = endpoint ? 'Edit endpoint' : 'Add endpoint';
  byId('endpoint-submit').textContent = endpoint ? 'Save changes' : 'Create endpoint';
  byId('endpoint-url', HTMLInputElement).value = endpoint ? endpoint.url : '';
  byId('endpoint-description', HTMLInputElement).value = endpoint?.description ?? '';
  const chosen = endpoint ? endpoint.event_types : [];
  const options = state.eventTypes.map((type, index) => {
    const id = `event-type-${index}`;
    return el('label', { for: id }, [
      el('input', { type: 'checkbox', id, name: 'event_types', value: type.name, checked: chosen.includes(type.name) }),
      el('span', { class: 'mono', text: type.name }),
    ]);
  });
  replaceChildren(
    byId('event-type-options'),
    options.length ? options : [el('p', { class: 'help', text: 'This service has not published any event types yet.' })],
  );
  fillDeliveryOptions(endpoint);
  setFormError(null);
  byId('editor').hidden = false;
  byId('endpoint-url').focus();
}

function closeEditor() {
  state.editing = null;
  byId('editor').hidden = true;
  byId('add-endpoint').focus();
}

/**
 * Shows the problem under the form and marks the fields it names invalid (the URL, or a delivery option).
 * @param {Problem | null} problem
 */
function setFormError(problem) {
  const node = byId('form-error');
  const url = byId('endpoint-url');
  url.removeAttribute('aria-invalid');
  for (const id of Object.values(OPTION_FIELDS)) byId(id).removeAttribute('aria-invalid');
  if (!problem) {
    node.hidden = true;
    node.textContent = '';
    return;
  }
  node.hidden = false;
  node.textContent = problem.message;
  if (problem.code === 'destination_invalid' || problem.details.some((detail) => detail.path === '/url')) {
    url.setAttribute('aria-invalid', 'true');
  }
  for (const [pointer, id] of Object.entries(OPTION_FIELDS)) {
    if (problem.details.some((detail) => detail.path === pointer || detail.path.startsWith(`${pointer}/`))) {
      byId(id).setAttribute('aria-invalid', 'true');
      byId('delivery-options', HTMLDetailsElement).open = true;
    }
  }
}

/** @param {SubmitEvent} event */
async function submitEndpoint(event) {
  event.preventDefault();
  const url = byId('endpoint-url', HTMLInputElement).value.trim();
  const description = byId('endpoint-description', HTMLInputElement).value.trim();
  /** @type {NodeListOf<HTMLInputElement>} */
  const checked = document.querySelectorAll('#event-type-options input:checked');
  const types = Array.from(checked, (box) => box.value);
  if (!url) {
    setFormError({ message: 'Enter the URL that should receive webhooks.', details: [{ path: '/url' }] });
    byId('endpoint-url').focus();
    return;
  }
  const editing = state.editing;
  const options = readDeliveryOptions(state.endpoints.find((endpoint) => endpoint.id === editing) ?? null);
  if ('problem' in options) {
    setFormError(options.problem);
    return;
  }
  const submit = byId('endpoint-submit', HTMLButtonElement);
  submit.disabled = true;
  try {
    /** @type {Endpoint} */
    let saved;
    if (editing) {
      saved = await api.updateEndpoint(editing, { url, description: description || null, event_types: types, ...options.changes });
    } else {
      /** @type {EndpointChanges & { url: string }} */
      const body = { url, event_types: types, ...options.changes };
      if (description) body.description = description;
      saved = await api.createEndpoint(body);
      // the create answer carries the new secret: show it right away
      if (saved.secret) state.secrets.set(saved.id, saved.secret);
    }
    byId('editor').hidden = true;
    state.editing = null;
    await reloadEndpoints();
    announce(editing ? 'Endpoint saved.' : 'Endpoint created. Its signing secret is shown below.');
    document.getElementById(`endpoint-${saved.id}`)?.focus();
  } catch (error) {
    setFormError(error instanceof ApiError ? error : { message: errorMessage(error), details: [] });
    byId('endpoint-url').focus();
  } finally {
    submit.disabled = false;
  }
}

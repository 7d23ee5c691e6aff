/**
 * Portal script, endpoints: the list with secret reveal/rotate, enable/disable, delete, and the add/edit form.
 * Part of /portal/assets/portal.js (see portal-js.ts). Rules: no backticks or dollar-brace
 * sequences (this is a template literal); build the DOM with textContent only, never innerHTML
 * (URLs, descriptions and payloads come from users).
 */
export const PORTAL_JS_ENDPOINTS = String.raw`
/* ---- endpoints ---- */

function renderEndpoints() {
  var list = $('endpoints');
  if (state.endpoints.length === 0) {
    replaceChildren(list, [el('p', { class: 'empty', text: 'No endpoints yet. Add one to start receiving webhooks.' })]);
    return;
  }
  replaceChildren(list, [el('ul', { class: 'plain', 'aria-label': 'Endpoints', role: 'list' }, state.endpoints.map(renderEndpoint))]);
}

function confirmable(endpoint, action, label, confirmLabel, run) {
  var key = endpoint.id + ':' + action;
  if (!state.confirming[key]) {
    return [el('button', { type: 'button', 'data-action': action, text: label, onclick: function () {
      state.confirming[key] = true; renderEndpoints(); focusAction(endpoint.id, action + '-confirm');
    } })];
  }
  return [
    el('button', { type: 'button', class: 'danger', 'data-action': action + '-confirm', text: confirmLabel, onclick: function () {
      delete state.confirming[key]; run();
    } }),
    el('button', { type: 'button', 'data-action': action + '-cancel', text: 'Cancel', onclick: function () {
      delete state.confirming[key]; renderEndpoints(); focusAction(endpoint.id, action);
    } }),
  ];
}

function focusAction(endpointId, action) {
  var card = document.querySelector('[data-endpoint-id="' + endpointId + '"]');
  var button = card && card.querySelector('[data-action="' + action + '"]');
  if (button) button.focus();
}

function renderEndpoint(endpoint) {
  var headingId = 'endpoint-' + endpoint.id;
  var types = endpoint.event_types.length === 0
    ? [el('li', { class: 'tag', text: 'All event types' })]
    : endpoint.event_types.map(function (name) { return el('li', { class: 'tag mono', text: name }); });
  var secret = state.secrets[endpoint.id];
  return el('li', { class: 'card endpoint', 'data-endpoint-id': endpoint.id, 'aria-labelledby': headingId }, [
    el('div', { class: 'endpoint-head' }, [
      el('div', {}, [
        el('h3', { id: headingId, class: 'mono', tabindex: '-1', text: endpoint.url }),
        endpoint.description ? el('p', { class: 'endpoint-meta', text: endpoint.description }) : null,
        el('p', { class: 'endpoint-meta', text: 'Created ' + formatTime(endpoint.created_at) }),
      ]),
      el('span', { class: endpoint.disabled ? 'badge failed' : 'badge ok', text: endpoint.disabled ? 'Disabled' : 'Enabled' }),
    ]),
    el('ul', { class: 'tags', 'aria-label': 'Event types' }, types),
    secret ? el('div', { class: 'secret', 'data-role': 'secret' }, [
      el('span', { class: 'visually-hidden', text: 'Signing secret:' }),
      el('code', { 'data-role': 'secret-value', text: secret }),
      el('button', { type: 'button', 'data-action': 'copy-secret', text: 'Copy', onclick: function () { copySecret(secret); } }),
      el('button', { type: 'button', 'data-action': 'hide-secret', text: 'Hide', onclick: function () {
        delete state.secrets[endpoint.id]; renderEndpoints(); focusAction(endpoint.id, 'reveal-secret');
      } }),
    ]) : null,
    el('div', { class: 'actions' }, [
      el('button', { type: 'button', 'data-action': 'edit', text: 'Edit', 'aria-describedby': headingId, onclick: function () { openEditor(endpoint); } }),
      secret ? null : el('button', { type: 'button', 'data-action': 'reveal-secret', text: 'Reveal secret', 'aria-describedby': headingId, onclick: function () { revealSecret(endpoint); } }),
    ].concat(
      confirmable(endpoint, 'rotate-secret', 'Rotate secret', 'Confirm: rotate secret', function () { rotateSecret(endpoint); }),
      [el('button', { type: 'button', 'data-action': 'toggle', text: endpoint.disabled ? 'Enable' : 'Disable', onclick: function () { toggleEndpoint(endpoint); } })],
      [el('button', { type: 'button', 'data-action': 'send-test', text: 'Send latest message', disabled: state.messages.length === 0,
        title: state.messages.length === 0 ? 'No message has been sent to you yet' : null,
        onclick: function () { replay(state.messages[0], endpoint.id); } })],
      confirmable(endpoint, 'delete', 'Delete', 'Confirm: delete endpoint', function () { deleteEndpoint(endpoint); })
    )),
  ]);
}

async function refreshEndpoints() {
  state.endpoints = await listAll('/endpoints');
  renderEndpoints();
}

async function revealSecret(endpoint) {
  try {
    state.secrets[endpoint.id] = (await api('GET', '/endpoints/' + endpoint.id + '/secret')).data.secret;
    renderEndpoints();
    focusAction(endpoint.id, 'copy-secret');
  } catch (error) { announce(error.message, true); }
}

async function rotateSecret(endpoint) {
  try {
    state.secrets[endpoint.id] = (await api('POST', '/endpoints/' + endpoint.id + '/rotate-secret', {})).data.secret;
    renderEndpoints();
    announce('Secret rotated. The previous secret keeps signing deliveries for 24 hours.');
    focusAction(endpoint.id, 'copy-secret');
  } catch (error) { announce(error.message, true); renderEndpoints(); }
}

async function copySecret(secret) {
  try { await navigator.clipboard.writeText(secret); announce('Secret copied to the clipboard.'); }
  catch (e) { announce('Copying is not allowed here; select the secret and copy it by hand.', true); }
}

async function toggleEndpoint(endpoint) {
  try {
    await api('PATCH', '/endpoints/' + endpoint.id, { disabled: !endpoint.disabled });
    await refreshEndpoints();
    announce(endpoint.disabled ? 'Endpoint enabled.' : 'Endpoint disabled.');
    focusAction(endpoint.id, 'toggle');
  } catch (error) { announce(error.message, true); }
}

async function deleteEndpoint(endpoint) {
  try {
    await api('DELETE', '/endpoints/' + endpoint.id);
    delete state.secrets[endpoint.id];
    await refreshEndpoints();
    announce('Endpoint deleted.');
    $('add-endpoint').focus();
  } catch (error) { announce(error.message, true); renderEndpoints(); }
}

/* ---- the add/edit form ---- */

function openEditor(endpoint) {
  state.editing = endpoint ? endpoint.id : null;
  $('editor-title').textContent = endpoint ? 'Edit endpoint' : 'Add endpoint';
  $('endpoint-submit').textContent = endpoint ? 'Save changes' : 'Create endpoint';
  $('endpoint-url').value = endpoint ? endpoint.url : '';
  $('endpoint-description').value = endpoint && endpoint.description ? endpoint.description : '';
  var chosen = endpoint ? endpoint.event_types : [];
  var options = state.eventTypes.map(function (type, index) {
    var id = 'event-type-' + index;
    return el('label', { for: id }, [
      el('input', { type: 'checkbox', id: id, name: 'event_types', value: type.name, checked: chosen.indexOf(type.name) >= 0 }),
      el('span', { class: 'mono', text: type.name }),
    ]);
  });
  replaceChildren($('event-type-options'), options.length ? options : [el('p', { class: 'help', text: 'This service has not published any event types yet.' })]);
  setFormError(null);
  $('editor').hidden = false;
  $('endpoint-url').focus();
}

function closeEditor() {
  state.editing = null;
  $('editor').hidden = true;
  $('add-endpoint').focus();
}

function setFormError(error) {
  var node = $('form-error');
  $('endpoint-url').removeAttribute('aria-invalid');
  if (!error) { node.hidden = true; node.textContent = ''; return; }
  node.hidden = false;
  node.textContent = error.message;
  if (error.code === 'destination_invalid' || error.details.some(function (d) { return d.path === '/url'; })) {
    $('endpoint-url').setAttribute('aria-invalid', 'true');
  }
}

async function submitEndpoint(event) {
  event.preventDefault();
  var url = $('endpoint-url').value.trim();
  var description = $('endpoint-description').value.trim();
  var types = Array.prototype.slice.call(document.querySelectorAll('#event-type-options input:checked')).map(function (box) { return box.value; });
  if (!url) {
    setFormError({ message: 'Enter the URL that should receive webhooks.', details: [{ path: '/url' }] });
    $('endpoint-url').focus();
    return;
  }
  var submit = $('endpoint-submit');
  submit.disabled = true;
  try {
    var editing = state.editing;
    var saved;
    if (editing) {
      saved = (await api('PATCH', '/endpoints/' + editing, { url: url, description: description || null, event_types: types })).data;
    } else {
      var body = { url: url, event_types: types };
      if (description) body.description = description;
      saved = (await api('POST', '/endpoints', body)).data;
      // the create response carries the new secret: show it right away
      if (saved.secret) state.secrets[saved.id] = saved.secret;
    }
    $('editor').hidden = true;
    state.editing = null;
    await refreshEndpoints();
    announce(editing ? 'Endpoint saved.' : 'Endpoint created. Its signing secret is shown below.');
    var heading = $('endpoint-' + saved.id);
    if (heading) heading.focus();
  } catch (error) {
    setFormError(error);
    $('endpoint-url').focus();
  } finally {
    submit.disabled = false;
  }
}
`;

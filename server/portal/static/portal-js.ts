/**
 * The portal page's script, served as /portal/assets/portal.js. Plain browser JavaScript kept in a
 * TypeScript string so `tsc` ships it inside dist/ with no asset-copy step. Rules for editing it:
 * no backticks or dollar-brace sequences (this is a template literal), build DOM with
 * textContent only (never innerHTML: URLs, descriptions and payloads come from users).
 */
export const PORTAL_JS = String.raw`
'use strict';

var TOKEN_KEY = 'dispatch.portal.token';
var API = 'api/v1/portal';
var MESSAGE_PAGE = 20;

var state = {
  token: null, session: null, expired: false,
  endpoints: [], eventTypes: [], messages: [],
  editing: null, secrets: {}, confirming: {}, openAttempts: {}, attempts: {},
};

/* ---- token: read once from ?token=, then kept only in sessionStorage ---- */

function takeToken() {
  var params = new URLSearchParams(window.location.search);
  var fromUrl = params.get('token');
  if (fromUrl) {
    try { window.sessionStorage.setItem(TOKEN_KEY, fromUrl); } catch (e) { /* storage disabled: keep it in memory */ }
    params.delete('token');
    var rest = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
    return fromUrl;
  }
  try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}

/* ---- small DOM helpers ---- */

function $(id) { return document.getElementById(id); }

function el(tag, props, children) {
  var node = document.createElement(tag);
  Object.keys(props || {}).forEach(function (key) {
    var value = props[key];
    if (value === undefined || value === null || value === false) return;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  });
  (children || []).forEach(function (child) {
    if (child !== null && child !== undefined && child !== false) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  });
  return node;
}

function replaceChildren(node, children) {
  while (node.firstChild) node.removeChild(node.firstChild);
  children.forEach(function (child) { if (child) node.appendChild(child); });
}

function announce(text, isError) {
  var status = $('status');
  status.className = isError ? 'status error' : 'status';
  status.textContent = text;
}

function formatTime(iso) { return iso ? new Date(iso).toLocaleString() : ''; }

function shortUrl(url) {
  try { var u = new URL(url); return u.host + (u.pathname === '/' ? '' : u.pathname); } catch (e) { return url; }
}

function endpointLabel(id) {
  var endpoint = state.endpoints.find(function (e) { return e.id === id; });
  return endpoint ? shortUrl(endpoint.url) : id;
}

/* ---- API ---- */

function ApiError(status, body) {
  this.status = status;
  this.code = body && body.error;
  this.details = (body && body.details) || [];
  this.message = (body && body.message) || ('Request failed with HTTP ' + status + '.');
}

async function api(method, path, body) {
  if (state.expired) throw new ApiError(401, { error: 'unauthorized', message: 'This session has expired.' });
  var headers = { authorization: 'Bearer ' + state.token };
  if (body !== undefined) headers['content-type'] = 'application/json';
  var response = await fetch(API + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
  var json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  if (response.status === 401) {
    showGate('This link has expired', 'Portal links are valid for a limited time. Ask the service that sent you this link for a new one.');
  }
  if (!response.ok || !json || json.ok !== true) throw new ApiError(response.status, json);
  return json;
}

async function listAll(path) {
  var items = [];
  var cursor = null;
  do {
    var page = await api('GET', path + '?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    items = items.concat(page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/* ---- session and expiry ---- */

function showGate(title, text) {
  state.expired = true;
  $('gate-title').textContent = title;
  $('gate-text').textContent = text;
  $('gate').hidden = false;
  $('portal').hidden = true;
  $('loading').hidden = true;
  renderExpiry();
}

function renderExpiry() {
  var node = $('expiry');
  if (!state.session) { node.hidden = true; return; }
  var left = Date.parse(state.session.expires_at) - Date.now();
  node.hidden = false;
  if (left <= 0 || state.expired) {
    node.textContent = 'Session expired';
    node.className = 'expiry soon';
    if (!state.expired) showGate('This session has expired', 'Ask the service that sent you this link for a new one.');
    return;
  }
  var minutes = Math.ceil(left / 60000);
  var span = minutes < 120 ? minutes + ' min' : minutes < 2880 ? Math.round(minutes / 60) + ' h' : Math.round(minutes / 1440) + ' days';
  node.textContent = 'Session expires ' + formatTime(state.session.expires_at) + ' (in ' + span + ')';
  node.className = minutes <= 5 ? 'expiry soon' : 'expiry';
}

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

/* ---- messages, attempts and replay ---- */

function statusBadge(status) {
  var cls = status === 'succeeded' ? 'badge ok' : status === 'failed' ? 'badge failed' : 'badge pending';
  var text = status === 'succeeded' ? 'Succeeded' : status === 'failed' ? 'Failed' : 'Pending';
  return el('span', { class: cls, text: text });
}

function responseText(attempt) {
  if (!attempt) return 'not attempted yet';
  if (attempt.response_status !== null && attempt.response_status !== undefined) return 'HTTP ' + attempt.response_status;
  return attempt.error ? attempt.error.replace(/_/g, ' ') : '';
}

function renderMessages() {
  var box = $('messages');
  if (state.messages.length === 0) {
    replaceChildren(box, [el('p', { class: 'empty', text: 'No webhooks have been sent to you yet.' })]);
    return;
  }
  var rows = [];
  state.messages.forEach(function (message) {
    var open = !!state.openAttempts[message.id];
    var cellId = 'attempts-' + message.id;
    rows.push(el('tr', { 'data-message-id': message.id }, [
      el('td', {}, [el('span', { class: 'mono', text: message.event_type })]),
      el('td', { class: 'optional' }, [el('span', { class: 'mono', text: message.id })]),
      el('td', { text: formatTime(message.created_at) }),
      el('td', {}, message.deliveries.length === 0 ? [el('span', { class: 'muted', text: 'No endpoint matched' })] : message.deliveries.map(function (d) {
        return el('div', { class: 'delivery-line', 'data-role': 'delivery' }, [
          statusBadge(d.status),
          el('span', { 'data-role': 'response', text: responseText(d.last_attempt) }),
          el('span', { class: 'muted mono', text: endpointLabel(d.endpoint_id) }),
        ]);
      })),
      el('td', {}, [
        el('div', { class: 'actions' }, [
          el('button', { type: 'button', 'data-action': 'attempts', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': cellId,
            text: open ? 'Hide attempts' : 'Attempts', onclick: function () { toggleAttempts(message); } }),
          replayControl(message),
        ]),
      ]),
    ]));
    if (open) rows.push(el('tr', {}, [el('td', { id: cellId, class: 'attempts-cell', colspan: '5' }, [renderAttempts(message)])]));
  });
  replaceChildren(box, [el('table', {}, [
    el('caption', { class: 'visually-hidden', text: 'Webhooks sent to you, newest first' }),
    el('thead', {}, [el('tr', {}, [
      el('th', { scope: 'col', text: 'Event type' }), el('th', { scope: 'col', class: 'optional', text: 'Message' }),
      el('th', { scope: 'col', text: 'Sent' }), el('th', { scope: 'col', text: 'Deliveries' }), el('th', { scope: 'col', text: 'Actions' }),
    ])]),
    el('tbody', {}, rows),
  ])]);
}

function replayControl(message) {
  if (state.endpoints.length === 0) return null;
  var selectId = 'replay-' + message.id;
  var select = el('select', { id: selectId, 'data-role': 'replay-endpoint' }, state.endpoints.map(function (e) {
    return el('option', { value: e.id, text: shortUrl(e.url) });
  }));
  return el('span', { class: 'actions' }, [
    el('label', { for: selectId, class: 'visually-hidden', text: 'Endpoint to send ' + message.event_type + ' to' }),
    select,
    el('button', { type: 'button', 'data-action': 'replay', text: 'Send again', onclick: function () { replay(message, select.value); } }),
  ]);
}

function renderAttempts(message) {
  var list = state.attempts[message.id];
  var payload = el('details', {}, [el('summary', { text: 'Payload' }), el('pre', { class: 'mono', text: message.payload === null ? '(purged by the retention policy)' : JSON.stringify(message.payload, null, 2) })]);
  if (!list) return el('p', { class: 'muted', text: 'Loading attempts…' });
  if (list.length === 0) return el('div', {}, [el('p', { class: 'muted', text: 'No attempts yet.' }), payload]);
  return el('div', {}, [el('table', { 'data-role': 'attempts' }, [
    el('caption', { class: 'visually-hidden', text: 'Delivery attempts of ' + message.id }),
    el('thead', {}, [el('tr', {}, ['Time', 'Endpoint', 'Trigger', 'Result', 'Response', 'Duration'].map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
    el('tbody', {}, list.map(function (a) {
      return el('tr', { 'data-attempt-id': a.id }, [
        el('td', { text: formatTime(a.created_at) }),
        el('td', { class: 'mono', text: endpointLabel(a.endpoint_id) }),
        el('td', { text: a.trigger }),
        el('td', {}, [statusBadge(a.status)]),
        el('td', { 'data-role': 'response', text: responseText(a) }),
        el('td', { text: a.duration_ms + ' ms' }),
      ]);
    })),
  ]), payload]);
}

async function refreshMessages() {
  state.messages = (await api('GET', '/messages?limit=' + MESSAGE_PAGE)).data;
  await Promise.all(Object.keys(state.openAttempts).map(loadAttempts));
  renderMessages();
  renderEndpoints();
}

async function loadAttempts(messageId) {
  state.attempts[messageId] = (await api('GET', '/messages/' + messageId + '/attempts?limit=100')).data;
}

async function toggleAttempts(message) {
  if (state.openAttempts[message.id]) {
    delete state.openAttempts[message.id];
    renderMessages();
    return;
  }
  state.openAttempts[message.id] = true;
  renderMessages();
  try { await loadAttempts(message.id); } catch (error) { announce(error.message, true); }
  renderMessages();
  var button = document.querySelector('tr[data-message-id="' + message.id + '"] [data-action="attempts"]');
  if (button) button.focus();
}

async function replay(message, endpointId) {
  if (!message) return;
  try {
    await api('POST', '/messages/' + message.id + '/replay', { endpoint_id: endpointId });
    announce('Sending ' + message.event_type + ' to ' + endpointLabel(endpointId) + ' again. The result appears under Recent deliveries.');
    state.openAttempts[message.id] = true;
    // the dispatcher sends at once; look again shortly rather than asking the user to refresh
    setTimeout(function () { refreshMessages().catch(function () {}); }, 800);
    setTimeout(function () { refreshMessages().catch(function () {}); }, 3000);
  } catch (error) { announce(error.message, true); }
}

/* ---- start ---- */

async function start() {
  state.token = takeToken();
  if (!state.token) {
    showGate('No portal link', 'Open this page with the link you were given; it carries your access token.');
    return;
  }
  $('add-endpoint').addEventListener('click', function () { openEditor(null); });
  $('endpoint-cancel').addEventListener('click', closeEditor);
  $('endpoint-form').addEventListener('submit', submitEndpoint);
  $('endpoint-form').addEventListener('keydown', function (event) { if (event.key === 'Escape') closeEditor(); });
  $('refresh-messages').addEventListener('click', function () {
    refreshMessages().then(function () { announce('Deliveries refreshed.'); }, function (error) { announce(error.message, true); });
  });
  try {
    state.session = (await api('GET', '/session')).data;
    var who = state.session.recipient.name || state.session.recipient.uid || state.session.recipient.id;
    $('subtitle').textContent = state.session.app.name + ' · ' + who;
    document.title = 'Webhook settings · ' + state.session.app.name;
    renderExpiry();
    setInterval(renderExpiry, 15000);
    state.eventTypes = await listAll('/event-types');
    await refreshEndpoints();
    await refreshMessages();
    $('loading').hidden = true;
    $('portal').hidden = false;
  } catch (error) {
    if (!state.expired) { $('loading').hidden = true; announce(error.message, true); }
  }
}

start();
`;

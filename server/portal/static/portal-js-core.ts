/**
 * Portal script, core: the token hand-off, DOM helpers, the API client, session expiry and start-up.
 * Part of /portal/assets/portal.js (see portal-js.ts). Rules: no backticks or dollar-brace
 * sequences (this is a template literal); build the DOM with textContent only, never innerHTML
 * (URLs, descriptions and payloads come from users).
 */
export const PORTAL_JS_CORE = String.raw`
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
`;

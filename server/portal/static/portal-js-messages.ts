/**
 * Portal script, deliveries: recent messages with per-endpoint status and response code, attempts, replay.
 * Part of /portal/assets/portal.js (see portal-js.ts). Rules: no backticks or dollar-brace
 * sequences (this is a template literal); build the DOM with textContent only, never innerHTML
 * (URLs, descriptions and payloads come from users).
 */
export const PORTAL_JS_MESSAGES = String.raw`
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
`;

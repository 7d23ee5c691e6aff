/**
 * The portal page's entry module (served as /portal/assets/main.js, loaded by portal.html with
 * <script type="module">): takes the token, wires the controls, loads the session, event types,
 * endpoints and deliveries. The modules are plain ES modules typed with JSDoc and checked by
 * `tsc -p tsconfig.web.json` against the DOM lib, so the file served is the file written.
 */
import * as api from './api.js';
import { errorMessage } from './api.js';
import { announce, byId } from './dom.js';
import { bindEndpointForm } from './endpoint-form.js';
import { refreshEndpoints, renderEndpoints } from './endpoints.js';
import { refreshMessages, whenMessagesLoaded } from './messages.js';
import { renderExpiry, showGate, takeToken } from './session.js';
import { state } from './state.js';

async function start() {
  state.token = takeToken();
  if (!state.token) {
    showGate('No portal link', 'Open this page with the link you were given; it carries your access token.');
    return;
  }
  bindEndpointForm(refreshEndpoints);
  whenMessagesLoaded(renderEndpoints);
  byId('refresh-messages').addEventListener('click', () => {
    refreshMessages().then(
      () => announce('Deliveries refreshed.'),
      (error) => announce(errorMessage(error), true),
    );
  });
  try {
    const session = await api.getSession();
    state.session = session;
    const who = session.recipient.name || session.recipient.uid || session.recipient.id;
    byId('subtitle').textContent = `${session.app.name} · ${who}`;
    document.title = `Webhook settings · ${session.app.name}`;
    renderExpiry();
    setInterval(renderExpiry, 15000);
    state.eventTypes = await api.listEventTypes();
    await refreshEndpoints();
    await refreshMessages();
    byId('loading').hidden = true;
    byId('portal').hidden = false;
  } catch (error) {
    if (!state.expired) {
      byId('loading').hidden = true;
      announce(errorMessage(error), true);
    }
  }
}

start();

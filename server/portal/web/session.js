/** The portal token hand-off and the session's expiry: the notice that replaces the page once it ends. */
import { byId, formatTime } from './dom.js';
import { state, TOKEN_KEY } from './state.js';

/**
 * The token, read once from ?token= and then kept only in sessionStorage: it leaves the address
 * bar (and so the history, bookmarks and shared screenshots) as soon as the page loads.
 * @returns {string | null}
 */
export function takeToken() {
  const params = new URLSearchParams(window.location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage disabled: the token lives in memory for this page only
    }
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : '') + window.location.hash);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * Replaces the controls with a notice; the page makes no further API call.
 * @param {string} title
 * @param {string} text
 */
export function showGate(title, text) {
  state.expired = true;
  byId('gate-title').textContent = title;
  byId('gate-text').textContent = text;
  byId('gate').hidden = false;
  byId('portal').hidden = true;
  byId('loading').hidden = true;
  renderExpiry();
}

/** The "Session expires … (in …)" badge; runs every 15 s and closes the page when the time is up. */
export function renderExpiry() {
  const node = byId('expiry');
  if (!state.session) {
    node.hidden = true;
    return;
  }
  const left = Date.parse(state.session.expires_at) - Date.now();
  node.hidden = false;
  if (left <= 0 || state.expired) {
    node.textContent = 'Session expired';
    node.className = 'expiry soon';
    if (!state.expired) showGate('This session has expired', 'Ask the service that sent you this link for a new one.');
    return;
  }
  const minutes = Math.ceil(left / 60000);
  const span = minutes < 120 ? `${minutes} min` : minutes < 2880 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} days`;
  node.textContent = `Session expires ${formatTime(state.session.expires_at)} (in ${span})`;
  node.className = minutes <= 5 ? 'expiry soon' : 'expiry';
}

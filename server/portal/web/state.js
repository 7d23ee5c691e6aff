/** @import { PortalState } from './types.js' */

/** sessionStorage key of the portal token once it left the address bar */
export const TOKEN_KEY = 'dispatch.portal.token';
/** relative, so the page also works when Dispatch is served below a path prefix */
export const API = 'api/v1/portal';
export const MESSAGE_PAGE = 20;

/**
 * Everything the page knows, shared by its modules: actions update it, then re-render from it.
 * @type {PortalState}
 */
export const state = {
  token: null,
  session: null,
  expired: false,
  endpoints: [],
  eventTypes: [],
  messages: [],
  editing: null,
  secrets: new Map(),
  confirming: new Set(),
  openAttempts: new Set(),
  attempts: new Map(),
};

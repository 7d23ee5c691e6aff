import { PORTAL_JS_CORE } from './portal-js-core.js';
import { PORTAL_JS_ENDPOINTS } from './portal-js-endpoints.js';
import { PORTAL_JS_MESSAGES } from './portal-js-messages.js';

/**
 * The portal page's script, served as /portal/assets/portal.js: plain browser JavaScript kept in
 * TypeScript strings so `tsc` ships it inside dist/ with no asset-copy or bundling step. It is
 * one script with one scope: the parts only declare, and start() runs once every part is in.
 */
export const PORTAL_JS = [PORTAL_JS_CORE, PORTAL_JS_ENDPOINTS, PORTAL_JS_MESSAGES, 'start();'].join('\n\n') + '\n';

import { standardWebhooksVerifier, type StandardWebhooksConfig } from './standard-webhooks.js';
import type { Verifier } from './support.js';

/**
 * Svix: the same scheme as Standard Webhooks (Svix wrote it), under the name Svix users look for;
 * `svix-*` and `webhook-*` headers are both accepted.
 */
export const svixVerifier: Readonly<Verifier<StandardWebhooksConfig>> = { ...standardWebhooksVerifier, type: 'svix' };

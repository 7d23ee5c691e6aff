import { VERIFIED, type Verifier } from './support.js';

/** No verification: every request is accepted and stored with verified=false. */
export const noneVerifier: Verifier<Record<string, never>> = {
  type: 'none',
  properties: {},
  required: [],
  secretFields: [],
  verify: () => VERIFIED,
};

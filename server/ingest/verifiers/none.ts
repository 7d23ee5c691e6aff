import { VERIFIED, type Verifier } from './support.js';

/** No verification: every request is accepted and stored with verified=false. */
export const noneVerifier: Readonly<Verifier<Record<string, never>>> = {
  type: 'none',
  properties: {},
  required: [],
  secretFields: [],
  checkedHeaders: () => [],
  verify: () => VERIFIED,
};

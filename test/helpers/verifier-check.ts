import { verifyRequest, type RequestTarget, type VerificationConfig, type VerifyResult } from '../../server/ingest/verifiers/index.js';

/** Node hands verifiers lower-cased header names; signers in the helpers write them as providers do. */
export const lowerCaseHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

/** The instant the provider tables sign at, and the public URL they were sent to. */
export const PROVIDER_NOW = Date.parse('2026-12-07T12:00:00Z');
export const PROVIDER_NOW_S = Math.floor(PROVIDER_NOW / 1000);
export const PROVIDER_TARGET: RequestTarget = { method: 'POST', url: 'https://dispatch.example.com/in/tok_abc/hooks?x=1' };

/** A provider-signed request as the verifier sees it; `target` defaults to PROVIDER_TARGET. */
export interface SignedRequest {
  body: Buffer;
  headers: Record<string, string>;
  target?: RequestTarget;
}

/** Runs the verifier registry on a signed request at `nowMs` (PROVIDER_NOW unless given). */
export function checkSigned(config: VerificationConfig, signed: SignedRequest, nowMs = PROVIDER_NOW): VerifyResult {
  return verifyRequest(signed.body, lowerCaseHeaders(signed.headers), config, nowMs, signed.target ?? PROVIDER_TARGET);
}

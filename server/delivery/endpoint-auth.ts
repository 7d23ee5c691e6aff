import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { EndpointAuth } from '../../db/queries/endpoint-auth.js';
import type { Clock } from '../deps.js';
import type { HttpClient, HttpOutcome } from './http-client.js';

/**
 * The `Authorization` header an endpoint's `auth` asks for (CONTRACT §8, §8.7). Basic is computed
 * per attempt. OAuth2 client credentials: the token is fetched with `POST token_url`
 * (`grant_type=client_credentials` + scope/audience, HTTP Basic client authentication) through
 * the dispatcher's SSRF-guarded HTTP client, and cached per endpoint and credentials in this
 * object (one per dispatcher, so per process) until 30 s before `expires_in`. Concurrent attempts
 * share one fetch in flight, so a burst of deliveries costs one token request. Tokens and secrets
 * never reach a log line.
 */
export interface EndpointAuthenticator {
  /** The header value for `auth` (null: no auth); throws {@link AuthFailedError} when no token could be had. */
  authorization(endpointId: string, auth: EndpointAuth | null, timeoutMs: number): Promise<string | null>;
  /**
   * The receiver refused `used` (a 401): forgets that token, unless another attempt already
   * replaced it, so the next {@link authorization} fetches a fresh one (once for all attempts).
   */
  refused(endpointId: string, auth: EndpointAuth | null, used: string): void;
}

/** A token request that failed; `reason` is safe to log (no token, no secret, no response body). */
export class AuthFailedError extends Error {
  constructor(readonly reason: string) {
    super(`OAuth2 token request failed: ${reason}`);
    this.name = 'AuthFailedError';
  }
}

interface CachedToken {
  header: string;
  /** Epoch ms after which the token is not used any more (30 s before it expires). */
  usableUntil: number;
}

/** Used before the token's expiry: CONTRACT §8 "cached until 30 s before expires_in". */
const EXPIRY_MARGIN_MS = 30_000;
/** A token answered without `expires_in` is kept this long (a 401 replaces it sooner). */
const DEFAULT_LIFETIME_MS = 60 * 60 * 1000;
/** Past this many cached tokens the expired ones are dropped (deleted endpoints, changed credentials). */
const PRUNE_ABOVE = 1_000;
/**
 * What an attempt with auth may take beyond its timeout (token request, a retry after a 401): at
 * most this, and never more than the timeout again. The lease covers the timeout + at least 5 s.
 */
const EXTRA_BUDGET_MS = 5_000;
/** A token is sent as a header value: visible ASCII, bounded. */
const TOKEN_PATTERN = /^[\x21-\x7e]{1,8192}$/;

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Cache key: the endpoint and a digest of its credentials, so a PATCHed `auth` never reuses an old token. */
function cacheKey(endpointId: string, auth: EndpointAuth): string {
  return `${endpointId}:${createHash('sha256').update(JSON.stringify(auth)).digest('base64url')}`;
}

/** The token and its lifetime from a token response body, or the reason it is unusable. */
function parseTokenResponse(text: string | null): { token: string; lifetimeMs: number } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    return 'the token response is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'the token response is not a JSON object';
  const { access_token: token, token_type: tokenType, expires_in: expiresIn } = parsed as Record<string, unknown>;
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return 'the token response has no usable access_token';
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer'))
    return 'the token type is not bearer';
  const seconds = typeof expiresIn === 'string' && /^\d{1,10}$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  if (seconds === undefined || seconds === null) return { token, lifetimeMs: DEFAULT_LIFETIME_MS };
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return 'expires_in is not a number of seconds';
  return { token, lifetimeMs: seconds * 1000 };
}

export function createEndpointAuth(options: { http: HttpClient; clock: Clock; logger: Logger }): EndpointAuthenticator {
  const { http, clock, logger } = options;
  const tokens = new Map<string, CachedToken>();
  const fetching = new Map<string, Promise<CachedToken>>();

  function remember(key: string, token: CachedToken): void {
    if (tokens.size >= PRUNE_ABOVE) {
      const now = clock.now();
      for (const [k, cached] of tokens) if (cached.usableUntil <= now) tokens.delete(k);
      if (tokens.size >= 10 * PRUNE_ABOVE) tokens.clear();
    }
    tokens.set(key, token);
  }

  async function fetchToken(
    endpointId: string,
    auth: Extract<EndpointAuth, { type: 'oauth2_client_credentials' }>,
    timeoutMs: number,
  ): Promise<CachedToken> {
    const startedAt = clock.now();
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    let url: URL;
    try {
      url = new URL(auth.token_url);
    } catch {
      throw new AuthFailedError('the token_url is not a valid URL');
    }
    const answer = await http.postForm(
      url,
      { authorization: basicHeader(formEncode(auth.client_id), formEncode(auth.client_secret)) },
      form,
      timeoutMs,
    );
    let failure: string | null = null;
    let parsed: ReturnType<typeof parseTokenResponse> = '';
    if (answer.error) failure = `the token request failed (${answer.error})`;
    else if (answer.status === null || answer.status < 200 || answer.status >= 300)
      failure = `the token endpoint answered ${answer.status}`;
    else {
      parsed = parseTokenResponse(answer.body);
      if (typeof parsed === 'string') failure = parsed;
    }
    if (failure !== null || typeof parsed === 'string') {
      const reason = failure ?? 'the token response is unusable';
      logger.warn({ endpointId, reason }, 'endpoint OAuth2 token request failed');
      throw new AuthFailedError(reason);
    }
    return { header: `Bearer ${parsed.token}`, usableUntil: startedAt + parsed.lifetimeMs - EXPIRY_MARGIN_MS };
  }

  return {
    async authorization(endpointId, auth, timeoutMs) {
      if (auth === null) return null;
      if (auth.type === 'basic') return basicHeader(auth.username, auth.password);
      const key = cacheKey(endpointId, auth);
      const cached = tokens.get(key);
      if (cached && cached.usableUntil > clock.now()) return cached.header;
      let pending = fetching.get(key);
      if (!pending) {
        pending = fetchToken(endpointId, auth, timeoutMs).then(
          (token) => {
            fetching.delete(key);
            remember(key, token);
            return token;
          },
          (error: unknown) => {
            fetching.delete(key);
            throw error;
          },
        );
        fetching.set(key, pending);
      }
      // attempts that waited for this fetch use its token even if it is already within the margin
      return (await pending).header;
    },
    refused(endpointId, auth, used) {
      if (auth === null || auth.type !== 'oauth2_client_credentials') return;
      const key = cacheKey(endpointId, auth);
      if (tokens.get(key)?.header === used) tokens.delete(key);
    },
  };
}

/**
 * Sends one attempt with the target's credentials: the `authorization` header from `auth`
 * (overriding a custom header of that name), and for OAuth2 one more try with a fresh token when
 * the receiver answers 401 (CONTRACT §8.7: within the same attempt, which records the final
 * outcome; its duration covers both requests). A token that cannot be fetched fails the attempt
 * with `auth_failed` (retried on schedule) without contacting the receiver.
 */
export async function postWithAuth(
  authenticator: EndpointAuthenticator,
  http: HttpClient,
  request: { endpointId: string; auth: EndpointAuth | null; url: URL; headers: Record<string, string>; body: Buffer; timeoutMs: number },
): Promise<HttpOutcome> {
  const { endpointId, auth, url, headers, body, timeoutMs } = request;
  if (auth === null) return http.post(url, headers, body, timeoutMs);
  // token requests and the retry after a 401 share one budget, so the attempt ends within its lease
  const deadline = performance.now() + timeoutMs + Math.min(timeoutMs, EXTRA_BUDGET_MS);
  const budget = () => Math.min(timeoutMs, Math.floor(deadline - performance.now()));
  const send = async (): Promise<HttpOutcome & { used: string | null }> => {
    const started = performance.now();
    const failed = () => ({
      ok: false,
      status: null,
      body: null,
      error: 'auth_failed' as const,
      retryAfter: undefined,
      durationMs: Math.round(performance.now() - started),
      used: null,
    });
    let header: string | null;
    try {
      header = await authenticator.authorization(endpointId, auth, Math.max(1, budget()));
    } catch (thrown) {
      if (!(thrown instanceof AuthFailedError)) throw thrown;
      return failed();
    }
    // a token that took the whole budget leaves no time to send: the token endpoint was too slow
    if (budget() <= 0) return failed();
    const outcome = await http.post(url, header === null ? headers : { ...headers, authorization: header }, body, budget());
    return { ...outcome, used: header };
  };
  const first = await send();
  if (first.status !== 401 || auth.type !== 'oauth2_client_credentials' || first.used === null || budget() <= 0) return withoutUsed(first);
  authenticator.refused(endpointId, auth, first.used);
  const second = await send();
  return { ...withoutUsed(second), durationMs: first.durationMs + second.durationMs };
}

function withoutUsed({ used: _used, ...outcome }: HttpOutcome & { used: string | null }): HttpOutcome {
  return outcome;
}

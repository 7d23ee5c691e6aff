import type { SourceOptions } from './source-options.js';
import { verifyRequest, type IncomingHeaders, type RequestTarget, type VerificationConfig } from './verifiers/index.js';
import { hmac, jsonObject, safeEqual } from './verifiers/support.js';

/**
 * Providers' endpoint-verification handshakes (CONTRACT §9.2, §9.4), answered by Dispatch itself
 * before the allowed-methods check and never stored as events.
 */

/** The handshakes Dispatch answers, as counted in `dispatch_ingest_handshakes_total{type}`. */
export const HANDSHAKE_TYPES = ['slack', 'meta', 'twitter', 'zoom', 'discord', 'graph'] as const;
export type HandshakeType = (typeof HANDSHAKE_TYPES)[number];

/** Echoed tokens and challenges are short in every provider; a longer one is no handshake. */
const MAX_ECHO_LENGTH = 1024;

export type HandshakeOutcome =
  /** Not a handshake: the request is an ordinary event. */
  | { kind: 'none' }
  /** A handshake to answer with this status, content type and body. */
  | { kind: 'answered'; type: HandshakeType; status: number; contentType: 'text/plain' | 'application/json'; body: string | object }
  /** Meta's subscription GET with a verify token that does not match: 403, nothing stored. */
  | { kind: 'forbidden'; type: HandshakeType }
  /** A signed handshake whose signature fails: rejected and kept like any other bad request. */
  | { kind: 'unverified'; type: HandshakeType };

export interface HandshakeRequest {
  method: string;
  /** The decoded query (Koa's ctx.query): repeated names give arrays. */
  query: Record<string, string | string[] | undefined>;
  headers: IncomingHeaders;
  target: RequestTarget;
  nowMs: number;
  /** Reads the raw body (once; the caller keeps it for the event path). */
  readBody(): Promise<Buffer>;
}

const NONE: Readonly<HandshakeOutcome> = { kind: 'none' };

function param(query: HandshakeRequest['query'], name: string): string | undefined {
  const value = query[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && first.length > 0 && first.length <= MAX_ECHO_LENGTH ? first : undefined;
}

const text = (type: HandshakeType, body: string): HandshakeOutcome => ({
  kind: 'answered',
  type,
  status: 200,
  contentType: 'text/plain',
  body,
});
const json = (type: HandshakeType, body: object): HandshakeOutcome => ({
  kind: 'answered',
  type,
  status: 200,
  contentType: 'application/json',
  body,
});
const secret = (config: VerificationConfig, field: string): string => {
  const value = config[field];
  return typeof value === 'string' ? value : '';
};

/** Meta: GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… (the token compared in constant time). */
function metaSubscription(request: HandshakeRequest, config: VerificationConfig): HandshakeOutcome {
  if (request.method !== 'GET' || param(request.query, 'hub.mode') !== 'subscribe') return NONE;
  const challenge = param(request.query, 'hub.challenge');
  if (challenge === undefined) return NONE;
  const token = param(request.query, 'hub.verify_token') ?? '';
  return safeEqual(token, secret(config, 'verify_token')) ? text('meta', challenge) : { kind: 'forbidden', type: 'meta' };
}

/**
 * A crc_token as Twitter sends them (a short random token). The CRC answer is an HMAC with the
 * key that also signs event bodies, over a string the caller picks: left open, anyone could have
 * Dispatch sign a forged body. Tokens that could be a JSON body (quotes, braces, spaces, or only
 * digits) are refused, and the twitter verifier accepts JSON-object bodies only, so the answer
 * never is a usable event signature.
 */
const CRC_TOKEN = /^(?![0-9]+$)[A-Za-z0-9_+/=-]{1,256}$/;

/** Twitter CRC: GET ?crc_token=… → {"response_token":"sha256=<base64 HMAC(consumer secret, crc_token)>"}. */
function twitterCrc(request: HandshakeRequest, config: VerificationConfig): HandshakeOutcome {
  const crcToken = request.method === 'GET' ? param(request.query, 'crc_token') : undefined;
  if (crcToken === undefined || !CRC_TOKEN.test(crcToken)) return NONE;
  const responseToken = 'sha256=' + hmac('sha256', secret(config, 'consumer_secret'), crcToken).toString('base64');
  return json('twitter', { response_token: responseToken });
}

/** What a signed POST handshake answers once its signature holds, from its JSON body; null when it is none. */
function signedAnswer(type: string, body: Record<string, unknown>, config: VerificationConfig): HandshakeOutcome | null {
  if (type === 'slack' && body.type === 'url_verification' && typeof body.challenge === 'string') {
    return body.challenge.length <= MAX_ECHO_LENGTH ? json('slack', { challenge: body.challenge }) : null;
  }
  if (type === 'zoom' && body.event === 'endpoint.url_validation') {
    const payload = body.payload;
    const plainToken = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).plainToken : undefined;
    if (typeof plainToken !== 'string' || plainToken.length > MAX_ECHO_LENGTH) return null;
    const encryptedToken = hmac('sha256', secret(config, 'secret_token'), plainToken).toString('hex');
    return json('zoom', { plainToken, encryptedToken });
  }
  if (type === 'discord' && body.type === 1) return json('discord', { type: 1 });
  return null;
}

/** Text a signed handshake's body must contain (Discord's PING is told by `type: 1` alone). */
const SIGNED_HANDSHAKE_MARKERS: Readonly<Record<string, string>> = { slack: 'url_verification', zoom: 'endpoint.url_validation' };

/**
 * Slack url_verification, Zoom endpoint.url_validation and Discord PING arrive as signed POSTs:
 * the signature is checked first, so nobody but the provider gets an answer.
 */
async function signedHandshake(request: HandshakeRequest, config: VerificationConfig): Promise<HandshakeOutcome> {
  if (request.method !== 'POST') return NONE;
  const raw = await request.readBody();
  // most requests are events: only a body naming the handshake is parsed here
  const marker = SIGNED_HANDSHAKE_MARKERS[config.type];
  if (marker !== undefined && !raw.includes(marker)) return NONE;
  const body = jsonObject(raw);
  const answer = body && signedAnswer(config.type, body, config);
  if (!answer || answer.kind !== 'answered') return NONE;
  const verdict = verifyRequest(raw, request.headers, config, request.nowMs, request.target);
  return verdict.ok ? answer : { kind: 'unverified', type: answer.type };
}

/**
 * The handshake a request to a source is, if any, and how to answer it. `config` is the source's
 * opened verification settings. Microsoft Graph's `?validationToken=` (any method) is answered for
 * every verification type when the source lists `graph` in its handshakes.
 */
export async function detectHandshake(
  request: HandshakeRequest,
  config: VerificationConfig,
  options: SourceOptions,
): Promise<HandshakeOutcome> {
  if (options.handshakes.includes('graph')) {
    const validationToken = param(request.query, 'validationToken');
    if (validationToken !== undefined) return text('graph', validationToken);
  }
  switch (config.type) {
    case 'meta':
      return metaSubscription(request, config);
    case 'twitter':
      return twitterCrc(request, config);
    case 'slack':
    case 'zoom':
    case 'discord':
      return signedHandshake(request, config);
    default:
      return NONE;
  }
}

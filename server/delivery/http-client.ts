import { Agent } from 'undici';
import type { Config } from '../../config/index.js';
import { guardedLookup, isBlockedAddress, literalHost, type SsrfPolicy } from './ssrf.js';

/** What an attempt's error column may hold (CONTRACT "Attempt"). */
export type AttemptError =
  | 'timeout'
  | 'connection_refused'
  | 'dns_failed'
  | 'tls_failed'
  | 'destination_blocked'
  | 'http_status'
  /** The endpoint's OAuth2 token could not be fetched (CONTRACT §8 `auth`). */
  | 'auth_failed';

/** The answer to a form POST (an OAuth2 token request): status and the first 64 KiB of body, or the error class. */
export interface FormOutcome {
  status: number | null;
  body: string | null;
  error: AttemptError | null;
}

export interface HttpOutcome {
  ok: boolean;
  status: number | null;
  /** The first 4 KiB of the response body as text, or null when no response arrived. */
  body: string | null;
  error: AttemptError | null;
  retryAfter: string | undefined;
  durationMs: number;
}

export interface HttpClient {
  /** `timeoutMs` overrides the client's DISPATCH_REQUEST_TIMEOUT for this request (an endpoint's own `timeout`). */
  post(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs?: number): Promise<HttpOutcome>;
  /** POSTs `application/x-www-form-urlencoded` through the same SSRF-guarded agent (token requests). */
  postForm(url: URL, headers: Record<string, string>, form: URLSearchParams, timeoutMs?: number): Promise<FormOutcome>;
  /** Closes idle keep-alive sockets politely (waits at most 1 s). */
  close(): Promise<void>;
  /** Drops every socket at once, in-flight requests included. */
  destroy(): Promise<void>;
}

/** Response bytes kept on the attempt (CONTRACT: first 4 KiB). */
const KEEP_BYTES = 4096;
/** Token responses kept (larger ones are cut, and then fail to parse). */
const FORM_KEEP_BYTES = 64 * 1024;
/** Past this many response bytes the connection is dropped instead of drained for reuse. */
const DRAIN_LIMIT = 64 * 1024;

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO|HOSTNAME_MISMATCH)/;

/** Maps a thrown transport error (or its cause chain) to the contract's error classes. */
export function classifyError(thrown: unknown, timedOut: boolean): AttemptError {
  if (timedOut) return 'timeout';
  for (
    let err = thrown as { code?: string; name?: string; cause?: unknown } | undefined, depth = 0;
    err && depth < 5;
    err = err.cause as typeof err, depth++
  ) {
    const code = err.code ?? '';
    if (code === 'EDESTINATIONBLOCKED') return 'destination_blocked';
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT')
      return 'timeout';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA' || code === 'EAI_NONAME')
      return 'dns_failed';
    if (TLS_CODES.test(code)) return 'tls_failed';
  }
  return 'connection_refused';
}

/**
 * The one keep-alive HTTP client of a process (undici Agent). Destinations are checked against
 * the SSRF policy twice: literal IP hosts before connecting (net.connect never calls `lookup`
 * for them) and resolved names inside the connector's DNS lookup, so DNS rebinding is covered.
 * Redirects are never followed (undici's request does not follow them without an interceptor).
 */
export function createHttpClient(config: Pick<Config, 'requestTimeoutMs' | 'version'> & SsrfPolicy): HttpClient {
  const policy: SsrfPolicy = { allowPrivateNetworks: config.allowPrivateNetworks, allowedCidrs: config.allowedCidrs };
  const timeoutMs = config.requestTimeoutMs;
  const agent = new Agent({
    connect: { lookup: guardedLookup(policy), timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
  });

  async function post(url: URL, headers: Record<string, string>, body: Buffer, requestTimeoutMs = timeoutMs): Promise<HttpOutcome> {
    const started = performance.now();
    const done = (partial: Omit<HttpOutcome, 'durationMs'>): HttpOutcome => ({
      ...partial,
      durationMs: Math.round(performance.now() - started),
    });
    const literal = literalHost(url);
    if (literal && isBlockedAddress(literal, policy)) {
      return done({ ok: false, status: null, body: null, error: 'destination_blocked', retryAfter: undefined });
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, requestTimeoutMs);
    try {
      const response = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        // the agent's own timeouts are the global one: a longer endpoint timeout must not be cut short
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      });
      const kept = await readHead(response.body);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const retryAfter = response.headers['retry-after'];
      return done({
        ok,
        status: response.statusCode,
        body: kept,
        error: ok ? null : 'http_status',
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      });
    } catch (error) {
      return done({ ok: false, status: null, body: null, error: classifyError(error, timedOut), retryAfter: undefined });
    } finally {
      clearTimeout(timer);
    }
  }

  async function postForm(url: URL, headers: Record<string, string>, form: URLSearchParams, timeout = timeoutMs): Promise<FormOutcome> {
    const literal = literalHost(url);
    if (literal && isBlockedAddress(literal, policy)) return { status: null, body: null, error: 'destination_blocked' };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      const response = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: controller.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      return { status: response.statusCode, body: await readHead(response.body, FORM_KEEP_BYTES), error: null };
    } catch (error) {
      return { status: null, body: null, error: classifyError(error, timedOut) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    post,
    postForm,
    async close() {
      // let idle keep-alive sockets close politely, but never wait on a hanging receiver
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), 1000);
      });
      const result = await Promise.race([
        agent.close().then(
          () => 'closed' as const,
          () => 'late' as const,
        ),
        late,
      ]);
      clearTimeout(timer);
      if (result === 'late') await agent.destroy().catch(() => undefined);
    },
    async destroy() {
      await agent.destroy().catch(() => undefined);
    },
  };
}

/** Keeps the first 4 KiB (or `keepBytes`) of a response body; drains a little more so the socket can be reused. */
async function readHead(body: AsyncIterable<Buffer> & { destroy(): unknown }, keepBytes = KEEP_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (kept < keepBytes) {
      const part = chunk.subarray(0, keepBytes - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (seen > DRAIN_LIMIT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

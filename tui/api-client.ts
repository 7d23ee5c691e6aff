import type {
  Anomaly,
  AnomalyStatus,
  ApiKeyInfo,
  App,
  Attempt,
  CreatedApiKey,
  DeliveryFilter,
  Endpoint,
  EventStatus,
  IngestEvent,
  IngestEventDetail,
  ListedDelivery,
  Message,
  Page,
  Recipient,
  Source,
  Stats,
} from './api-types.js';

export type * from './api-types.js';

/**
 * A failed API call, carrying the server's stable error code (CONTRACT §2) so screens can put it
 * into words. `status` 0 with code `unreachable` means no HTTP answer at all.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requiredScope: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListOptions {
  cursor?: string | null;
  limit?: number;
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; a hung server must not freeze the dashboard. */
  timeoutMs?: number;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** A parsed answer body: a success envelope (CONTRACT §2) or an error body; fields checked before use. */
interface Envelope {
  ok?: boolean;
  data?: unknown;
  next_cursor?: string | null;
  error?: unknown;
  message?: unknown;
  required_scope?: unknown;
}

/**
 * The typed client for the Dispatch API — the only place in the TUI that calls fetch. Every method
 * resolves to the `data` of a success body (or a Page for lists) and rejects with ApiError.
 */
export function createApiClient({ baseUrl, apiKey, timeoutMs = 10_000 }: ApiClientOptions) {
  const root = baseUrl.replace(/\/+$/, '');

  async function call(method: string, path: string, body?: unknown, auth = true): Promise<Envelope> {
    let response: Response;
    try {
      response = await fetch(root + path, {
        method,
        headers: {
          accept: 'application/json',
          ...(auth ? { authorization: `Bearer ${apiKey}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ApiError(0, 'unreachable', `cannot reach ${root} (${networkReason(error)})`);
    }
    const text = await response.text();
    let parsed: Envelope | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Envelope | null) : null;
    } catch {
      // a proxy or a non-Dispatch server answered; fall through with the status alone
    }
    if (response.ok && parsed && typeof parsed === 'object' && parsed.ok !== false) return parsed;
    const code = typeof parsed?.error === 'string' ? parsed.error : `http_${response.status}`;
    const message = typeof parsed?.message === 'string' ? parsed.message : `HTTP ${response.status} from ${root}${path}`;
    throw new ApiError(response.status, code, message, typeof parsed?.required_scope === 'string' ? parsed.required_scope : null);
  }

  const data = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await call(method, path, body)).data as T;

  async function list<T>(path: string, query: Query = {}, options: ListOptions = {}): Promise<Page<T>> {
    const body = await call('GET', path + queryString({ ...query, limit: options.limit, cursor: options.cursor }));
    return { items: body.data as T[], nextCursor: body.next_cursor ?? null };
  }

  const seg = encodeURIComponent;
  const endpointPath = (app: string, recipient: string, endpoint: string) =>
    `/api/v1/apps/${seg(app)}/recipients/${seg(recipient)}/endpoints/${seg(endpoint)}`;

  return {
    baseUrl: root,
    /** GET /healthz: the process is up (no key needed). */
    health: async () => (await call('GET', '/healthz', undefined, false)).data as { status: string; version?: string },

    listKeys: (o?: ListOptions) => list<ApiKeyInfo>('/api/v1/keys', {}, o),
    createKey: (name: string, scopes: string[]) => data<CreatedApiKey>('POST', '/api/v1/keys', { name, scopes }),
    revokeKey: (id: string) => data<{ id: string; revoked: boolean }>('DELETE', `/api/v1/keys/${seg(id)}`),

    listApps: (o?: ListOptions) => list<App>('/api/v1/apps', {}, o),
    listRecipients: (app: string, o?: ListOptions) => list<Recipient>(`/api/v1/apps/${seg(app)}/recipients`, {}, o),
    listEndpoints: (app: string, recipient: string, o?: ListOptions) =>
      list<Endpoint>(`/api/v1/apps/${seg(app)}/recipients/${seg(recipient)}/endpoints`, {}, o),
    setEndpointDisabled: (app: string, recipient: string, endpoint: string, disabled: boolean) =>
      data<Endpoint>('PATCH', `/api/v1/apps/${seg(app)}/recipients/${seg(recipient)}/endpoints/${seg(endpoint)}`, { disabled }),

    rotateSecret: (app: string, recipient: string, endpoint: string) =>
      data<{ secret: string }>('POST', `${endpointPath(app, recipient, endpoint)}/rotate-secret`, {}),
    recoverEndpoint: (app: string, recipient: string, endpoint: string, since: string) =>
      data<{ replayed: number }>('POST', `${endpointPath(app, recipient, endpoint)}/recover`, { since }),
    discardHeld: (app: string, recipient: string, endpoint: string) =>
      data<{ discarded: number }>('POST', `${endpointPath(app, recipient, endpoint)}/discard-held`),
    listEndpointAttempts: (app: string, recipient: string, endpoint: string, o?: ListOptions) =>
      list<Attempt>(`${endpointPath(app, recipient, endpoint)}/attempts`, {}, o),

    getStats: () => data<Stats>('GET', '/api/v1/stats'),
    listDeliveries: (filter: DeliveryFilter & { status?: string } = {}, o?: ListOptions) =>
      list<ListedDelivery>('/api/v1/deliveries', { ...filter }, o),
    /** POST /apps/{app}/messages/replay (CONTRACT §8.3): one replay per matching failed (message, endpoint) pair. */
    bulkReplay: (app: string, filter: Omit<DeliveryFilter, 'app'> & { since: string }) =>
      data<{ replayed: number }>('POST', `/api/v1/apps/${seg(app)}/messages/replay`, { ...filter, status: 'failed' }),

    listMessages: (app: string, filter: { status?: string; since?: string } = {}, o?: ListOptions) =>
      list<Message>(`/api/v1/apps/${seg(app)}/messages`, filter, o),
    getMessage: (app: string, msg: string) => data<Message>('GET', `/api/v1/apps/${seg(app)}/messages/${seg(msg)}`),
    listMessageAttempts: (app: string, msg: string, o?: ListOptions) =>
      list<Attempt>(`/api/v1/apps/${seg(app)}/messages/${seg(msg)}/attempts`, {}, { limit: 100, ...o }),
    replayMessage: (app: string, msg: string, endpointId?: string) =>
      data<unknown>('POST', `/api/v1/apps/${seg(app)}/messages/${seg(msg)}/replay`, endpointId ? { endpoint_id: endpointId } : {}),

    listSources: (o?: ListOptions) => list<Source>('/api/v1/sources', {}, o),
    pauseSource: (id: string) => data<Source>('POST', `/api/v1/sources/${seg(id)}/pause`),
    resumeSource: (id: string) => data<Source>('POST', `/api/v1/sources/${seg(id)}/resume`),

    listEvents: (filter: { source_id?: string; status?: EventStatus; since?: string } = {}, o?: ListOptions) =>
      list<IngestEvent>('/api/v1/events', filter, o),
    getEvent: (id: string) => data<IngestEventDetail>('GET', `/api/v1/events/${seg(id)}`),
    replayEvent: (id: string) => data<unknown>('POST', `/api/v1/events/${seg(id)}/replay`),

    listAnomalies: (filter: { status?: AnomalyStatus } = {}, o?: ListOptions) => list<Anomaly>('/api/v1/anomalies', filter, o),
    acknowledgeAnomaly: (id: string) => data<Anomaly>('POST', `/api/v1/anomalies/${seg(id)}/acknowledge`),
    resolveAnomaly: (id: string) => data<Anomaly>('POST', `/api/v1/anomalies/${seg(id)}/resolve`),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The low-level cause of a failed fetch (ECONNREFUSED, ENOTFOUND, timeout) in a few words. */
function networkReason(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

/**
 * The wire shapes of the Dispatch API (CONTRACT §3–§5) as the TUI reads them. Fields the TUI does
 * not show are left out; optional fields are ones a server may omit on list rows.
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  created_at: string;
}

/** Returned once by POST /keys: the only time the plaintext key is visible. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string;
}

export interface App {
  id: string;
  uid: string | null;
  name: string;
  created_at: string;
}

export interface Recipient {
  id: string;
  uid: string | null;
  name: string | null;
  created_at: string;
}

export interface Endpoint {
  id: string;
  url: string;
  description?: string | null;
  event_types: string[];
  disabled: boolean;
  rate_limit?: number | null;
  /** Failure streak, when the server reports it. */
  consecutive_failures?: number;
  failing?: boolean;
  failing_since?: string | null;
  /** Deliveries held while the endpoint is disabled, when the server reports them. */
  held_count?: number;
  created_at: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface Delivery {
  endpoint_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
}

export interface Message {
  id: string;
  app_id: string;
  event_type: string;
  recipient_id: string | null;
  event_id: string | null;
  created_at: string;
  payload?: unknown;
  deliveries?: Delivery[];
  delivery_count?: number;
  /** Summary status on list rows, when the server reports it. */
  status?: string;
}

export interface Attempt {
  id: string;
  message_id?: string;
  event_id?: string;
  endpoint_id?: string;
  source_id?: string;
  attempt: number;
  trigger: 'scheduled' | 'replay' | 'recover';
  status: 'succeeded' | 'failed';
  response_status: number | null;
  response_body?: string | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
  /** Forward attempts: which of the source's destinations it went to. */
  destination_index?: number;
}

export interface Verification {
  type: string;
}

export interface Source {
  id: string;
  name: string;
  verification: Verification | null;
  paused: boolean;
  ingest_url?: string;
  /** Where events are forwarded (index = a forward's destination_index); absent on older servers. */
  destinations?: Destination[];
  created_at: string;
  /** Activity figures, when the server reports them on the source itself. */
  last_event_at?: string | null;
  events_last_hour?: number;
}

export interface Destination {
  url: string;
  headers?: Record<string, string>;
  rate_limit?: number;
  filter?: Record<string, unknown> | null;
  path_forwarding?: boolean;
}

export type EventStatus = 'pending' | 'delivered' | 'failed' | 'held' | 'rejected' | 'duplicate' | 'filtered';

/** One destination's forwards of an event: the latest one's status and the attempts made. */
export interface EventForward {
  destination_index: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
}

export interface IngestEvent {
  id: string;
  source_id: string;
  method: string;
  path?: string;
  status: EventStatus;
  verified: boolean;
  created_at: string;
}

export interface IngestEventDetail extends IngestEvent {
  query?: string | Record<string, unknown> | null;
  headers: Record<string, string | string[]> | Array<[string, string]>;
  body: string | null;
  /** 'utf8' or 'base64' today; a newer server may name another encoding. */
  body_encoding?: string;
  body_expired?: boolean;
  rejection_reason?: string | null;
  forwards?: EventForward[];
  attempts?: Attempt[];
}

export type AnomalyStatus = 'open' | 'acknowledged' | 'resolved';

export interface Anomaly {
  id: string;
  type: string;
  status: AnomalyStatus;
  subject: { kind: 'endpoint' | 'source'; id: string };
  title: string;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  details: unknown;
}

/** GET /stats (CONTRACT §11.1): rates per 10 s bucket over the last 5 minutes, oldest first. */
export interface Stats {
  window_s: number;
  bucket_s: number;
  accepted_per_s: number[];
  delivered_per_s: number[];
  success_rate: number | null;
  pending: number;
  held: number;
  oldest_pending_age_s: number | null;
  attempt_latency_ms: { p50: number; p99: number } | null;
  anomalies_open: Record<string, number>;
  sources: Array<{ id: string; name: string; events_per_s: number[] }>;
}

/** A row of GET /deliveries: one (message, endpoint) pair's current delivery. */
export interface ListedDelivery {
  id: string;
  message_id: string;
  app_id: string;
  event_type: string;
  endpoint_id: string;
  recipient_id: string;
  /** null when the key lacks endpoint:read */
  endpoint_url: string | null;
  status: string;
  trigger: string;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt: { id: string; error: string | null; response_status: number | null; created_at: string } | null;
  message_created_at: string;
  created_at: string;
  updated_at: string;
}

/** What the Failed view filters by; the same fields select a bulk replay (CONTRACT §8.3). */
export interface DeliveryFilter {
  app?: string;
  event_type?: string;
  endpoint_id?: string;
  since?: string;
  until?: string;
}

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
  created_at: string;
  /** Activity figures, when the server reports them on the source itself. */
  last_event_at?: string | null;
  events_last_hour?: number;
}

export type EventStatus = 'pending' | 'delivered' | 'failed' | 'held' | 'rejected' | 'duplicate';

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
  body_encoding?: 'utf8' | 'base64' | string;
  body_expired?: boolean;
  rejection_reason?: string | null;
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

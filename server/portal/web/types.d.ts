/**
 * Types of the portal page's browser modules: the JSON the /api/v1/portal routes answer (CONTRACT §6)
 * and the page's own state. Types only — the .js modules import them through JSDoc `@import`, so
 * nothing here is ever served or loaded by the browser.
 */

export interface Session {
  app: { id: string; name: string };
  recipient: { id: string; uid: string | null; name: string | null };
  expires_at: string;
}

export interface EventType {
  name: string;
  description?: string | null;
}

export interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  disabled: boolean;
  created_at: string;
  /** Payload filter (CONTRACT §8.1), or null. */
  filter: Record<string, unknown> | null;
  /** Retry delays as given, or null for the service's default. */
  retry_schedule: string[] | null;
  timeout: string | null;
  /** Deliveries waiting while the endpoint is disabled. */
  held_count: number;
  /** Receiver credentials with their secrets shown as null (write-only). */
  auth: PublicAuth | null;
  /** Only in the answer to a create: the new signing secret. */
  secret?: string;
}

export type PublicAuth =
  | { type: 'basic'; username: string; password: null }
  | {
      type: 'oauth2_client_credentials';
      token_url: string;
      client_id: string;
      client_secret: null;
      scope: string | null;
      audience: string | null;
    };

/** Credentials as the form sends them (secrets included). */
export type AuthInput =
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2_client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
      audience?: string;
    };

/** What the form sends: a create needs `url`; a patch sends only what changes. */
export interface EndpointChanges {
  url?: string;
  description?: string | null;
  event_types?: string[];
  disabled?: boolean;
  filter?: Record<string, unknown> | null;
  retry_schedule?: string[] | null;
  timeout?: string | null;
  auth?: AuthInput | null;
}

export interface AttemptSummary {
  id: string;
  status: string;
  response_status: number | null;
  error: string | null;
  created_at: string;
}

export interface Attempt extends AttemptSummary {
  message_id: string;
  endpoint_id: string;
  trigger: string;
  duration_ms: number;
}

export interface Delivery {
  endpoint_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt: AttemptSummary | null;
}

export interface Message {
  id: string;
  event_type: string;
  created_at: string;
  /** null once the retention policy purged it */
  payload: unknown;
  deliveries: Delivery[];
}

export interface Ok<T> {
  ok: true;
  data: T;
}

export interface Page<T> extends Ok<T[]> {
  next_cursor: string | null;
}

export interface ErrorDetail {
  path: string;
  message?: string;
}

/** What a form can show: an API error or a check made in the page itself. */
export interface Problem {
  message: string;
  code?: string;
  details: ErrorDetail[];
}

export interface PortalState {
  token: string | null;
  session: Session | null;
  expired: boolean;
  endpoints: Endpoint[];
  eventTypes: EventType[];
  messages: Message[];
  /** id of the endpoint in the form, null when the form adds one */
  editing: string | null;
  /** revealed secrets by endpoint id */
  secrets: Map<string, string>;
  /** `<endpoint id>:<action>` of the buttons waiting for their confirmation click */
  confirming: Set<string>;
  /** message ids whose attempts are shown */
  openAttempts: Set<string>;
  attempts: Map<string, Attempt[]>;
}

/** Attributes for el(): `text` and `class` set content and class name, `on<event>` adds a listener. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => unknown)>;

export type Child = Node | string | null | undefined | false;

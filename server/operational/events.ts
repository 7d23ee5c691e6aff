import type { Anomaly } from '../../db/queries/anomalies.js';
import type { OperationalFormat } from '../../db/queries/system-app.js';
import { serializeAnomaly } from '../routes/anomalies.js';
import { iso } from '../routes/serialize.js';

/** The events Dispatch sends to operational endpoints (CONTRACT §8.5). */
export const OPERATIONAL_EVENT_TYPES = [
  'anomaly.opened',
  'anomaly.resolved',
  'endpoint.disabled',
  'endpoint.enabled',
  'message.failed',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/** One operational event of one workspace, before it becomes a message per format. */
export interface OperationalEvent {
  workspaceId: string;
  type: OperationalEventType;
  /** When it happened (epoch ms): the body's `created_at`. */
  at: number;
  data: Record<string, unknown>;
  /** The one line a `slack` endpoint receives. */
  text: string;
}

/** Which endpoint an endpoint event is about. */
export interface EndpointRef {
  workspaceId: string;
  endpointId: string;
  appId: string;
  recipientId: string;
}

// Slack-compatible receivers read &, < and > as markup (links, mentions): escape what Dispatch did not write
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** anomaly.opened / anomaly.resolved: `data.anomaly` is the anomaly as the API serialises it. */
export function anomalyEvent(type: 'anomaly.opened' | 'anomaly.resolved', anomaly: Anomaly, at: number): OperationalEvent {
  const verb = type === 'anomaly.opened' ? 'opened' : 'resolved';
  return {
    workspaceId: anomaly.workspaceId,
    type,
    at,
    data: { anomaly: serializeAnomaly(anomaly) },
    text: `[Dispatch] Anomaly ${verb}: ${slackEscape(anomaly.title)} (${anomaly.type}, ${anomaly.id})`,
  };
}

/** endpoint.disabled / endpoint.enabled, `reason` auto (Dispatch disabled it) or manual (a PATCH). */
export function endpointToggleEvent(disabled: boolean, endpoint: EndpointRef, reason: 'auto' | 'manual', at: number): OperationalEvent {
  const how = disabled ? (reason === 'auto' ? 'was disabled after failing continuously' : 'was disabled by hand') : 'was re-enabled';
  return {
    workspaceId: endpoint.workspaceId,
    type: disabled ? 'endpoint.disabled' : 'endpoint.enabled',
    at,
    data: { endpoint_id: endpoint.endpointId, app_id: endpoint.appId, recipient_id: endpoint.recipientId, reason },
    text: `[Dispatch] Endpoint ${endpoint.endpointId} (app ${endpoint.appId}) ${how}`,
  };
}

/** message.failed: a delivery exhausted its retries (`attempts` made in all). */
export function messageFailedEvent(
  failed: { workspaceId: string; messageId: string; appId: string; endpointId: string; attempts: number },
  at: number,
): OperationalEvent {
  return {
    workspaceId: failed.workspaceId,
    type: 'message.failed',
    at,
    data: { message_id: failed.messageId, app_id: failed.appId, endpoint_id: failed.endpointId, attempts: failed.attempts },
    text: `[Dispatch] Message ${failed.messageId} (app ${failed.appId}) failed on endpoint ${failed.endpointId} after ${failed.attempts} attempt${failed.attempts === 1 ? '' : 's'}`,
  };
}

/** The exact payload text stored for (and sent, signed, to) the endpoints of one format. */
export function operationalPayload(event: OperationalEvent, format: OperationalFormat): string {
  if (format === 'slack') return JSON.stringify({ text: event.text });
  return JSON.stringify({ type: event.type, created_at: iso(event.at), data: event.data });
}

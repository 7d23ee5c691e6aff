import type { RouteSpec } from './define-route.js';
import { keyRoutes } from './keys.js';
import { anomalyRoutes } from './anomalies.js';
import { appRoutes } from './apps.js';
import { eventTypeRoutes } from './event-types.js';
import { recipientRoutes } from './recipients.js';
import { endpointRoutes } from './endpoints.js';
import { endpointSecretRoutes } from './endpoint-secrets.js';
import { sourceRoutes } from './sources.js';
import { eventRoutes } from './events.js';
import { messageRoutes } from './messages.js';
import { attemptRoutes } from './attempts.js';
import { endpointDeliveryRoutes } from './endpoint-deliveries.js';
import { portalSessionRoutes } from './portal-sessions.js';
import { operationalEndpointRoutes } from './operational-endpoints.js';
import { filterRoutes } from './filters.js';
import { bulkReplayRoutes } from './bulk-replay.js';
import { deliveryListRoutes } from './deliveries.js';
import { statsRoutes } from './stats.js';

/** Every authenticated API operation under /api/v1, in the order the reference lists them. */
export const apiRoutes: readonly RouteSpec[] = [
  ...keyRoutes,
  ...appRoutes,
  ...eventTypeRoutes,
  ...recipientRoutes,
  ...portalSessionRoutes,
  ...endpointRoutes,
  ...endpointSecretRoutes,
  ...endpointDeliveryRoutes,
  ...filterRoutes,
  ...messageRoutes,
  ...bulkReplayRoutes,
  ...attemptRoutes,
  ...deliveryListRoutes,
  ...sourceRoutes,
  ...eventRoutes,
  ...anomalyRoutes,
  ...operationalEndpointRoutes,
  ...statsRoutes,
];

import { anomalySchema } from './anomalies.js';
import { appSchema, portalSessionCreatedSchema, recipientSchema } from './apps.js';
import { attemptSchema } from './attempts.js';
import { deletedSchema, errorBodySchema } from './common.js';
import { endpointCreatedSchema, endpointSchema, recoverResultSchema, secretSchema } from './endpoints.js';
import { eventDetailSchema, eventReplaySchema, eventSummarySchema } from './events.js';
import { eventTypeSchema } from './event-types.js';
import { recipientErasedSchema } from './erasure.js';
import { filterTestResultSchema } from './filters.js';
import { apiKeyCreatedSchema, apiKeyRevokedSchema, apiKeySchema } from './keys.js';
import {
  messageDeliverySchema,
  messageDetailSchema,
  messageReplaySchema,
  messageSchema,
  messageWithCountSchema,
  portalDeliverySchema,
  portalMessageSchema,
} from './messages.js';
import { operationalEndpointCreatedSchema, operationalEndpointSchema } from './operational-endpoints.js';
import { portalSessionInfoSchema } from './portal.js';
import { sourceCreatedSchema, sourceResumedSchema, sourceSchema } from './sources.js';
import { deliveryListItemSchema } from './deliveries.js';
import { statsSchema } from './stats.js';

/**
 * The response schemas by the name OpenAPI gives them under `components/schemas`. The reference
 * replaces each of these objects, wherever a route's schema holds it, by a `$ref` to its name, so
 * a generated client gets one named type per resource.
 */
export const responseComponents = {
  App: appSchema,
  Recipient: recipientSchema,
  RecipientErased: recipientErasedSchema,
  PortalSessionCreated: portalSessionCreatedSchema,
  EventType: eventTypeSchema,
  Endpoint: endpointSchema,
  EndpointCreated: endpointCreatedSchema,
  SigningSecret: secretSchema,
  RecoverResult: recoverResultSchema,
  FilterTestResult: filterTestResultSchema,
  Message: messageSchema,
  MessageWithCount: messageWithCountSchema,
  MessageDelivery: messageDeliverySchema,
  MessageDetail: messageDetailSchema,
  MessageReplay: messageReplaySchema,
  DeliveryListItem: deliveryListItemSchema,
  Attempt: attemptSchema,
  Source: sourceSchema,
  SourceCreated: sourceCreatedSchema,
  SourceResumed: sourceResumedSchema,
  EventSummary: eventSummarySchema,
  EventDetail: eventDetailSchema,
  EventReplay: eventReplaySchema,
  Anomaly: anomalySchema,
  OperationalEndpoint: operationalEndpointSchema,
  OperationalEndpointCreated: operationalEndpointCreatedSchema,
  Stats: statsSchema,
  ApiKey: apiKeySchema,
  ApiKeyCreated: apiKeyCreatedSchema,
  ApiKeyRevoked: apiKeyRevokedSchema,
  Deleted: deletedSchema,
  PortalSessionInfo: portalSessionInfoSchema,
  PortalDelivery: portalDeliverySchema,
  PortalMessage: portalMessageSchema,
} as const;

export { errorBodySchema };

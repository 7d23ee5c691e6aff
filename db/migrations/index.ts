import type { Knex } from 'knex';
import * as workspacesAndKeys from './20261126000001_workspaces_and_keys.js';
import * as dispatchConfiguration from './20261126000002_dispatch_configuration.js';
import * as messagesAndDeliveries from './20261126000003_messages_and_deliveries.js';
import * as ingest from './20261126000004_ingest.js';
import * as anomalies from './20261126000005_anomalies.js';
import * as portalSessions from './20261126000006_portal_sessions.js';
import * as anomalyOccurrences from './20261126400001_anomaly_occurrences.js';
import * as anomalyDetectorIndexes from './20261126400002_anomaly_detector_indexes.js';
import * as sourceEventBuckets from './20261126400003_source_event_buckets.js';
import * as retentionIndexes from './20261126600001_retention_indexes.js';
import * as byteExactKeysAndFullSizeText from './20261207100001_byte_exact_keys_and_full_size_text.js';
import * as messageRateWindows from './20261207100002_message_rate_windows.js';
import * as endpointDeliveryOverrides from './20261207200001_endpoint_delivery_overrides.js';
import * as endpointOrderingAndAuth from './20261207200002_endpoint_ordering_and_auth.js';
import * as operationalEndpoints from './20261207200003_operational_endpoints.js';
import * as erasureIndexes from './20261207200004_erasure_indexes.js';
import * as sourceDestinations from './20261207200005_source_destinations.js';
import * as statsIndexes from './20261207200006_stats_indexes.js';
import * as dropRedundantDeliveryIndex from './20261207200007_drop_redundant_delivery_index.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Append-only: a landed migration is never edited; a change is a new
 * file added at the end. Listed here (not globbed) so the same list runs from source and from dist.
 */
const MIGRATIONS: readonly [string, Migration][] = [
  ['20261126000001_workspaces_and_keys', workspacesAndKeys],
  ['20261126000002_dispatch_configuration', dispatchConfiguration],
  ['20261126000003_messages_and_deliveries', messagesAndDeliveries],
  ['20261126000004_ingest', ingest],
  ['20261126000005_anomalies', anomalies],
  ['20261126000006_portal_sessions', portalSessions],
  ['20261126400001_anomaly_occurrences', anomalyOccurrences],
  ['20261126400002_anomaly_detector_indexes', anomalyDetectorIndexes],
  ['20261126400003_source_event_buckets', sourceEventBuckets],
  ['20261126600001_retention_indexes', retentionIndexes],
  ['20261207100001_byte_exact_keys_and_full_size_text', byteExactKeysAndFullSizeText],
  ['20261207100002_message_rate_windows', messageRateWindows],
  ['20261207200001_endpoint_delivery_overrides', endpointDeliveryOverrides],
  ['20261207200002_endpoint_ordering_and_auth', endpointOrderingAndAuth],
  ['20261207200003_operational_endpoints', operationalEndpoints],
  ['20261207200004_erasure_indexes', erasureIndexes],
  ['20261207200005_source_destinations', sourceDestinations],
  ['20261207200006_stats_indexes', statsIndexes],
  ['20261207200007_drop_redundant_delivery_index', dropRedundantDeliveryIndex],
];

export const migrationSource: Readonly<Knex.MigrationSource<string>> = {
  getMigrations: () => Promise.resolve(MIGRATIONS.map(([name]) => name)),
  getMigrationName: (name) => name,
  // an unknown name is a rejected promise, not a synchronous throw
  getMigration: (name) => {
    const found = MIGRATIONS.find(([candidate]) => candidate === name);
    if (!found) return Promise.reject(new Error(`unknown migration ${name}`));
    return Promise.resolve(found[1]);
  },
};

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

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Append-only: a landed migration is never edited; a change is a new
 * file added at the end. Listed here (not globbed) so the same list runs from source and from dist.
 */
const MIGRATIONS: [string, Migration][] = [
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
];

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};

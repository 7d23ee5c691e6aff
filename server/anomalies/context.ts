import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import {
  listOpenAnomaliesOfType,
  openOrBumpAnomaly,
  resolveOpenAnomaly,
  type Anomaly,
  type AnomalyType,
  type Sighting,
  type SightingOutcome,
} from '../../db/queries/anomalies.js';
import type { DeliveryTarget } from '../../db/queries/anomaly-signals.js';
import type { EmitSignal } from '../signals.js';
import type { SourceEventCounts } from '../../db/queries/event-rollups.js';
import { sourceEventCounts } from './event-rollup.js';
import type { AnomalyWindows } from './windows.js';

/** What one pass did, per outcome (tests and the debug log read it). */
export interface PassTally {
  opened: string[];
  bumped: string[];
  resolved: string[];
  errors: { type: AnomalyType; message: string }[];
  /** Milliseconds each detector took (the debug log shows them; a slow detector stands out). */
  durations: Partial<Record<AnomalyType, number>>;
}

/** Everything a detector needs for one pass at one instant. */
export interface DetectorContext {
  db: Db;
  now: number;
  config: Readonly<Config>;
  windows: Readonly<AnomalyWindows>;
  logger: Logger;
  tally: PassTally;
  /** Per-source event counts for this pass (from the bucket rollup), shared by three detectors. */
  sourceEvents(): Promise<Map<string, SourceEventCounts>>;
  /** The open (or acknowledged) anomalies of a type as the pass first read them, by subject id. */
  openAnomalies(type: AnomalyType): Promise<Map<string, Anomaly>>;
  /** Records that a condition holds now (opens or bumps its anomaly). */
  sight(sighting: Sighting): Promise<SightingOutcome>;
  /** Auto-resolves the open anomaly of this type and subject, if any. */
  resolve(type: AnomalyType, subjectId: string): Promise<boolean>;
}

/** A detector: one anomaly type's open and auto-resolve rules. */
export interface Detector {
  type: AnomalyType;
  detect(ctx: DetectorContext): Promise<void>;
}

export function createDetectorContext(
  base: { db: Db; config: Readonly<Config>; logger: Logger; emit?: EmitSignal },
  now: number,
  windows: Readonly<AnomalyWindows>,
): DetectorContext {
  const tally: PassTally = { opened: [], bumped: [], resolved: [], errors: [], durations: {} };
  let events: Promise<Map<string, SourceEventCounts>> | null = null;
  const open = new Map<AnomalyType, Promise<Map<string, Anomaly>>>();
  const openAnomalies = (type: AnomalyType) => {
    let loaded = open.get(type);
    if (!loaded) {
      loaded = listOpenAnomaliesOfType(base.db, type).then((list) => new Map(list.map((anomaly) => [anomaly.subjectId, anomaly])));
      open.set(type, loaded);
    }
    return loaded;
  };
  return {
    ...base,
    now,
    windows,
    tally,
    sourceEvents() {
      events ??= sourceEventCounts(base.db, now, windows);
      return events;
    },
    openAnomalies,
    async sight(sighting) {
      // a condition still showing the evidence already recorded needs no write (the common case
      // for every pass while an anomaly stays open); anything else goes to the race-safe store
      const known = (await openAnomalies(sighting.type)).get(sighting.subjectId);
      if (known && known.occurrenceKey === sighting.occurrenceKey) return 'unchanged';
      const { outcome, anomaly } = await openOrBumpAnomaly(base.db, sighting, now);
      if (outcome === 'opened' && anomaly) {
        tally.opened.push(anomaly.id);
        // committed (each write is its own statement): operational webhooks announce it
        base.emit?.('anomaly_opened', { anomaly });
      }
      if (outcome === 'bumped' && anomaly) tally.bumped.push(anomaly.id);
      return outcome;
    },
    async resolve(type, subjectId) {
      const resolved = await resolveOpenAnomaly(base.db, type, subjectId, now);
      (await openAnomalies(type)).delete(subjectId);
      if (!resolved) return false;
      tally.resolved.push(`${type}:${subjectId}`);
      base.emit?.('anomaly_resolved', { anomaly: resolved });
      return true;
    },
  };
}

/**
 * How a target is named in titles: a source by its name, an endpoint by its host only — webhook
 * URLs often carry their credential in the path or query (Slack, Discord), and anomaly:read keys
 * need not see what endpoint:read guards. The subject id identifies the endpoint exactly.
 */
export function describeTarget(target: Pick<DeliveryTarget, 'kind' | 'label'>): string {
  if (target.kind === 'source') return `Source "${target.label}"`;
  try {
    return `Endpoint ${new URL(target.label).host}`;
  } catch {
    return 'Endpoint';
  }
}

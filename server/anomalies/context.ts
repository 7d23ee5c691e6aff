import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import {
  openOrBumpAnomaly, resolveOpenAnomaly, type AnomalyType, type Sighting, type SightingOutcome,
} from '../../db/queries/anomalies.js';
import { countEventsBySource, type DeliveryTarget, type SourceEventCounts } from '../../db/queries/anomaly-signals.js';
import type { AnomalyWindows } from './windows.js';

/** What one pass did, per outcome (tests and the debug log read it). */
export interface PassTally {
  opened: string[];
  bumped: string[];
  resolved: string[];
  errors: { type: AnomalyType; message: string }[];
}

/** Everything a detector needs for one pass at one instant. */
export interface DetectorContext {
  db: Db;
  now: number;
  config: Readonly<Config>;
  windows: Readonly<AnomalyWindows>;
  logger: Logger;
  tally: PassTally;
  /** Per-source event counts for this pass: one scan of the recent events, shared by three detectors. */
  sourceEvents(): Promise<Map<string, SourceEventCounts>>;
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

/** Names of the event ranges counted once per pass. */
export const EVENT_RANGES = {
  volumeWindow: 'volume_window',
  volumeBaseline: 'volume_baseline',
  silence: 'silence',
  silenceBaseline: 'silence_baseline',
  rejected: 'rejected',
} as const;

export function createDetectorContext(
  base: { db: Db; config: Readonly<Config>; logger: Logger },
  now: number,
  windows: Readonly<AnomalyWindows>,
): DetectorContext {
  const tally: PassTally = { opened: [], bumped: [], resolved: [], errors: [] };
  let events: Promise<Map<string, SourceEventCounts>> | null = null;
  const w = windows;
  return {
    ...base,
    now,
    windows,
    tally,
    sourceEvents() {
      // the spike baseline is the hour before the current window, the drop baseline the hour
      // before the silence: a burst or a silence never dilutes the mean it is compared with
      events ??= countEventsBySource(base.db, now - Math.max(w.volumeWindowMs + w.volumeBaselineMs, w.dropSilenceMs + w.volumeBaselineMs, w.rejectionQuietMs), now, [
        { name: EVENT_RANGES.volumeWindow, from: now - w.volumeWindowMs, to: now },
        { name: EVENT_RANGES.volumeBaseline, from: now - w.volumeWindowMs - w.volumeBaselineMs, to: now - w.volumeWindowMs },
        { name: EVENT_RANGES.silence, from: now - w.dropSilenceMs, to: now },
        { name: EVENT_RANGES.silenceBaseline, from: now - w.dropSilenceMs - w.volumeBaselineMs, to: now - w.dropSilenceMs },
        { name: EVENT_RANGES.rejected, from: now - w.rejectionWindowMs, to: now, status: 'rejected' },
      ]);
      return events;
    },
    async sight(sighting) {
      const { outcome, anomaly } = await openOrBumpAnomaly(base.db, sighting, now);
      if (outcome === 'opened' && anomaly) tally.opened.push(anomaly.id);
      if (outcome === 'bumped' && anomaly) tally.bumped.push(anomaly.id);
      return outcome;
    },
    async resolve(type, subjectId) {
      const resolved = await resolveOpenAnomaly(base.db, type, subjectId, now);
      if (resolved) tally.resolved.push(`${type}:${subjectId}`);
      return resolved;
    },
  };
}

/** How a target is named in titles: an endpoint by its URL without credentials or query, a source by name. */
export function describeTarget(target: Pick<DeliveryTarget, 'kind' | 'label'>): string {
  if (target.kind === 'source') return `Source "${target.label}"`;
  try {
    const url = new URL(target.label);
    return `Endpoint ${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return 'Endpoint';
  }
}

import type { Destination, EventForward, IngestEventDetail, Source } from '../../api-types.js';
import type { Line } from '../../components/scroll-view.js';
import { wrapLines } from '../../format.js';
import { eventStatusColor } from '../events/detail-lines.js';

/** Forwards to one destination over the sampled events, by their latest status. */
export interface DestinationTally {
  delivered: number;
  failed: number;
  pending: number;
}

/** Per-destination delivery state of a source's most recent events (what the detail shows). */
export interface ForwardSample {
  /** Events looked at (newest first), and how many of them no filter matched. */
  sampled: number;
  filtered: number;
  byDestination: Record<number, DestinationTally>;
  /** The newest sampled event's forwards, per destination. */
  latest: { eventId: string; status: string; forwards: EventForward[] } | null;
}

/** Counts the forwards of `events` (newest first) per destination index. */
export function sampleForwards(events: IngestEventDetail[]): ForwardSample {
  const byDestination: Record<number, DestinationTally> = {};
  let filtered = 0;
  for (const event of events) {
    if (event.status === 'filtered') filtered++;
    for (const forward of event.forwards ?? []) {
      const tally = (byDestination[forward.destination_index] ??= { delivered: 0, failed: 0, pending: 0 });
      tally[forward.status]++;
    }
  }
  const newest = events[0];
  return {
    sampled: events.length,
    filtered,
    byDestination,
    latest: newest ? { eventId: newest.id, status: newest.status, forwards: newest.forwards ?? [] } : null,
  };
}

function filterText(destination: Destination): string {
  return destination.filter && Object.keys(destination.filter).length > 0 ? JSON.stringify(destination.filter) : 'every event';
}

function options(destination: Destination): string {
  const parts = [
    destination.path_forwarding ? 'path forwarding' : null,
    destination.rate_limit ? `≤ ${destination.rate_limit}/s` : null,
    destination.headers && Object.keys(destination.headers).length ? `headers: ${Object.keys(destination.headers).join(', ')}` : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? parts.join(' · ') : '';
}

/**
 * A source's detail as wrapped lines: its state, then each destination with its filter, options,
 * the latest event's forward to it and the counts over the sampled events.
 */
export function sourceDetailLines(source: Source, sample: ForwardSample | undefined, width: number): Line[] {
  const destinations = source.destinations ?? [];
  const lines: Line[] = [
    { text: `${source.name} · ${source.paused ? 'paused' : 'active'} · ${source.verification?.type ?? 'none'} · ${source.id}`, bold: true },
    ...(source.ingest_url ? [{ text: `ingest ${source.ingest_url}`, color: 'gray' }] : []),
    {
      text: sample
        ? `last ${sample.sampled} event${sample.sampled === 1 ? '' : 's'}: ${sample.filtered} filtered` +
          (sample.latest ? ` · newest ${sample.latest.eventId} ${sample.latest.status}` : '')
        : 'counting recent forwards…',
      color: sample?.latest ? eventStatusColor(sample.latest.status) : 'gray',
    },
    { text: '' },
    { text: `destinations (${destinations.length})`, bold: true },
  ];
  if (destinations.length === 0) lines.push({ text: 'none: events are stored, not forwarded', color: 'gray' });
  destinations.forEach((destination, index) => {
    const tally = sample?.byDestination[index] ?? { delivered: 0, failed: 0, pending: 0 };
    const latest = sample?.latest?.forwards.find((forward) => forward.destination_index === index);
    lines.push({ text: `→${index} ${destination.url}`, bold: true });
    lines.push({ text: `   filter ${filterText(destination)}`, color: 'cyan' });
    const extra = options(destination);
    if (extra) lines.push({ text: `   ${extra}`, color: 'gray' });
    lines.push({
      text: `   newest: ${latest ? `${latest.status} (${latest.attempts} attempt${latest.attempts === 1 ? '' : 's'})` : 'not forwarded'} · recent: ${tally.delivered} delivered, ${tally.failed} failed, ${tally.pending} pending`,
      color: tally.failed > 0 ? 'red' : latest ? eventStatusColor(latest.status) : undefined,
    });
  });
  return lines.flatMap((line) => wrapLines([line.text], width).map((text) => ({ ...line, text })));
}

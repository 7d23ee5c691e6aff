import type { Attempt, Destination, EventForward, IngestEventDetail } from '../../api-types.js';
import type { Line } from '../../components/scroll-view.js';
import { bodyLines, headerLines, shortTime, wrapLines } from '../../format.js';

const EVENT_STATUS_COLOR: Record<string, string> = {
  pending: 'yellow',
  delivered: 'green',
  failed: 'red',
  held: 'blue',
  rejected: 'magenta',
  duplicate: 'gray',
  filtered: 'cyan',
};

/** The colour an event status is drawn in (list and detail agree). */
export function eventStatusColor(status: string): string | undefined {
  return EVENT_STATUS_COLOR[status];
}

/** One attempt as a line: number, trigger, outcome, response code, error and latency. */
export function attemptLine(a: Attempt): Line {
  const code = a.response_status === null ? '—' : String(a.response_status);
  return {
    text: `#${a.attempt} ${a.trigger.padEnd(9)} ${a.status.padEnd(9)} ${code.padEnd(4)} ${(a.error ?? '').padEnd(19)} ${String(a.duration_ms).padStart(6)} ms  ${shortTime(a.created_at)}`,
    color: a.status === 'succeeded' ? 'green' : 'red',
  };
}

/** One destination's forwards: index, outcome, attempts made and where it goes (when known). */
export function forwardLine(forward: EventForward, destination: Destination | undefined): Line {
  const attempts = `${forward.attempts} attempt${forward.attempts === 1 ? '' : 's'}`;
  return {
    text: `→${forward.destination_index} ${forward.status.padEnd(9)} ${attempts.padEnd(11)} ${destination?.url ?? '(destination removed)'}`,
    color: EVENT_STATUS_COLOR[forward.status],
  };
}

/** An attempt of a forward, marked `→N` with the destination it went to. */
function forwardAttemptLine(attempt: Attempt): Line {
  const line = attemptLine(attempt);
  return attempt.destination_index === undefined ? line : { ...line, text: `→${attempt.destination_index} ${line.text}` };
}

function queryText(query: IngestEventDetail['query']): string {
  if (!query) return '';
  if (typeof query === 'string') return query ? (query.startsWith('?') ? query : `?${query}`) : '';
  const text = new URLSearchParams(query as Record<string, string>).toString();
  return text ? `?${text}` : '';
}

/**
 * The event detail as wrapped lines: request line, status, forwards per destination, attempts
 * (each marked with its destination), headers, body (pretty JSON).
 */
export function eventDetailLines(event: IngestEventDetail, sourceName: string, width: number, destinations: Destination[] = []): Line[] {
  const wrap = (texts: string[], color?: string): Line[] => wrapLines(texts, width).map((text) => ({ text, color }));
  const attempts = event.attempts ?? [];
  const forwards = event.forwards ?? [];
  const forwardLines: Line[] = forwards.length
    ? [
        { text: `forwards (${forwards.length})`, bold: true },
        ...forwards.map((forward) => forwardLine(forward, destinations[forward.destination_index])),
        { text: '' },
      ]
    : event.status === 'filtered'
      ? [{ text: "forwards: none — no destination's filter matched", color: 'cyan' }, { text: '' }]
      : [];
  const lines: Line[] = [
    ...wrap([`${event.method} ${event.path ?? ''}${queryText(event.query)}`]).map((l) => ({ ...l, bold: true })),
    {
      text: `status ${event.status} · ${event.verified ? 'verified' : 'not verified'} · ${event.id}`,
      color: eventStatusColor(event.status),
    },
    ...wrap([`source ${sourceName} · received ${shortTime(event.created_at)}`]),
    ...(event.rejection_reason ? wrap([`rejected: ${event.rejection_reason}`], 'magenta') : []),
    { text: '' },
    ...forwardLines,
    { text: `attempts (${attempts.length})`, bold: true },
    ...(attempts.length
      ? attempts.map(forwardAttemptLine)
      : [{ text: 'none (no destination, held, or not yet attempted)', color: 'gray' }]),
    { text: '' },
    { text: 'headers', bold: true },
    ...wrap(headerLines(event.headers), 'gray'),
    { text: '' },
    { text: `body${event.body_encoding === 'base64' ? ' (base64)' : ''}`, bold: true },
    ...(event.body_expired
      ? [{ text: '(purged by the retention policy)', color: 'gray' }]
      : wrap(bodyLines(event.body, event.body_encoding))),
  ];
  // every line wrapped, so the scroll view's line count is the row count
  return lines.flatMap((line) => wrapLines([line.text], width).map((text) => ({ ...line, text })));
}

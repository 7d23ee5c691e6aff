import type { Attempt, IngestEventDetail } from '../../api-types.js';
import type { Line } from '../../components/scroll-view.js';
import { bodyLines, headerLines, shortTime, wrapLines } from '../../format.js';

const EVENT_STATUS_COLOR: Record<string, string> = {
  pending: 'yellow', delivered: 'green', failed: 'red', held: 'blue', rejected: 'magenta', duplicate: 'gray',
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

function queryText(query: IngestEventDetail['query']): string {
  if (!query) return '';
  if (typeof query === 'string') return query ? (query.startsWith('?') ? query : `?${query}`) : '';
  const text = new URLSearchParams(query as Record<string, string>).toString();
  return text ? `?${text}` : '';
}

/** The event detail as wrapped lines: request line, status, attempts, headers, body (pretty JSON). */
export function eventDetailLines(event: IngestEventDetail, sourceName: string, width: number): Line[] {
  const wrap = (texts: string[], color?: string): Line[] => wrapLines(texts, width).map((text) => ({ text, color }));
  const attempts = event.attempts ?? [];
  const lines: Line[] = [
    ...wrap([`${event.method} ${event.path ?? ''}${queryText(event.query)}`]).map((l) => ({ ...l, bold: true })),
    { text: `status ${event.status} · ${event.verified ? 'verified' : 'not verified'} · ${event.id}`, color: eventStatusColor(event.status) },
    ...wrap([`source ${sourceName} · received ${shortTime(event.created_at)}`]),
    ...(event.rejection_reason ? wrap([`rejected: ${event.rejection_reason}`], 'magenta') : []),
    { text: '' },
    { text: `attempts (${attempts.length})`, bold: true },
    ...(attempts.length ? attempts.map(attemptLine) : [{ text: 'none (no destination, held, or not yet attempted)', color: 'gray' }]),
    { text: '' },
    { text: 'headers', bold: true },
    ...wrap(headerLines(event.headers), 'gray'),
    { text: '' },
    { text: `body${event.body_encoding === 'base64' ? ' (base64)' : ''}`, bold: true },
    ...(event.body_expired ? [{ text: '(purged by the retention policy)', color: 'gray' }] : wrap(bodyLines(event.body, event.body_encoding))),
  ];
  // every line wrapped, so the scroll view's line count is the row count
  return lines.flatMap((line) => wrapLines([line.text], width).map((text) => ({ ...line, text })));
}

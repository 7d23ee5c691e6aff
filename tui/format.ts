/** Small text helpers shared by the views; pure, so the reducers' tests can use them too. */

/** "3s ago", "5m ago", "2h ago", "4d ago" for an ISO time or epoch ms, relative to `now`. */
export function ago(at: string | number | null | undefined, now: number): string {
  if (at === null || at === undefined) return '—';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(ms)) return '—';
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** "2026-11-26 10:00:03" (UTC) for an ISO timestamp; keeps lists narrow and sortable by eye. */
export function shortTime(at: string | null | undefined): string {
  if (!at) return '—';
  return at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** Cuts `text` to `width` columns with an ellipsis, then pads it so columns line up. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  if (flat.length > width) return width === 1 ? '…' : flat.slice(0, width - 1) + '…';
  return flat.padEnd(width);
}

/** Hard-wraps each line to `width` columns so a scroll view can count its rows exactly. */
export function wrapLines(lines: string[], width: number): string[] {
  const out: string[] = [];
  const w = Math.max(1, width);
  for (const line of lines) {
    if (line.length <= w) out.push(line);
    else for (let i = 0; i < line.length; i += w) out.push(line.slice(i, i + w));
  }
  return out;
}

/** The body as lines: pretty JSON when it parses as JSON, else the raw text; base64 is summarised. */
export function bodyLines(body: string | null, encoding?: string): string[] {
  if (body === null || body === undefined) return ['(no body)'];
  if (encoding === 'base64') return [`(binary body, ${Buffer.from(body, 'base64').length} bytes, base64)`, body];
  try {
    return JSON.stringify(JSON.parse(body), null, 2).split('\n');
  } catch {
    return body === '' ? ['(empty body)'] : body.split(/\r?\n/);
  }
}

/** Headers in any of the shapes a server may send (object, or list of pairs) as "name: value" lines. */
export function headerLines(headers: unknown): string[] {
  if (!headers) return [];
  const pairs: Array<[string, unknown]> = Array.isArray(headers)
    ? (headers as Array<[string, unknown]>)
    : Object.entries(headers as Record<string, unknown>);
  return pairs.map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
}

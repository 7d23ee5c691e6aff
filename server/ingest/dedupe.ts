import { createHash } from 'node:crypto';
import { DURATION_PATTERN, parseDuration } from '../../config/duration.js';
import type { DedupeConfig } from '../../db/queries/sources.js';
import { headerValue, type IncomingHeaders } from './verifiers/support.js';
import { jsonDepthExceeds } from '../middleware/json-depth.js';

// the stored shape lives with storage; re-exported for the ingest code that computes keys from it
export type { DedupeConfig };

export const MAX_DEDUPE_WINDOW_MS = 30 * 86_400_000;

export const dedupeSchema = {
  type: 'object',
  required: ['key', 'window'],
  additionalProperties: false,
  properties: {
    key: {
      type: 'string',
      maxLength: 256,
      pattern: "^(header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|body_hash|json:[^.\\s]+(\\.[^.\\s]+)*)$",
      description: '`header:<name>`, `body_hash` (SHA-256 of the raw body) or `json:<dot.path>` (e.g. `json:data.object.id`).',
    },
    window: {
      type: 'string',
      pattern: DURATION_PATTERN,
      description: 'How long after the first event a repeat counts as a duplicate, e.g. `1h` (at most 30d).',
    },
  },
} as const;

/** The window in milliseconds (the schema has checked the format). */
export function dedupeWindowMs(config: DedupeConfig): number {
  return parseDuration(config.window) ?? 0;
}

function jsonPathValue(rawBody: Buffer, path: string): unknown {
  const text = rawBody.toString('utf8');
  // CONTRACT §10.1: a body nested deeper than 64 levels counts as non-JSON here, so the selected
  // value can never be deep enough to overflow JSON.stringify below
  if (jsonDepthExceeds(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * The dedupe key of a request: SHA-256 (hex) of the mode and the selected value, so long or
 * sensitive values are never stored. Null when the value is absent (missing header, body not
 * JSON, path not found or null): such a request is never treated as a duplicate.
 */
export function dedupeKey(config: DedupeConfig, rawBody: Buffer, headers: IncomingHeaders): string | null {
  const hash = createHash('sha256');
  if (config.key === 'body_hash') {
    hash.update('body_hash\0').update(rawBody);
  } else if (config.key.startsWith('header:')) {
    const value = headerValue(headers, config.key.slice('header:'.length));
    if (value === undefined) return null;
    hash.update(`${config.key.toLowerCase()}\0${value}`);
  } else {
    const value = jsonPathValue(rawBody, config.key.slice('json:'.length));
    if (value === undefined || value === null) return null;
    hash.update(`${config.key}\0${JSON.stringify(value)}`);
  }
  return hash.digest('hex');
}

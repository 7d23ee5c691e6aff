import type { DbOrTx } from '../../db/index.js';
import { findSource, type VerificationSettings, type VerificationToStore } from '../../db/queries/sources.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { verificationConfigProblem, verificationToStore, type VerificationConfig } from './verifiers/index.js';

/**
 * A source's ingest answers (CONTRACT §9.2): which provider-independent handshakes it answers and
 * the response accepted requests get. They are kept in the stored verification settings under
 * reserved `$` names (no scheme field starts with `$`): they are answered by the same code path
 * as the verification handshakes, change with them, and need no column of their own.
 */

/** Handshakes any source may opt into, whatever its verification type. */
export const OPTIONAL_HANDSHAKES = ['graph'] as const;

/** The answer to an accepted request instead of the default JSON. */
export interface IngestResponse {
  status: number;
  content_type?: string;
  body?: string;
}

export interface SourceOptions {
  handshakes: string[];
  response: IngestResponse | null;
}

const HANDSHAKES_FIELD = '$handshakes';
const RESPONSE_FIELD = '$response';
const RESPONSE_BODY_MAX_BYTES = 4096;
/** Statuses whose answer must not carry a body (RFC 9110 §15.3.5, §15.3.6). */
const BODILESS_STATUSES: readonly number[] = [204, 205];

export const handshakesSchema = {
  type: 'array',
  maxItems: OPTIONAL_HANDSHAKES.length,
  uniqueItems: true,
  items: { type: 'string', enum: [...OPTIONAL_HANDSHAKES] },
  description: 'Handshakes answered for any verification type: `graph` echoes Microsoft Graph `?validationToken=` as text/plain.',
} as const;

export const ingestResponseSchema = {
  type: ['object', 'null'],
  required: ['status'],
  additionalProperties: false,
  description: 'How accepted requests are answered instead of the default JSON; null restores the default.',
  properties: {
    status: { type: 'integer', minimum: 200, maximum: 299 },
    content_type: { type: 'string', minLength: 3, maxLength: 256, pattern: '^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( *;[ -~]*)?$' },
    body: { type: 'string', maxLength: RESPONSE_BODY_MAX_BYTES, description: 'At most 4 KiB (UTF-8); not with 204/205.' },
  },
} as const;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The options kept in stored (or opened) verification settings; defaults when none were set. */
export function sourceOptions(settings: VerificationSettings): SourceOptions {
  const handshakes = settings[HANDSHAKES_FIELD];
  const response = settings[RESPONSE_FIELD];
  return {
    handshakes: Array.isArray(handshakes) ? handshakes.filter((name): name is string => typeof name === 'string') : [],
    response: isRecord(response) && typeof response.status === 'number' ? (response as unknown as IngestResponse) : null,
  };
}

/** The verification settings alone, without the options kept beside them. */
export function withoutOptions(settings: VerificationSettings): VerificationSettings {
  const { [HANDSHAKES_FIELD]: _handshakes, [RESPONSE_FIELD]: _response, ...verification } = settings;
  return verification;
}

function withOptions(settings: VerificationSettings, options: SourceOptions): VerificationSettings {
  const stored: VerificationSettings = { ...withoutOptions(settings) };
  if (options.handshakes.length > 0) stored[HANDSHAKES_FIELD] = options.handshakes;
  if (options.response) stored[RESPONSE_FIELD] = options.response;
  return stored;
}

/** The part of a create or patch body these options come from. */
export interface OptionsBody {
  verification?: VerificationConfig;
  handshakes?: string[];
  response?: IngestResponse | null;
}

/** The verification to store for a new source: its settings (secrets sealed by storage) and options. */
export function newSourceVerification(body: OptionsBody): VerificationToStore {
  const options = { handshakes: body.handshakes ?? [], response: body.response ?? null };
  return verificationToStore(withOptions(body.verification ?? { type: 'none' }, options));
}

/**
 * The verification to store for a patch, or undefined when the patch touches none of it. A new
 * `verification` replaces the settings but keeps the options the patch leaves out; options alone
 * are written beside the stored (still sealed) settings, which are not sealed again.
 */
export async function patchedVerification(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  body: OptionsBody,
): Promise<VerificationToStore | undefined> {
  if (body.verification === undefined && body.handshakes === undefined && body.response === undefined) return undefined;
  const current = await findSource(db, workspaceId, id);
  if (!current) throw new AppError('source_not_found', `No source "${id}" in this workspace.`);
  const before = sourceOptions(current.verification);
  const options = {
    handshakes: body.handshakes ?? before.handshakes,
    response: body.response === undefined ? before.response : body.response,
  };
  if (body.verification !== undefined) return verificationToStore(withOptions(body.verification, options));
  return { settings: withOptions(current.verification, options), secretFields: [] };
}

/**
 * What the schema cannot check: a key the scheme cannot read, a response body over 4 KiB of
 * UTF-8, or a body with a status that has none. 400 invalid_request with details.
 */
export function assertSourceOptions(body: OptionsBody): void {
  const details: ErrorDetail[] = [];
  const keyProblem = body.verification ? verificationConfigProblem(body.verification) : null;
  if (keyProblem) details.push({ path: '/verification/public_key', message: keyProblem });
  const response = body.response;
  if (response?.body !== undefined) {
    if (BODILESS_STATUSES.includes(response.status)) {
      details.push({ path: '/response/body', message: `must be absent with status ${response.status}` });
    }
    if (Buffer.byteLength(response.body, 'utf8') > RESPONSE_BODY_MAX_BYTES) {
      details.push({ path: '/response/body', message: `must be at most ${RESPONSE_BODY_MAX_BYTES} bytes of UTF-8` });
    }
  }
  if (details.length > 0) throw new AppError('invalid_request', 'The source settings are not usable.', { details });
}

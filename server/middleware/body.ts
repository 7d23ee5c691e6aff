import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { AppError } from '../errors.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.js';

/** API request bodies are capped at 1 MiB (413 payload_too_large beyond). */
export const API_BODY_LIMIT = 1024 * 1024;

/** Reads the raw request body up to `limit` bytes; 413 `payload_too_large` beyond it. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw new AppError('payload_too_large', `The request body is larger than ${limit} bytes.`);
  try {
    return await getRawBody(ctx.req, { limit });
  } catch (error) {
    const err = error as { type?: string };
    if (err.type === 'entity.too.large') throw new AppError('payload_too_large', `The request body is larger than ${limit} bytes.`);
    throw new AppError('invalid_request', 'The request body could not be read.');
  }
}

/**
 * Reads and parses a JSON body. Returns undefined for an empty body; 400 `invalid_request` when it
 * nests deeper than 64 levels (checked on the text, before anything builds or walks the value);
 * 400 `invalid_json` when the bytes are not JSON. The raw text is kept on ctx.state.rawBody for
 * routes that need the bytes.
 */
export async function readJsonBody(ctx: Context): Promise<unknown> {
  const raw = await readRawBody(ctx, API_BODY_LIMIT);
  const text = raw.toString('utf8');
  ctx.state.rawBody = text;
  if (text.trim() === '') return undefined;
  if (jsonDepthExceeds(text)) {
    throw new AppError('invalid_request', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`, {
      details: [{ path: '/', message: `must not nest objects and arrays deeper than ${MAX_JSON_DEPTH} levels` }],
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
}

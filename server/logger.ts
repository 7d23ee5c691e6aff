import { pino, type Logger } from 'pino';

/**
 * JSON-lines logger. Anything that could carry a key, a secret or a payload is redacted by path,
 * and request logs never include bodies, query strings or ingest/portal tokens.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'dispatch' },
      redact: {
        paths: [
          'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
          'secret', '*.secret', 'key', '*.key', 'payload', '*.payload', 'body', '*.body', 'token', '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}

/** A path safe to log: ingest tokens and portal tokens are cut out. */
export function loggablePath(path: string): string {
  return path.replace(/^\/in\/[^/]+/, '/in/[token]');
}

import { DURATION_PATTERN } from './duration.js';

const durationList = `^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*(,\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*)*$`;
const cidr = '[0-9a-fA-F:.]+/\\d{1,3}';

/**
 * The environment variables Dispatch reads, as a JSON Schema over their raw string values.
 * `description` is what start-up prints when a value does not match.
 */
export const envSchema = {
  type: 'object',
  properties: {
    PORT: { type: 'string', pattern: '^\\d{1,5}$', description: 'a port number 0-65535' },
    HOST: { type: 'string', minLength: 1, description: 'a listen address such as 0.0.0.0' },
    DATABASE_URL: {
      type: 'string',
      pattern: '^(sqlite:.+|mysql://.+)$',
      description: 'sqlite:<path> or mysql://user:pass@host:port/db',
    },
    // MySQL by parts (used instead of DATABASE_URL when DISPATCH_DB_HOST is set): a password
    // needs no URL encoding this way, which a compose file cannot do
    DISPATCH_DB_HOST: { type: 'string', pattern: '^[A-Za-z0-9._:\\[\\]-]{1,255}$', description: 'a MySQL host name or address' },
    DISPATCH_DB_PORT: { type: 'string', pattern: '^\\d{1,5}$', description: 'a port number 1-65535' },
    DISPATCH_DB_USER: { type: 'string', minLength: 1, maxLength: 128, description: 'a MySQL user name (1-128 characters)' },
    DISPATCH_DB_PASSWORD: { type: 'string', maxLength: 1024, description: 'a password of at most 1024 characters' },
    DISPATCH_DB_NAME: { type: 'string', pattern: '^[^/\\\\.]{1,64}$', description: 'a database name (1-64 characters, no / or .)' },
    DISPATCH_ADMIN_KEY: {
      type: 'string',
      pattern: '^rlk_[A-Za-z0-9_-]{16,}$',
      description: 'a key starting rlk_ followed by at least 16 letters, digits, _ or -',
    },
    DISPATCH_PUBLIC_URL: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'an http(s) URL' },
    DISPATCH_RETRY_SCHEDULE: { type: 'string', pattern: durationList, description: 'a comma list of durations like 5s,5m,30m' },
    DISPATCH_REQUEST_TIMEOUT: { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 15s' },
    DISPATCH_DISABLE_AFTER: { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 5d' },
    DISPATCH_ALLOW_PRIVATE_NETWORKS: { type: 'string', enum: ['true', 'false', '1', '0'], description: 'true or false' },
    DISPATCH_ALLOWED_CIDRS: {
      type: 'string',
      pattern: `^\\s*(${cidr}\\s*(,\\s*${cidr}\\s*)*)?$`,
      description: 'a comma list of CIDRs like 10.0.0.0/8',
    },
    DISPATCH_CONCURRENCY: { type: 'string', pattern: '^[1-9]\\d{0,5}$', description: 'a positive whole number' },
    DISPATCH_ENCRYPTION_KEY: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$', description: 'a 32-byte key in base64 (44 characters)' },
    DISPATCH_PLAN_LIMITS: {
      type: 'string',
      description: 'JSON like {"apps":10,"endpoints_per_recipient":5,"sources":10,"messages_per_second":100}',
    },
    DISPATCH_ANOMALY_INTERVAL: { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 30s' },
    DISPATCH_FAILING_THRESHOLD: { type: 'string', pattern: '^[1-9]\\d{0,5}$', description: 'a positive whole number' },
    DISPATCH_RETENTION: { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 30d' },
    DISPATCH_RETENTION_DELETE_AFTER: { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 90d' },
    DISPATCH_SHUTDOWN_GRACE: { type: 'string', pattern: DURATION_PATTERN, description: 'a duration like 10s' },
    DISPATCH_LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      description: 'one of fatal, error, warn, info, debug, trace, silent',
    },
  },
} as const;

export type EnvName = keyof typeof envSchema.properties;

/** The plan limits object inside DISPATCH_PLAN_LIMITS. */
export const planLimitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apps: { type: 'integer', minimum: 0 },
    endpoints_per_recipient: { type: 'integer', minimum: 0 },
    sources: { type: 'integer', minimum: 0 },
    messages_per_second: { type: 'integer', minimum: 1 },
  },
} as const;

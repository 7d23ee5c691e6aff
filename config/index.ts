import { Ajv } from 'ajv';
import ipaddr from 'ipaddr.js';
import { readFileSync } from 'node:fs';
import { envSchema, planLimitsSchema, type EnvName } from './schema.js';
import { parseDuration, parseDurationList } from './duration.js';

export interface PlanLimits {
  apps?: number;
  endpoints_per_recipient?: number;
  sources?: number;
  messages_per_second?: number;
}

export interface Config {
  version: string;
  port: number;
  host: string;
  databaseUrl: string;
  adminKey: string | null;
  publicUrl: string;
  retryScheduleMs: number[];
  requestTimeoutMs: number;
  disableAfterMs: number;
  allowPrivateNetworks: boolean;
  allowedCidrs: string[];
  concurrency: number;
  encryptionKey: Buffer | null;
  planLimits: PlanLimits;
  anomalyIntervalMs: number;
  failingThreshold: number;
  retentionMs: number;
  /** Rows (messages, events, their deliveries and attempts) older than this are deleted; default 3 × retentionMs. */
  retentionDeleteAfterMs: number;
  /** How long SIGTERM lets requests and deliveries in progress finish before closing what is left. */
  shutdownGraceMs: number;
  logLevel: string;
}

/** Thrown when an environment variable has a value Dispatch cannot use; the message is one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    value: string,
  ) {
    super(`${variable}=${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

const DEFAULTS: Readonly<Record<EnvName, string>> = {
  PORT: '8080',
  HOST: '0.0.0.0',
  DATABASE_URL: 'sqlite:./data/dispatch.sqlite',
  // empty host = DATABASE_URL decides; set = MySQL at these parts
  DISPATCH_DB_HOST: '',
  DISPATCH_DB_PORT: '3306',
  DISPATCH_DB_USER: 'dispatch',
  DISPATCH_DB_PASSWORD: '',
  DISPATCH_DB_NAME: 'dispatch',
  DISPATCH_ADMIN_KEY: '',
  DISPATCH_PUBLIC_URL: '',
  DISPATCH_RETRY_SCHEDULE: '5s,5m,30m,2h,5h,10h,10h',
  DISPATCH_REQUEST_TIMEOUT: '15s',
  DISPATCH_DISABLE_AFTER: '5d',
  DISPATCH_ALLOW_PRIVATE_NETWORKS: 'false',
  DISPATCH_ALLOWED_CIDRS: '',
  DISPATCH_CONCURRENCY: '200',
  DISPATCH_ENCRYPTION_KEY: '',
  DISPATCH_PLAN_LIMITS: '{}',
  DISPATCH_ANOMALY_INTERVAL: '30s',
  DISPATCH_FAILING_THRESHOLD: '5',
  DISPATCH_RETENTION: '30d',
  // empty = three times DISPATCH_RETENTION (computed below)
  DISPATCH_RETENTION_DELETE_AFTER: '',
  DISPATCH_SHUTDOWN_GRACE: '10s',
  DISPATCH_LOG_LEVEL: 'info',
};

/** Every environment variable Dispatch reads (the compose file and README are checked against this). */
export const ENV_VARIABLES = Object.keys(DEFAULTS) as EnvName[];

/** The checks of every variable, compiled per load: an ajv caches what it compiled, so none is kept at module level. */
function compileChecks() {
  const ajv = new Ajv({ allErrors: false });
  const variables = Object.fromEntries(ENV_VARIABLES.map((name) => [name, ajv.compile(envSchema.properties[name])])) as Readonly<
    Record<EnvName, ReturnType<typeof ajv.compile>>
  >;
  return { variables, planLimits: ajv.compile(planLimitsSchema) };
}

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // running from dist/ or from the source tree: try the other depth
    }
  }
  return '0.0.0';
}

/**
 * `DATABASE_URL`, or the MySQL URL built from `DISPATCH_DB_HOST/PORT/USER/PASSWORD/NAME` when
 * `DISPATCH_DB_HOST` is set (each part URL-encoded, so any password works; db/ decodes them).
 */
function databaseUrl(raw: Readonly<Record<EnvName, string>>): string {
  if (!raw.DISPATCH_DB_HOST) return raw.DATABASE_URL;
  const port = Number(raw.DISPATCH_DB_PORT);
  if (port < 1 || port > 65535)
    throw new ConfigError('DISPATCH_DB_PORT', envSchema.properties.DISPATCH_DB_PORT.description, raw.DISPATCH_DB_PORT);
  const part = encodeURIComponent;
  return `mysql://${part(raw.DISPATCH_DB_USER)}:${part(raw.DISPATCH_DB_PASSWORD)}@${raw.DISPATCH_DB_HOST}:${port}/${part(raw.DISPATCH_DB_NAME)}`;
}

/**
 * Reads and validates the configuration. The only reader of `process.env` in the codebase:
 * everything else receives the returned object. Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const checks = compileChecks();
  const raw = {} as Record<EnvName, string>;
  for (const name of ENV_VARIABLES) {
    const given = env[name];
    // a password is taken as given: its spaces may be part of it
    const value = given === undefined || given.trim() === '' ? DEFAULTS[name] : name === 'DISPATCH_DB_PASSWORD' ? given : given.trim();
    if (value !== '' && !checks.variables[name](value)) {
      throw new ConfigError(name, envSchema.properties[name].description, name === 'DISPATCH_DB_PASSWORD' ? '<hidden>' : value);
    }
    raw[name] = value;
  }

  let planLimits: PlanLimits;
  try {
    // checked against planLimitsSchema right below
    planLimits = JSON.parse(raw.DISPATCH_PLAN_LIMITS) as PlanLimits;
  } catch {
    throw new ConfigError('DISPATCH_PLAN_LIMITS', envSchema.properties.DISPATCH_PLAN_LIMITS.description, raw.DISPATCH_PLAN_LIMITS);
  }
  if (!checks.planLimits(planLimits)) {
    throw new ConfigError('DISPATCH_PLAN_LIMITS', envSchema.properties.DISPATCH_PLAN_LIMITS.description, raw.DISPATCH_PLAN_LIMITS);
  }

  const port = Number(raw.PORT);
  if (port > 65535) throw new ConfigError('PORT', envSchema.properties.PORT.description, raw.PORT);

  let encryptionKey: Buffer | null = null;
  if (raw.DISPATCH_ENCRYPTION_KEY) {
    encryptionKey = Buffer.from(raw.DISPATCH_ENCRYPTION_KEY, 'base64');
    if (encryptionKey.length !== 32) {
      throw new ConfigError('DISPATCH_ENCRYPTION_KEY', envSchema.properties.DISPATCH_ENCRYPTION_KEY.description, '<hidden>');
    }
  }

  const allowedCidrs = raw.DISPATCH_ALLOWED_CIDRS.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const cidr of allowedCidrs) {
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      throw new ConfigError('DISPATCH_ALLOWED_CIDRS', envSchema.properties.DISPATCH_ALLOWED_CIDRS.description, raw.DISPATCH_ALLOWED_CIDRS);
    }
  }

  const duration = (name: EnvName) => parseDuration(raw[name]) as number;
  const retentionMs = duration('DISPATCH_RETENTION');
  const retentionDeleteAfterMs = raw.DISPATCH_RETENTION_DELETE_AFTER ? duration('DISPATCH_RETENTION_DELETE_AFTER') : 3 * retentionMs;
  // deleting a row before its payload is purged would make DISPATCH_RETENTION meaningless
  if (retentionDeleteAfterMs < retentionMs) {
    throw new ConfigError('DISPATCH_RETENTION_DELETE_AFTER', 'a duration at least DISPATCH_RETENTION', raw.DISPATCH_RETENTION_DELETE_AFTER);
  }
  return Object.freeze({
    version: readVersion(),
    port,
    host: raw.HOST,
    databaseUrl: databaseUrl(raw),
    adminKey: raw.DISPATCH_ADMIN_KEY || null,
    publicUrl: (raw.DISPATCH_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    retryScheduleMs: parseDurationList(raw.DISPATCH_RETRY_SCHEDULE) as number[],
    requestTimeoutMs: duration('DISPATCH_REQUEST_TIMEOUT'),
    disableAfterMs: duration('DISPATCH_DISABLE_AFTER'),
    allowPrivateNetworks: raw.DISPATCH_ALLOW_PRIVATE_NETWORKS === 'true' || raw.DISPATCH_ALLOW_PRIVATE_NETWORKS === '1',
    allowedCidrs,
    concurrency: Number(raw.DISPATCH_CONCURRENCY),
    encryptionKey,
    planLimits,
    anomalyIntervalMs: duration('DISPATCH_ANOMALY_INTERVAL'),
    failingThreshold: Number(raw.DISPATCH_FAILING_THRESHOLD),
    retentionMs,
    retentionDeleteAfterMs,
    shutdownGraceMs: duration('DISPATCH_SHUTDOWN_GRACE'),
    logLevel: raw.DISPATCH_LOG_LEVEL,
  });
}

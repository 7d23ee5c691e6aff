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
  logLevel: string;
}

/** Thrown when an environment variable has a value Dispatch cannot use; the message is one line. */
export class ConfigError extends Error {
  constructor(readonly variable: string, expected: string, value: string) {
    super(`${variable}=${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

const DEFAULTS: Record<EnvName, string> = {
  PORT: '8080',
  HOST: '0.0.0.0',
  DATABASE_URL: 'sqlite:./data/dispatch.sqlite',
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
  DISPATCH_LOG_LEVEL: 'info',
};

/** Every environment variable Dispatch reads (the compose file and README are checked against this). */
export const ENV_VARIABLES = Object.keys(DEFAULTS) as EnvName[];

const ajv = new Ajv({ allErrors: false });
const validators = Object.fromEntries(
  ENV_VARIABLES.map((name) => [name, ajv.compile(envSchema.properties[name])]),
) as Record<EnvName, ReturnType<typeof ajv.compile>>;
const validatePlanLimits = ajv.compile(planLimitsSchema);

function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')).version as string;
    } catch {
      // running from dist/ or from the source tree: try the other depth
    }
  }
  return '0.0.0';
}

/**
 * Reads and validates the configuration. The only reader of `process.env` in the codebase:
 * everything else receives the returned object. Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const raw = {} as Record<EnvName, string>;
  for (const name of ENV_VARIABLES) {
    const given = env[name];
    const value = given === undefined || given.trim() === '' ? DEFAULTS[name] : given.trim();
    if (value !== '' && !validators[name](value)) {
      throw new ConfigError(name, envSchema.properties[name].description, value);
    }
    raw[name] = value;
  }

  let planLimits: PlanLimits;
  try {
    planLimits = JSON.parse(raw.DISPATCH_PLAN_LIMITS);
  } catch {
    throw new ConfigError('DISPATCH_PLAN_LIMITS', envSchema.properties.DISPATCH_PLAN_LIMITS.description, raw.DISPATCH_PLAN_LIMITS);
  }
  if (!validatePlanLimits(planLimits)) {
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

  const allowedCidrs = raw.DISPATCH_ALLOWED_CIDRS.split(',').map((c) => c.trim()).filter(Boolean);
  for (const cidr of allowedCidrs) {
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      throw new ConfigError('DISPATCH_ALLOWED_CIDRS', envSchema.properties.DISPATCH_ALLOWED_CIDRS.description, raw.DISPATCH_ALLOWED_CIDRS);
    }
  }

  const duration = (name: EnvName) => parseDuration(raw[name]) as number;
  return Object.freeze({
    version: readVersion(),
    port,
    host: raw.HOST,
    databaseUrl: raw.DATABASE_URL,
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
    retentionMs: duration('DISPATCH_RETENTION'),
    logLevel: raw.DISPATCH_LOG_LEVEL,
  });
}

import t from 'tap';
import { loadConfig, ConfigError, ENV_VARIABLES } from '../../config/index.js';

t.test('loadConfig applies the contract defaults', async (t) => {
  const config = loadConfig({});
  t.equal(config.port, 8080);
  t.equal(config.host, '0.0.0.0');
  t.equal(config.databaseUrl, 'sqlite:./data/dispatch.sqlite');
  t.equal(config.publicUrl, 'http://localhost:8080');
  t.same(config.retryScheduleMs, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  t.equal(config.requestTimeoutMs, 15_000);
  t.equal(config.disableAfterMs, 5 * 86_400_000);
  t.equal(config.allowPrivateNetworks, false);
  t.same(config.allowedCidrs, []);
  t.equal(config.concurrency, 200);
  t.equal(config.encryptionKey, null);
  t.same(config.planLimits, {});
  t.equal(config.anomalyIntervalMs, 30_000);
  t.equal(config.failingThreshold, 5);
  t.equal(config.retentionMs, 30 * 86_400_000);
  t.equal(config.logLevel, 'info');
  t.equal(config.adminKey, null);
});

t.test('loadConfig reads every variable', async (t) => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const config = loadConfig({
    PORT: '9000',
    HOST: '127.0.0.1',
    DATABASE_URL: 'mysql://u:p@db:3306/dispatch',
    DISPATCH_ADMIN_KEY: 'rlk_0123456789abcdefXYZ',
    DISPATCH_PUBLIC_URL: 'https://hooks.example.com/',
    DISPATCH_RETRY_SCHEDULE: '200ms, 1s,2m',
    DISPATCH_REQUEST_TIMEOUT: '2s',
    DISPATCH_DISABLE_AFTER: '1h',
    DISPATCH_ALLOW_PRIVATE_NETWORKS: 'true',
    DISPATCH_ALLOWED_CIDRS: '10.0.0.0/8, fd00::/8',
    DISPATCH_CONCURRENCY: '50',
    DISPATCH_ENCRYPTION_KEY: key,
    DISPATCH_PLAN_LIMITS: '{"apps":2,"messages_per_second":10}',
    DISPATCH_ANOMALY_INTERVAL: '500ms',
    DISPATCH_FAILING_THRESHOLD: '3',
    DISPATCH_RETENTION: '7d',
    DISPATCH_LOG_LEVEL: 'warn',
  });
  t.equal(config.port, 9000);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.databaseUrl, 'mysql://u:p@db:3306/dispatch');
  t.equal(config.adminKey, 'rlk_0123456789abcdefXYZ');
  t.equal(config.publicUrl, 'https://hooks.example.com');
  t.same(config.retryScheduleMs, [200, 1000, 120_000]);
  t.equal(config.requestTimeoutMs, 2000);
  t.equal(config.disableAfterMs, 3_600_000);
  t.equal(config.allowPrivateNetworks, true);
  t.same(config.allowedCidrs, ['10.0.0.0/8', 'fd00::/8']);
  t.equal(config.concurrency, 50);
  t.same(config.encryptionKey, Buffer.alloc(32, 7));
  t.same(config.planLimits, { apps: 2, messages_per_second: 10 });
  t.equal(config.anomalyIntervalMs, 500);
  t.equal(config.failingThreshold, 3);
  t.equal(config.retentionMs, 7 * 86_400_000);
  t.equal(config.logLevel, 'warn');
  t.ok(Object.isFrozen(config));
});

t.test('loadConfig names the bad variable in one line', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['PORT', 'eighty', /^PORT=.* expected a port number/],
    ['PORT', '70000', /^PORT=/],
    ['DATABASE_URL', 'postgres://x', /^DATABASE_URL=.*sqlite:<path> or mysql:/],
    ['DISPATCH_ADMIN_KEY', 'abc', /^DISPATCH_ADMIN_KEY=.*rlk_/],
    ['DISPATCH_RETRY_SCHEDULE', '5s,soon', /^DISPATCH_RETRY_SCHEDULE=/],
    ['DISPATCH_REQUEST_TIMEOUT', '15', /^DISPATCH_REQUEST_TIMEOUT=.*duration/],
    ['DISPATCH_ALLOW_PRIVATE_NETWORKS', 'yes', /^DISPATCH_ALLOW_PRIVATE_NETWORKS=.*true or false/],
    ['DISPATCH_ALLOWED_CIDRS', '10.0.0.0/99', /^DISPATCH_ALLOWED_CIDRS=/],
    ['DISPATCH_CONCURRENCY', '0', /^DISPATCH_CONCURRENCY=/],
    ['DISPATCH_ENCRYPTION_KEY', 'short', /^DISPATCH_ENCRYPTION_KEY=.*32-byte/],
    ['DISPATCH_PLAN_LIMITS', '{apps:1}', /^DISPATCH_PLAN_LIMITS=/],
    ['DISPATCH_PLAN_LIMITS', '{"apps":-1}', /^DISPATCH_PLAN_LIMITS=/],
    ['DISPATCH_PLAN_LIMITS', '{"bananas":1}', /^DISPATCH_PLAN_LIMITS=/],
    ['DISPATCH_LOG_LEVEL', 'loud', /^DISPATCH_LOG_LEVEL=.*one of/],
  ];
  for (const [name, value, pattern] of cases) {
    t.throws(() => loadConfig({ [name]: value }), ConfigError, `${name}=${value}`);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      t.match((error as Error).message, pattern, `${name}=${value}`);
      t.notOk((error as Error).message.includes('\n'), 'one line');
      t.equal((error as ConfigError).variable, name);
    }
  }
});

t.test('ENV_VARIABLES lists every contract variable', async (t) => {
  t.same([...ENV_VARIABLES].sort(), [
    'DATABASE_URL',
    'DISPATCH_ADMIN_KEY',
    'DISPATCH_ALLOWED_CIDRS',
    'DISPATCH_ALLOW_PRIVATE_NETWORKS',
    'DISPATCH_ANOMALY_INTERVAL',
    'DISPATCH_CONCURRENCY',
    'DISPATCH_DB_HOST',
    'DISPATCH_DB_NAME',
    'DISPATCH_DB_PASSWORD',
    'DISPATCH_DB_PORT',
    'DISPATCH_DB_USER',
    'DISPATCH_DISABLE_AFTER',
    'DISPATCH_ENCRYPTION_KEY',
    'DISPATCH_FAILING_THRESHOLD',
    'DISPATCH_LOG_LEVEL',
    'DISPATCH_PLAN_LIMITS',
    'DISPATCH_PUBLIC_URL',
    'DISPATCH_REQUEST_TIMEOUT',
    'DISPATCH_RETENTION',
    'DISPATCH_RETENTION_DELETE_AFTER',
    'DISPATCH_RETRY_SCHEDULE',
    'DISPATCH_SHUTDOWN_GRACE',
    'HOST',
    'PORT',
  ]);
});

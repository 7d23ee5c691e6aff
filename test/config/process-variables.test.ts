import t from 'tap';
import { loadConfig, ConfigError } from '../../config/index.js';

const DAY = 86_400_000;

t.test('DISPATCH_RETENTION_DELETE_AFTER defaults to three times DISPATCH_RETENTION', async (t) => {
  t.equal(loadConfig({}).retentionDeleteAfterMs, 90 * DAY);
  t.equal(loadConfig({ DISPATCH_RETENTION: '2h' }).retentionDeleteAfterMs, 6 * 3_600_000);
  t.equal(loadConfig({ DISPATCH_RETENTION: '2h', DISPATCH_RETENTION_DELETE_AFTER: '1d' }).retentionDeleteAfterMs, DAY);
});

t.test('DISPATCH_RETENTION_DELETE_AFTER must be a duration no shorter than DISPATCH_RETENTION', async (t) => {
  t.throws(() => loadConfig({ DISPATCH_RETENTION_DELETE_AFTER: 'later' }), ConfigError);
  t.throws(
    () => loadConfig({ DISPATCH_RETENTION: '30d', DISPATCH_RETENTION_DELETE_AFTER: '1d' }),
    /^DISPATCH_RETENTION_DELETE_AFTER=.*at least DISPATCH_RETENTION/,
  );
});

t.test('DISPATCH_SHUTDOWN_GRACE defaults to 10 s and takes a duration', async (t) => {
  t.equal(loadConfig({}).shutdownGraceMs, 10_000);
  t.equal(loadConfig({ DISPATCH_SHUTDOWN_GRACE: '750ms' }).shutdownGraceMs, 750);
  t.throws(() => loadConfig({ DISPATCH_SHUTDOWN_GRACE: 'soon' }), /^DISPATCH_SHUTDOWN_GRACE=.*duration/);
});

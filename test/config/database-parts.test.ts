import t from 'tap';
import { ConfigError, loadConfig } from '../../config/index.js';

t.test('loadConfig builds the MySQL URL from DISPATCH_DB_* with every part URL-encoded', async (t) => {
  const password = ` p@ss:w/o#r%d?&x'y"z\\ `;
  const config = loadConfig({
    DATABASE_URL: 'sqlite:/app/data/dispatch.sqlite',
    DISPATCH_DB_HOST: 'mysql',
    DISPATCH_DB_USER: 'dis@patch',
    DISPATCH_DB_PASSWORD: password,
    DISPATCH_DB_NAME: 'dispatch',
  });
  const url = new URL(config.databaseUrl);
  t.equal(url.protocol, 'mysql:');
  t.equal(url.hostname, 'mysql');
  t.equal(url.port, '3306', 'the default port');
  t.equal(decodeURIComponent(url.username), 'dis@patch');
  t.equal(decodeURIComponent(url.password), password, 'the password survives as given, spaces included');
  t.equal(decodeURIComponent(url.pathname.slice(1)), 'dispatch');
});

t.test('loadConfig uses DATABASE_URL when DISPATCH_DB_HOST is empty', async (t) => {
  t.equal(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/x', DISPATCH_DB_HOST: ' ' }).databaseUrl, 'mysql://u:p@db:3306/x');
  t.equal(loadConfig({}).databaseUrl, 'sqlite:./data/dispatch.sqlite');
});

t.test('loadConfig takes the defaults for the other parts and a given port', async (t) => {
  t.equal(loadConfig({ DISPATCH_DB_HOST: '10.0.0.5', DISPATCH_DB_PORT: '3307' }).databaseUrl, 'mysql://dispatch:@10.0.0.5:3307/dispatch');
});

t.test('loadConfig refuses bad parts naming the variable, never printing the password', async (t) => {
  for (const [name, value] of [
    ['DISPATCH_DB_HOST', 'db host'],
    ['DISPATCH_DB_HOST', 'db/x'],
    ['DISPATCH_DB_PORT', '0'],
    ['DISPATCH_DB_PORT', '70000'],
    ['DISPATCH_DB_NAME', 'a/b'],
    ['DISPATCH_DB_USER', 'u'.repeat(129)],
    ['DISPATCH_DB_PASSWORD', 'secret-'.repeat(200)],
  ] as const) {
    try {
      loadConfig({ DISPATCH_DB_HOST: 'mysql', [name]: value });
      t.fail(`${name}=${value.slice(0, 20)} was accepted`);
    } catch (error) {
      t.ok(error instanceof ConfigError, name);
      t.equal((error as ConfigError).variable, name);
      if (name === 'DISPATCH_DB_PASSWORD') t.notMatch((error as Error).message, /secret-/, 'the password is not in the message');
    }
  }
});

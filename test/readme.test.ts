import t from 'tap';
import { readFileSync } from 'node:fs';
import { ERROR_TABLE } from '../server/errors.js';
import { ENV_VARIABLES } from '../config/index.js';
import { ALL_SCOPES } from '../server/scopes.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

t.test('README error table equals the code error table', async (t) => {
  const rows = [...readme.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)].map(([, status, code]) => [code, Number(status)]);
  t.ok(rows.length > 0);
  t.same(Object.fromEntries(rows), Object.fromEntries(Object.entries(ERROR_TABLE).map(([code, entry]) => [code, entry.status])));
});

t.test('README shows the start and test commands', async (t) => {
  t.match(readme, 'npm ci && npm start');
  t.match(readme, 'npm test');
});

t.test('README documents every configuration variable and scope', async (t) => {
  for (const name of ENV_VARIABLES) t.match(readme, `\`${name}\``, name);
  for (const scope of ALL_SCOPES) t.match(readme, `\`${scope}\``, scope);
});

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// Layers point one way: server → db, never back (STYLE.md pattern 3). db/ answers rows or
// storage errors and owns secrets at rest; only db/queries speaks SQL. These checks read the
// source with the TypeScript parser, so comments and strings never count and `import type` does.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Names a knex handle goes by in server code (`deps.db`, `ctx.db`, a transaction's `tx`/`trx`). */
const KNEX_HANDLES = new Set(['db', 'tx', 'trx', 'knex']);
/** Members of a knex handle that build or run SQL, or sniff the dialect (`db.client.config`). */
const KNEX_MEMBERS = new Set(['raw', 'schema', 'fn', 'ref', 'client', 'migrate', 'queryBuilder', 'select', 'from', 'table', 'with']);

/**
 * Direct knex uses the server may keep, as `file: member`, each with why. Opening and closing
 * transactions and the pool are lifecycle, not SQL, so they are not flagged at all
 * (`db.transaction(`, `db.destroy()`). Nothing else is allowed today; add an entry only with a
 * reason a query function in db/queries would be worse.
 */
const ALLOWED: Record<string, string> = {};

/** Driver error codes as string literals (`'ER_DUP_ENTRY'`, `'SQLITE_BUSY'`, `'CR_SERVER_LOST'`…). */
const DRIVER_CODE = /^(ER|SQLITE|CR|PROTOCOL)_[A-Z0-9_]+$/;

/** Files under server/ that may name driver error codes, each with why. */
const DRIVER_CODES_ALLOWED: Record<string, string> = {
  // isDatabaseUnavailable: whether the database is gone is a transport question the error
  // boundary, the workers and start-up ask of any thrown value, including errors of knex's pool
  // and connection that never passed through a query function
  'server/errors.ts': 'connection-loss codes of isDatabaseUnavailable',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** Every module specifier a file imports or re-exports, type-only and dynamic imports included. */
function importedSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** The imports of `file` (a path under ROOT) that resolve into server/. */
function serverImports(file: string, text: string): string[] {
  return importedSpecifiers(text).filter((specifier) => {
    if (!specifier.startsWith('.')) return false;
    const target = relative(ROOT, resolve(ROOT, dirname(file), specifier))
      .split(sep)
      .join('/');
    return target === 'server' || target.startsWith('server/');
  });
}

function nameOf(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

/**
 * Direct knex uses in a source text, as `line: code`: calling a handle as a query builder
 * (`deps.db('apps')`, `tx('endpoints')`), SQL-building members of a handle (`tx.raw(`,
 * `db.client.config`, `db.schema`) and value imports of 'knex' (types are fine).
 */
function knexUses(text: string, fileName = 'x.ts'): { line: number; member: string; code: string }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { line: number; member: string; code: string }[] = [];
  const report = (node: ts.Node, member: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    found.push({ line, member, code: node.getText().split('\n')[0].slice(0, 100) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === 'knex') {
      const clause = node.importClause;
      const typeOnly =
        !clause ||
        clause.isTypeOnly ||
        (!clause.name &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) report(node, 'import knex');
    }
    if (ts.isCallExpression(node) && KNEX_HANDLES.has(nameOf(node.expression) ?? '')) report(node, 'query builder');
    if (ts.isPropertyAccessExpression(node) && KNEX_MEMBERS.has(node.name.text) && KNEX_HANDLES.has(nameOf(node.expression) ?? '')) {
      report(node, node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Driver error codes named in a source text (string literals only: comments do not count). */
function driverCodes(text: string): string[] {
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && DRIVER_CODE.test(node.text)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

t.test('the detectors catch what they are meant to (and nothing else)', async (t) => {
  t.same(
    serverImports('db/queries/x.ts', "import type { A } from '../../server/errors.js';"),
    ['../../server/errors.js'],
    'import type counts',
  );
  t.same(
    serverImports('db/x.ts', "export { a } from '../server/secrets.js';\nconst m = await import('../server/app.js');"),
    ['../server/secrets.js', '../server/app.js'],
    're-exports and dynamic imports count',
  );
  t.same(
    serverImports('db/queries/x.ts', "import { a } from '../index.js';\n// import { b } from '../../server/errors.js';"),
    [],
    'comments and db imports do not',
  );

  const uses = (code: string) => knexUses(code).map((use) => use.member);
  t.same(uses("await deps.db('apps').where({ id });"), ['query builder']);
  t.same(uses("await tx('endpoints').update({ n: tx.raw('n + 1') });"), ['query builder', 'raw']);
  t.same(uses("if (tx.client.config.client === 'mysql2') {}"), ['client']);
  t.same(uses("import knex from 'knex';"), ['import knex']);
  t.same(uses("import type { Knex } from 'knex';\nimport { type Knex as K } from 'knex';"), [], 'type imports are fine');
  t.same(
    uses('await deps.db.transaction(async (tx) => insertApp(tx, app, now));\nawait db.destroy();'),
    [],
    'transactions and shutdown are fine',
  );
  t.same(uses("const s = String.raw`x`; // db('apps')\nconst q = 'tx.raw(1)';"), [], 'comments, strings and String.raw are not calls');

  t.same(driverCodes("if (error.code === 'ER_LOCK_DEADLOCK' || code === 'SQLITE_BUSY') retry();"), ['ER_LOCK_DEADLOCK', 'SQLITE_BUSY']);
  t.same(driverCodes("// ER_DUP_ENTRY is translated in db/\nconst HEADER_NAME = 'X_Y';"), [], 'comments and other constants do not count');
});

t.test('no file under db/ imports from server/ (not even a type)', async (t) => {
  const offenders = sourceFiles('db').flatMap((file) =>
    serverImports(file, readFileSync(join(ROOT, file), 'utf8')).map((specifier) => `${file} imports ${specifier}`),
  );
  t.same(offenders, [], 'db/ depends on nothing above it');
});

t.test('no file under server/ calls knex directly: SQL lives in db/queries', async (t) => {
  const offenders: string[] = [];
  for (const file of sourceFiles('server')) {
    for (const use of knexUses(readFileSync(join(ROOT, file), 'utf8'), file)) {
      if (ALLOWED[`${file}: ${use.member}`]) continue;
      offenders.push(`${file}:${use.line} ${use.code}`);
    }
  }
  t.same(offenders, [], 'move these into a verb-noun function in db/queries');
});

t.test('no file under server/ reads driver error codes: db/ translates them (STYLE pattern 3)', async (t) => {
  const offenders = sourceFiles('server')
    .filter((file) => !DRIVER_CODES_ALLOWED[file])
    .flatMap((file) => driverCodes(readFileSync(join(ROOT, file), 'utf8')).map((code) => `${file} names ${code}`));
  t.same(offenders, [], 'recognise the error in db/errors.ts and call that');
});

import t from 'tap';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleStateIn, moduleStateInFile, sourceFiles } from './helpers/module-state.js';

// No module-level mutable state (issue 11): caches, writers and sequences live on the object an
// app owns (server/runtime.ts), so two apps in one process never share them and tests do not
// depend on the order they run in. Constant lookup tables stay module-level, typed read-only.
// The checks read the source with the TypeScript parser (test/helpers/module-state.ts).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The process entry point may hold process-wide state (signal handlers); nothing else may. */
const EXEMPT: ReadonlySet<string> = new Set(['server/index.ts']);

t.test('no file under server/, db/ or config/ declares module-level mutable state', async (t) => {
  const files = ['server', 'db', 'config'].flatMap((dir) => sourceFiles(ROOT, dir)).filter((file) => !EXEMPT.has(file));
  t.ok(files.length > 100, `read ${files.length} files`);
  const found = files.flatMap((file) => moduleStateInFile(ROOT, file).map((problem) => `${file}:${problem}`));
  t.same(found, [], 'build it per app (server/runtime.ts) or type the constant read-only');
});

t.test('the module-state check finds each kind of state and passes read-only constants', async (t) => {
  const flagged = (source: string) => moduleStateIn('probe.ts', source).length > 0;
  for (const source of [
    'let lastMs = 0;',
    'var count = 0;',
    'export let handler = () => {};',
    'const cache = new Map<string, number>();',
    'const seen = new Set();',
    'const writers = new WeakMap<object, object>();',
    'const refs = new WeakSet();',
    'const bus = new EventEmitter();',
    'const ajv = new Ajv({ allErrors: true });',
    'const typedAjv: Readonly<Ajv2020> = new Ajv2020();',
    'const slots = new Array(10);',
    'const list = [1, 2];',
    "const headers: Record<string, string> = { a: 'b' };",
    'const options = { retries: 3 };',
    "const names: string[] = ['a'];",
    'const frozenWeak: ReadonlyMap<object, number> = new WeakMap();',
    'const tokens = /x/g;',
    'const nested = ([1]);',
    'const asserted = { a: 1 } as Record<string, number>;',
    'const built: Record<string, number> = Object.fromEntries([]);',
    'const made: Map<string, number> = makeMap();',
  ]) {
    t.ok(flagged(source), `flags: ${source}`);
  }
  for (const source of [
    'const MAX = 10;',
    "const NAME = 'x';",
    "const KINDS = ['a', 'b'] as const;",
    "const KINDS2: readonly string[] = ['a'];",
    'const KINDS3: ReadonlyArray<number> = [1];',
    'const TABLE: Readonly<Record<string, number>> = { a: 1 };',
    "const SET: ReadonlySet<string> = new Set(['a']);",
    "const MAP: ReadonlyMap<string, number> = new Map([['a', 1]]);",
    'const SCHEMA = { type: "object" } as const satisfies object;',
    'const PATTERN = /^x$/;',
    'const build = () => new Map();',
    'function local() { let x = 0; const m = new Map(); return [x, m]; }',
    'const frozen = Object.freeze({ a: 1 });',
    'const registry: Readonly<Record<string, number>> = Object.fromEntries([]);',
  ]) {
    t.notOk(flagged(source), `passes: ${source}`);
  }
});

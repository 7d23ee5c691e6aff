import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Constructors whose instances are containers: a top-level one is state unless typed read-only. */
const CONTAINERS: ReadonlySet<string> = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'EventEmitter']);
/** Instances that keep state whatever their declared type (an ajv caches every schema it compiled). */
const STATEFUL_INSTANCES = /^(WeakMap|WeakSet|EventEmitter|Ajv|Ajv2019|Ajv2020)$/;
/** Type names that make a top-level container or literal read-only (WeakMap/WeakSet/EventEmitter have none). */
const READONLY_TYPES: ReadonlySet<string> = new Set(['Readonly', 'ReadonlyArray', 'ReadonlyMap', 'ReadonlySet']);

function isReadonlyType(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  if (ts.isParenthesizedTypeNode(type)) return isReadonlyType(type.type);
  if (ts.isTypeOperatorNode(type)) return type.operator === ts.SyntaxKind.ReadonlyKeyword;
  if (ts.isTypeReferenceNode(type)) return READONLY_TYPES.has(type.typeName.getText());
  return false;
}

/** Container types whose contents can change: a top-level const declared with one is state. */
const MUTABLE_TYPES: ReadonlySet<string> = new Set(['Record', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Array']);

function isMutableContainerType(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  if (ts.isArrayTypeNode(type) || ts.isTupleTypeNode(type)) return true;
  return ts.isTypeReferenceNode(type) && MUTABLE_TYPES.has(type.typeName.getText());
}

/** Strips parentheses, `satisfies` and non-`const` assertions; reports whether `as const` was met. */
function unwrap(expression: ts.Expression): { inner: ts.Expression; asConst: boolean } {
  let inner = expression;
  for (;;) {
    if (ts.isParenthesizedExpression(inner) || ts.isSatisfiesExpression(inner) || ts.isNonNullExpression(inner)) inner = inner.expression;
    else if (ts.isAsExpression(inner)) {
      if (ts.isTypeReferenceNode(inner.type) && inner.type.typeName.getText() === 'const')
        return { inner: inner.expression, asConst: true };
      if (isReadonlyType(inner.type)) return { inner: inner.expression, asConst: true };
      inner = inner.expression;
    } else return { inner, asConst: false };
  }
}

/** Why a top-level `const name[: type] = initializer` holds mutable state, or null when it does not. */
function constProblem(declaration: ts.VariableDeclaration): string | null {
  if (!declaration.initializer) return null;
  const { inner, asConst } = unwrap(declaration.initializer);
  if (asConst || isReadonlyType(declaration.type)) {
    return ts.isNewExpression(inner) && STATEFUL_INSTANCES.test(inner.expression.getText())
      ? `a module-level ${inner.expression.getText()}`
      : null;
  }
  const type = declaration.type;
  if (type && isMutableContainerType(type)) return `declared as a mutable ${type.getText()}`;
  if (ts.isNewExpression(inner) && STATEFUL_INSTANCES.test(inner.expression.getText()))
    return `a module-level ${inner.expression.getText()}`;
  if (ts.isNewExpression(inner) && CONTAINERS.has(inner.expression.getText())) {
    return `a module-level ${inner.expression.getText()} (type it ReadonlyMap/ReadonlySet/readonly, or build it per app)`;
  }
  if (ts.isArrayLiteralExpression(inner)) return 'an array literal not typed readonly or `as const`';
  if (ts.isObjectLiteralExpression(inner)) return 'an object literal not typed Readonly<…> or `as const`';
  if (ts.isRegularExpressionLiteral(inner) && /\/[a-z]*[gy][a-z]*$/.test(inner.text))
    return 'a global/sticky regex (its lastIndex is state)';
  return null;
}

/**
 * Every declaration of module-level mutable state in one TypeScript source: top-level `let`/`var`,
 * and top-level `const`s initialised with a container (`new Map/Set/WeakMap/WeakSet/Array/
 * EventEmitter`), an array/object literal, or any value declared as a mutable container type
 * (`T[]`, `Record`, `Map`, `Set`…), unless typed read-only (`readonly`,
 * `Readonly<…>`, `ReadonlyMap`/`ReadonlySet`/`ReadonlyArray`, `as const`). Each entry is
 * `line: name — reason`.
 */
export function moduleStateIn(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const declaration of list.declarations) {
      const problem = isConst ? constProblem(declaration) : `a top-level ${list.flags & ts.NodeFlags.Let ? 'let' : 'var'}`;
      if (problem) {
        const line = source.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
        found.push(`${line}: ${declaration.name.getText()} — ${problem}`);
      }
    }
  }
  return found;
}

/** The `.ts` files (not `.d.ts`) under `dir`, as paths relative to `root`. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(root, join(root, path)));
  }
  return out;
}

/** `moduleStateIn` of a file on disk. */
export function moduleStateInFile(root: string, path: string): string[] {
  return moduleStateIn(path, readFileSync(join(root, path), 'utf8'));
}

/** Walks the subschemas of a user-supplied JSON Schema (draft-07, 2019-09, 2020-12) without recursion. */

/** Keywords whose value is one subschema. */
const SCHEMA_KEYWORDS = [
  'additionalProperties',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
  'items',
] as const;
/** Keywords whose value is an array of subschemas (`items` may be one, in draft-07). */
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'] as const;
/** Keywords whose value maps names to subschemas (`dependencies` values may also be name lists). */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'] as const;

/** One JSON-pointer segment (RFC 6901 escaping). */
export function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Calls `visit` on every schema object reachable through the schema keywords above, with its
 * JSON-pointer path below `root`. Values of `const`, `enum`, `default`, `examples` and unknown
 * keywords are data, not schemas, and are not visited. A stack instead of recursion, so the walk
 * holds whatever the input's depth.
 */
export function forEachSubschema(schema: unknown, root: string, visit: (subschema: Record<string, unknown>, path: string) => void): void {
  const stack: Array<{ node: unknown; path: string }> = [{ node: schema, path: root }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (!isObject(node)) continue;
    visit(node, path);
    for (const keyword of SCHEMA_KEYWORDS) {
      if (isObject(node[keyword])) stack.push({ node: node[keyword], path: `${path}/${keyword}` });
    }
    for (const keyword of SCHEMA_ARRAY_KEYWORDS) {
      const list = node[keyword];
      if (Array.isArray(list)) list.forEach((item, i) => stack.push({ node: item, path: `${path}/${keyword}/${i}` }));
    }
    for (const keyword of SCHEMA_MAP_KEYWORDS) {
      const map = node[keyword];
      if (!isObject(map)) continue;
      for (const [name, item] of Object.entries(map)) stack.push({ node: item, path: `${path}/${keyword}/${pointerSegment(name)}` });
    }
  }
}

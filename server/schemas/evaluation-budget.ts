import type { Ajv } from 'ajv';

/**
 * A bound on the work one payload check may do. JSON Schema can be exponential without any regex:
 * `anyOf: [{items: {$ref: N}, minItems: 5}, {items: {$ref: N}}]` checks every level twice, so a
 * 30-deep array costs 2^30 subschema evaluations (~30 s). Every schema object of a user schema gets
 * a hidden keyword that counts one evaluation; past the budget the check stops and the payload is
 * refused. One million evaluations is ~30-60 ms here and more than a 1 MiB payload needs with any
 * schema that does not branch exponentially (500,000 array items checked by one subschema each).
 */
export const EVALUATION_BUDGET = 1_000_000;

/** The counting keyword; its name cannot collide with a JSON Schema keyword. */
export const EVALUATION_KEYWORD = 'x-dispatch-evaluation';

/** Thrown from inside ajv's generated code when the budget runs out (unwinds the whole check). */
export class EvaluationBudgetExceeded extends Error {
  constructor() {
    super(`The check needs more than ${EVALUATION_BUDGET} schema evaluations.`);
    this.name = 'EvaluationBudgetExceeded';
  }
}

/** The evaluations left for the check in progress; one per compiled validator, reset before each call. */
export interface EvaluationMeter {
  left: number;
}

/** Registers the counting keyword on `ajv`; the returned meter is the one its evaluations draw from. */
export function addEvaluationMeter(ajv: Ajv): EvaluationMeter {
  const meter: EvaluationMeter = { left: EVALUATION_BUDGET };
  ajv.addKeyword({
    keyword: EVALUATION_KEYWORD,
    schemaType: 'boolean',
    errors: false,
    validate: () => {
      meter.left -= 1;
      if (meter.left < 0) throw new EvaluationBudgetExceeded();
      return true;
    },
  });
  return meter;
}

/** Keywords whose values are data (compared, never applied as schemas): copied untouched. */
const DATA_KEYWORDS: ReadonlySet<string> = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords whose value maps names (or patterns) to subschemas: the map itself gets no counter. */
const MAP_KEYWORDS: ReadonlySet<string> = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'dependencies',
]);

type Json = unknown;

/** Sets an own property even for `__proto__` (plain assignment would replace the copy's prototype). */
function setOwn(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `schema` with the counting keyword in every object that can be applied as a schema —
 * also under unknown keywords, since a `$ref` may point anywhere. Iterative, so any depth is fine.
 */
export function withEvaluationCounting(schema: Record<string, unknown>): Record<string, unknown> {
  const root: { value?: Json } = {};
  const stack: Array<{ source: Json; assign: (copy: Json) => void; isMap: boolean }> = [
    {
      source: schema,
      assign: (copy) => {
        root.value = copy;
      },
      isMap: false,
    },
  ];
  while (stack.length > 0) {
    const { source, assign, isMap } = stack.pop()!;
    if (Array.isArray(source)) {
      const copy: Json[] = new Array(source.length);
      assign(copy);
      source.forEach((item, i) =>
        stack.push({
          source: item,
          assign: (c) => {
            copy[i] = c;
          },
          isMap: false,
        }),
      );
    } else if (typeof source === 'object' && source !== null) {
      const copy: Record<string, Json> = {};
      assign(copy);
      for (const [key, value] of Object.entries(source)) {
        if (!isMap && DATA_KEYWORDS.has(key)) setOwn(copy, key, value);
        else stack.push({ source: value, assign: (c) => setOwn(copy, key, c), isMap: !isMap && MAP_KEYWORDS.has(key) });
      }
      if (!isMap) copy[EVALUATION_KEYWORD] = true;
    } else {
      assign(source);
    }
  }
  return root.value as Record<string, unknown>;
}

import t from 'tap';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { buildOpenApi } from '../../server/openapi.js';
import { documentPortalRoutes } from '../../server/portal/define-portal-route.js';
import { portalRoutes } from '../../server/portal/router.js';
import { apiRoutes } from '../../server/routes/index.js';
import type { Json } from '../helpers/json.js';

/**
 * CONTRACT §11 "OpenAPI is complete", checked on the document the server serves: every 2xx has an
 * envelope schema around its object, every query parameter and read header is documented, every
 * `$ref` resolves, no object schema is left without properties or `additionalProperties`, and each
 * example shown in the reference is valid against the schema beside it.
 */

const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv) => void };
const operations = [...apiRoutes, ...documentPortalRoutes(portalRoutes)];
const doc: Json = buildOpenApi(operations, { version: 'test', serverUrl: 'http://127.0.0.1' });
const operationOf = (spec: (typeof operations)[number]): Json =>
  doc.paths[`/api/v1${spec.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`][spec.method];

/** Every object in the document (with its JSON pointer), examples left out. */
function* schemaNodes(node: Json, at = ''): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* schemaNodes(item, `${at}/${index}`);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  yield [at, node];
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'example' && key !== 'examples') yield* schemaNodes(value, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

t.test('every 2xx response has the envelope schema around a named or inline object', async (t) => {
  for (const spec of operations) {
    const schema = operationOf(spec).responses[String(spec.status)].content['application/json'].schema;
    const name = `${spec.method.toUpperCase()} ${spec.path}`;
    t.same(schema?.properties?.ok, { const: true }, `${name}: ok`);
    const data = spec.list ? schema?.properties?.data?.items : schema?.properties?.data;
    t.ok(data?.$ref || data?.type === 'object', `${name}: data is an object schema`);
    if (spec.list) t.ok(schema.required.includes('next_cursor'), `${name}: lists carry next_cursor`);
  }
});

t.test('every query parameter and the Idempotency-Key header are documented', async (t) => {
  for (const spec of operations) {
    const documented = operationOf(spec)
      .parameters.filter((p: Json) => p.in === 'query')
      .map((p: Json) => p.name);
    t.same(documented, Object.keys(spec.query ?? {}), `${spec.method.toUpperCase()} ${spec.path}`);
  }
  const send = doc.paths['/api/v1/apps/{app}/messages'].post;
  t.match(
    send.parameters.find((p: Json) => p.in === 'header'),
    { name: 'Idempotency-Key', required: false, schema: { type: 'string', maxLength: 256 } },
  );
});

t.test('every $ref resolves and every object schema says which properties it takes', async (t) => {
  const open: string[] = [];
  for (const [at, node] of schemaNodes(doc)) {
    if (typeof node.$ref === 'string') {
      t.ok(doc.components.schemas[node.$ref.replace('#/components/schemas/', '')], `${at}: ${node.$ref} resolves`);
    }
    const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
    if (isObject && node.properties === undefined && node.additionalProperties === undefined && node.oneOf === undefined) open.push(at);
  }
  t.same(open, [], 'free-form objects say additionalProperties: true');
});

t.test('the examples in the reference are valid against their schemas', async (t) => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addSchema({ components: doc.components }, 'doc');
  for (const spec of operations) {
    const content = operationOf(spec).responses[String(spec.status)].content['application/json'];
    // refs point into the document's components: resolve them against the registered copy
    const validate = ajv.compile(JSON.parse(JSON.stringify(content.schema).replace(/"#\/components/g, '"doc#/components')));
    t.ok(validate(content.example), `${spec.method.toUpperCase()} ${spec.path}`, { errors: validate.errors });
  }
});

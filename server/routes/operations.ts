import Router from '@koa/router';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pingDatabase } from '../../db/index.js';
import type { AppDeps } from '../deps.js';
import { buildOpenApi, openApiYaml, type DocumentedOperation } from '../openapi.js';

const require = createRequire(import.meta.url);
// only the folder of the static assets: the package's main module would also evaluate the 1.5 MB
// browser bundle inside the server (~40 MB of RSS and start-up CPU for nothing)
const swaggerUiDir: string = (require('swagger-ui-dist/absolute-path.js') as () => string)();
const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Dispatch API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: false
});`;

/**
 * The reference page loads only its own scripts, styles and the OpenAPI document; the init script
 * is a served file, so no inline script or 'unsafe-inline' is needed. Swagger UI's stylesheet
 * embeds its icons as data: images. It may be framed by Dispatch itself only.
 */
const DOCS_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
};

/** /healthz, /readyz, /metrics, the OpenAPI document and the self-hosted interactive reference at /docs. */
export function operationsRouter(deps: AppDeps, routes: readonly DocumentedOperation[]): Router {
  const router = new Router();
  let openApi: ReturnType<typeof buildOpenApi> | null = null;
  const document = () => (openApi ??= buildOpenApi(routes, { version: deps.config.version, serverUrl: deps.config.publicUrl }));

  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true, data: { status: 'up', version: deps.config.version } };
  });
  router.get('/readyz', async (ctx) => {
    let database = false;
    try {
      await pingDatabase(deps.db);
      database = true;
    } catch {
      database = false;
    }
    const ready = database && deps.readiness.migrated;
    ctx.status = ready ? 200 : 503;
    ctx.body = ready
      ? { ok: true, data: { status: 'ready' } }
      : {
          ok: false,
          error: 'database_unavailable',
          message: database ? 'Migrations are not applied yet.' : 'The database cannot be reached.',
        };
  });
  // one registry per app instance, public like /healthz (Prometheus scrapes without a key)
  // the app's registry (server/runtime.ts): built once with the app, so its counters see every signal
  router.get('/metrics', (ctx) => deps.metrics.serve(ctx));
  router.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = document();
  });
  router.get('/api/v1/openapi.yaml', (ctx) => {
    ctx.type = 'application/yaml';
    ctx.body = openApiYaml(document());
  });
  router.get('/docs', (ctx) => {
    for (const [name, value] of Object.entries(DOCS_HEADERS)) ctx.set(name, value);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = DOCS_HTML;
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.set('x-content-type-options', 'nosniff');
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.body = DOCS_INIT;
  });
  router.get('/docs/assets/:file', async (ctx) => {
    const type = SWAGGER_FILES[ctx.params.file];
    if (!type) return;
    ctx.type = type;
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = await readFile(join(swaggerUiDir, ctx.params.file));
  });
  return router;
}

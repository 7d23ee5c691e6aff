import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { AppError, appErrorFromStorage, coerceError, isDatabaseUnavailable } from '../errors.js';
import { loggablePath } from '../logger.js';

/**
 * The one error boundary: every thrown value becomes `{ok:false, error, message}` with the status
 * from the error table. Unknown errors are logged and answered 500 `internal_error` without any
 * stack trace or SQL; an unreachable database is 503 `database_unavailable`.
 */
export function errorBoundary(logger: Logger) {
  return async function handleErrors(ctx: Context, next: Next) {
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new AppError('route_not_found', `No route for ${ctx.method} ${loggablePath(ctx.path)}.`);
    } catch (thrown) {
      const error = coerceError(thrown);
      let appError: AppError;
      const known = error instanceof AppError ? error : appErrorFromStorage(error);
      if (known) appError = known;
      else if (isDatabaseUnavailable(error)) {
        // the logger's err serializer keeps only the safe fields of a driver error
        logger.error({ err: error, path: loggablePath(ctx.path) }, 'database unavailable');
        appError = new AppError('database_unavailable');
      } else {
        logger.error({ err: error, path: loggablePath(ctx.path) }, 'unhandled error');
        appError = new AppError('internal_error');
      }
      ctx.status = appError.status;
      ctx.body = {
        ok: false,
        error: appError.code,
        message: appError.message,
        ...(appError.extra.details ? { details: appError.extra.details } : {}),
        ...(appError.extra.required_scope ? { required_scope: appError.extra.required_scope } : {}),
      };
      for (const [name, value] of Object.entries(appError.extra.headers ?? {})) ctx.set(name, value);
    } finally {
      const level = ctx.status >= 500 ? 'warn' : 'debug';
      logger[level](
        { method: ctx.method, path: loggablePath(ctx.path), status: ctx.status, ms: Math.round(performance.now() - started) },
        'request',
      );
    }
  };
}

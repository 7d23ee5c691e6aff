/**
 * What every case builds on: a fresh database, the real server as a child process, and an app
 * whose one recipient has one endpoint at the run's receiver. Everything registers its cleanup
 * on the case's Scope, so a case that throws or runs out of time still drops its database and
 * stops its server.
 */
import type { Knex } from 'knex';
import { createDb } from '../../db/index.js';
import { createTestDatabase, type Dialect } from '../helpers/databases.js';
import { startServer, type ServerChild, type Worker } from './children.js';
import type { DbProcess } from './cpu.js';
import type { SeedTarget } from './seed.js';

/** Cleanups of one case, run last-in first-out whatever happened. */
export class Scope {
  private readonly cleanups: (() => unknown)[] = [];
  private closed = false;
  /** Registers a cleanup; once the scope closed (the case ran out of time) it runs at once. */
  /** `cleanup` may return a promise; it is awaited. */
  defer(cleanup: () => unknown): void {
    if (this.closed)
      void Promise.resolve()
        .then(cleanup)
        .catch(() => {});
    else this.cleanups.push(cleanup);
  }
  /** Throws once the scope closed: a timed-out case must not start anything new. */
  assertOpen(): void {
    if (this.closed) throw new Error('the case ran out of time');
  }
  async close(): Promise<void> {
    this.closed = true;
    while (this.cleanups.length > 0) {
      const cleanup = this.cleanups.pop() as () => Promise<unknown>;
      try {
        await cleanup();
      } catch (error) {
        console.error(`bench cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

export interface RunOptions {
  /** Seconds per autocannon measurement. */
  seconds: number;
  /** Node flags for the server child (e.g. --cpu-prof). */
  serverNodeArgs: string[];
  scale: number;
}

/** The long-lived worker processes of one run (shared by every case, reset per case). */
export interface Tools {
  receiver: Worker;
  receiverUrl: string;
  bareKoa: Worker;
  bareKoaUrl: string;
  load: Worker;
  sender: Worker;
  /** The mariadbd the MariaDB cases use (private to the run, or the shared one: approx CPU). */
  mariadb: DbProcess | null;
}

export interface CaseContext {
  dialect: Dialect;
  scope: Scope;
  tools: Tools;
  options: RunOptions;
  log(message: string): void;
}

/** A 1 KiB message body (`POST /apps/{app}/messages`). */
export const MESSAGE_BODY = (() => {
  const base = { event_type: 'invoice.paid', payload: { id: 'in_1NirD82eZvKYlo2C', amount_paid: 4200, currency: 'eur', note: '' } };
  const filler = 1024 - Buffer.byteLength(JSON.stringify(base));
  base.payload.note = 'x'.repeat(filler);
  return JSON.stringify(base);
})();

/** The stored payload of such a message (what each attempt sends). */
export const MESSAGE_PAYLOAD = JSON.stringify((JSON.parse(MESSAGE_BODY) as { payload: unknown }).payload);

export interface Database {
  url: string;
  db: Knex;
}

/** A fresh private database (SQLite file or MariaDB schema), dropped when the scope closes. */
export async function freshDatabase(ctx: CaseContext): Promise<Database> {
  ctx.scope.assertOpen();
  const database = await createTestDatabase(ctx.dialect);
  ctx.scope.defer(() => database.drop());
  const db = createDb({ databaseUrl: database.url, poolSize: 4 });
  ctx.scope.defer(() => db.destroy());
  return { url: database.url, db };
}

/** Starts the server child on `url`; stopped when the scope closes (SIGTERM, then SIGKILL). */
export async function serverOn(ctx: CaseContext, url: string, env: Record<string, string> = {}): Promise<ServerChild> {
  ctx.scope.assertOpen();
  const server = await startServer(url, { env, nodeArgs: ctx.options.serverNodeArgs });
  ctx.scope.defer(() => server.stop());
  return server;
}

/** An app (uid `bench` unless given) with the event type `invoice.paid` and a recipient `acme`; `endpoints` endpoints at `url/<i>`. */
export async function createOutbound(
  server: ServerChild,
  db: Knex,
  url: string,
  endpoints = 1,
  options: { uid?: string } = {},
): Promise<SeedTarget & { endpointIds: string[] }> {
  const uid = options.uid ?? 'bench';
  const app = await server.api('POST', '/apps', { name: uid, uid });
  await server.api('POST', `/apps/${app.id}/event-types`, { name: 'invoice.paid' });
  await server.api('POST', `/apps/${app.id}/recipients`, { uid: 'acme' });
  const endpointIds: string[] = new Array(endpoints);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(endpoints, 8) }, async () => {
      while (next < endpoints) {
        const i = next++;
        endpointIds[i] = (
          await server.api('POST', `/apps/${app.id}/recipients/acme/endpoints`, { url: endpoints === 1 ? `${url}/` : `${url}/${i}` })
        ).id;
      }
    }),
  );
  const workspace: { workspace_id: string } = await db('apps').where({ id: app.id }).first('workspace_id');
  return { workspaceId: workspace.workspace_id, appId: app.id, endpointId: endpointIds[0], endpointIds };
}

/** Headers of an API call with the bench admin key. */
export function apiHeaders(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The separate database process of this case's dialect (mariadbd), or null on SQLite (in-process). */
export function dbProcess(ctx: CaseContext): DbProcess | null {
  return ctx.dialect === 'mysql' ? ctx.tools.mariadb : null;
}

/** Picks the figure of this case's dialect from a per-dialect target. */
export function forDialect<T>(ctx: CaseContext, targets: { sqlite: T; mysql: T }): T {
  return ctx.dialect === 'mysql' ? targets.mysql : targets.sqlite;
}

export const round = (value: number, digits = 0) => Number(value.toFixed(digits));

import type { Db } from '../db/index.js';
import { retryOnDeadlock } from '../db/deadlock-retry.js';
import { findDefaultWorkspace, insertWorkspace, type Workspace } from '../db/queries/workspaces.js';
import { countApiKeys } from '../db/queries/api-keys.js';
import { acquireNamedLock, releaseNamedLock } from '../db/queries/named-locks.js';
import { createApiKey } from './api-keys.js';

const BOOTSTRAP_LOCK = 'dispatch_bootstrap';

export interface BootstrapResult {
  workspace: Workspace;
  /** The generated admin key, present only when one was generated now (print it once). */
  generatedKey: string | null;
}

/**
 * First start: creates the default workspace and its `*` admin key. With DISPATCH_ADMIN_KEY set
 * that exact key is used (and never printed); otherwise one is generated and returned to print.
 * Runs in one transaction so replicas starting together create one workspace, not several.
 */
export async function bootstrapDefaultWorkspace(db: Db, adminKey: string | null, now: number): Promise<BootstrapResult> {
  // GET_LOCK is per node on a multi-primary cluster (Galera): replicas starting together on two
  // nodes both insert the same DISPATCH_ADMIN_KEY, one commit fails certification (a deadlock,
  // nothing written) and the run again finds the workspace the other created
  return retryOnDeadlock(() => bootstrapOnce(db, adminKey, now));
}

function bootstrapOnce(db: Db, adminKey: string | null, now: number): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    // only orders replicas that start together: after 10 s without it this one goes on regardless
    await acquireNamedLock(tx, BOOTSTRAP_LOCK, 10);
    try {
      const workspace = (await findDefaultWorkspace(tx)) ?? (await insertWorkspace(tx, 'default', now));
      if ((await countApiKeys(tx, workspace.id)) > 0) return { workspace, generatedKey: null };
      const { plaintext } = await createApiKey(
        tx,
        { workspaceId: workspace.id, name: 'admin', scopes: ['*'], plaintext: adminKey ?? undefined },
        now,
      );
      return { workspace, generatedKey: adminKey ? null : plaintext };
    } finally {
      await releaseNamedLock(tx, BOOTSTRAP_LOCK);
    }
  });
}

/** Creates a workspace and its first `*` key (the operator CLI's `workspace create`). */
export async function createWorkspaceWithKey(db: Db, name: string, now: number): Promise<{ workspace: Workspace; key: string }> {
  return db.transaction(async (tx) => {
    const workspace = await insertWorkspace(tx, name, now);
    const { plaintext } = await createApiKey(tx, { workspaceId: workspace.id, name: 'admin', scopes: ['*'] }, now);
    return { workspace, key: plaintext };
  });
}

import type { Db } from '../db/index.js';
import { findDefaultWorkspace, insertWorkspace, type Workspace } from '../db/queries/workspaces.js';
import { countApiKeys } from '../db/queries/api-keys.js';
import { createApiKey } from './api-keys.js';

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
  return db.transaction(async (tx) => {
    if (tx.client.config.client === 'mysql2') await tx.raw('SELECT GET_LOCK(?, 10)', ['dispatch_bootstrap']);
    try {
      const workspace = (await findDefaultWorkspace(tx)) ?? (await insertWorkspace(tx, 'default', now));
      if ((await countApiKeys(tx, workspace.id)) > 0) return { workspace, generatedKey: null };
      const { plaintext } = await createApiKey(tx, { workspaceId: workspace.id, name: 'admin', scopes: ['*'], plaintext: adminKey ?? undefined }, now);
      return { workspace, generatedKey: adminKey ? null : plaintext };
    } finally {
      if (tx.client.config.client === 'mysql2') await tx.raw('SELECT RELEASE_LOCK(?)', ['dispatch_bootstrap']);
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

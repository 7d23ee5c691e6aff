#!/usr/bin/env node
import { loadConfig, ConfigError } from '../config/index.js';
import { createDb, migrate } from '../db/index.js';
import { createWorkspaceWithKey } from './bootstrap.js';
import { encryptSecrets } from './encrypt-secrets.js';
import { iso } from './routes/serialize.js';

const USAGE = `Usage: dispatch <command>

Commands:
  workspace create <name> [--json]   create a workspace and print its first admin (*) key
  migrate                            apply pending database migrations and exit
  encrypt-secrets                    seal every secret still stored in plain text with DISPATCH_ENCRYPTION_KEY
  help                               show this help

The database is DATABASE_URL (default sqlite:./data/dispatch.sqlite).`;

/** The operator CLI (`npx dispatch …`). Returns the process exit code; output goes to the given streams. */
async function runCli(args: string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const [command, subcommand, ...rest] = args;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      err.write(`dispatch: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  if (command === 'migrate' && subcommand === undefined) {
    const db = createDb({ databaseUrl: config.databaseUrl, poolSize: 2 });
    try {
      await migrate(db);
      out.write('migrations applied\n');
      return 0;
    } finally {
      await db.destroy();
    }
  }

  if (command === 'encrypt-secrets' && subcommand === undefined) {
    if (!config.encryptionKey) {
      err.write('dispatch: encrypt-secrets needs DISPATCH_ENCRYPTION_KEY (a 32-byte key in base64, e.g. openssl rand -base64 32)\n');
      return 2;
    }
    const db = createDb({ databaseUrl: config.databaseUrl, poolSize: 2 });
    try {
      await migrate(db);
      const report = await encryptSecrets(db, config.encryptionKey);
      out.write(`sealed the secrets of ${report.endpoints} endpoint(s) and ${report.sources} source(s)\n`);
      if (report.unreadable === 0) return 0;
      err.write(
        `dispatch: ${report.unreadable} stored secret(s) are sealed with a different key and cannot be opened with DISPATCH_ENCRYPTION_KEY\n`,
      );
      return 1;
    } finally {
      await db.destroy();
    }
  }

  if (command === 'workspace' && subcommand === 'create') {
    const json = rest.includes('--json');
    const name = rest
      .filter((arg) => arg !== '--json')
      .join(' ')
      .trim();
    if (!name || name.length > 200) {
      err.write('dispatch: workspace create needs a name (1-200 characters)\n');
      return 2;
    }
    const db = createDb({ databaseUrl: config.databaseUrl, poolSize: 2 });
    try {
      await migrate(db);
      const { workspace, key } = await createWorkspaceWithKey(db, name, Date.now());
      const view = { id: workspace.id, name: workspace.name, created_at: iso(workspace.createdAt) };
      if (json) out.write(JSON.stringify({ workspace: view, key }) + '\n');
      else out.write(`Created workspace ${view.name} (${view.id}).\nAdmin API key (shown once, scope *):\n\n  ${key}\n\n`);
      return 0;
    } finally {
      await db.destroy();
    }
  }

  err.write(`dispatch: unknown command "${args.join(' ')}"\n\n${USAGE}\n`);
  return 2;
}

runCli(process.argv.slice(2), process.env, process.stdout, process.stderr).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`dispatch: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

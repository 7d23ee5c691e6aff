#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiError, createApiClient, type ApiClient } from './api-client.js';

const USAGE = `dispatch-tui — the Dispatch operator terminal UI

Usage: dispatch-tui [--url <base url>] [--key <api key>]

  --url   Dispatch server, e.g. http://localhost:8080   (env DISPATCH_URL; default http://localhost:8080)
  --key   API key rlk_…                                   (env DISPATCH_API_KEY)
  --help  show this help

Keys: 0–7 switch screens (Overview, Anomalies, Sources, Events, Messages, Keys, Apps, Failed),
↑↓/j/k move, PgUp/PgDn page, Enter open, Esc back, / filter the list, ? every key of the screen,
q or Ctrl-C quit. Each screen lists its own keys at the bottom.
`;

export interface Options {
  url: string;
  key: string;
}

/** Reads flags over environment; returns the help text or an error line instead when asked/needed. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): { options?: Options; help?: string; error?: string } {
  let values: { url?: string; key?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    return { error: `${(error as Error).message} (see --help)` };
  }
  if (values.help) return { help: USAGE };
  const url = values.url ?? env.DISPATCH_URL ?? 'http://localhost:8080';
  const key = values.key ?? env.DISPATCH_API_KEY ?? '';
  if (!/^https?:\/\/[^/]+/.test(url)) return { error: `--url must be an http(s) URL, got "${url}"` };
  if (!key) return { error: 'no API key: set DISPATCH_API_KEY or pass --key rlk_…' };
  return { options: { url, key } };
}

/**
 * Checks that the server answers and accepts the key before drawing anything, so a wrong URL or
 * key ends in one clear line rather than a dashboard full of errors. 403 is fine here: the key is
 * valid, only some screens will say which scope they need.
 */
export async function checkServer(client: ApiClient): Promise<string | null> {
  try {
    await client.health();
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) return `cannot reach Dispatch: ${error.message}`;
    return `${client.baseUrl} does not look like a Dispatch server (/healthz: ${(error as Error).message})`;
  }
  try {
    await client.listKeys({ limit: 1 });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    if (error instanceof ApiError && error.status === 401)
      return `the API key was rejected by ${client.baseUrl} (401 ${error.code}): check DISPATCH_API_KEY / --key`;
    return `cannot use ${client.baseUrl}: ${(error as Error).message}`;
  }
  return null;
}

/** Runs the TUI; resolves with the process exit code. */
export async function main(argv = process.argv.slice(2), env = process.env): Promise<number> {
  const parsed = parseOptions(argv, env);
  if (parsed.help) {
    process.stdout.write(parsed.help);
    return 0;
  }
  if (!parsed.options) {
    process.stderr.write(`dispatch-tui: ${parsed.error}\n`);
    return 2;
  }
  const client = createApiClient({ baseUrl: parsed.options.url, apiKey: parsed.options.key });
  const problem = await checkServer(client);
  if (problem) {
    process.stderr.write(`dispatch-tui: ${problem}\n`);
    return 1;
  }
  // ink draws only the final frame when it thinks it runs under CI (it reads CI* variables once,
  // on import); an interactive terminal always gets live frames, so ink is loaded after this
  if (process.stdout.isTTY) process.env.CI = 'false';
  const [{ render }, { App }] = await Promise.all([import('ink'), import('./app.js')]);
  const instance = render(<App client={client} />, { exitOnCtrlC: false });
  await instance.waitUntilExit();
  return 0;
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`dispatch-tui: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}

import type { ApiResponse, TestServer } from './server.js';

/** A portal session made through the API: the token, the page URL and when it expires. */
export interface PortalLink {
  token: string;
  url: string;
  expires_at: string;
}

/** Creates a portal session for `recipient` (id or uid) of `app`; fails loudly unless 201. */
export async function createPortalSession(
  server: TestServer,
  app: string,
  recipient: string,
  body: Record<string, unknown> = {},
): Promise<PortalLink> {
  const response = await server.request('POST', `/api/v1/apps/${app}/recipients/${recipient}/portal-sessions`, { body });
  if (response.status !== 201) throw new Error(`portal-sessions answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.data;
}

/** Calls `/api/v1/portal<path>` with a portal token (or whatever bearer `token` is given). */
export function portal(server: TestServer, token: string | null, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return server.request(method, `/api/v1/portal${path}`, { key: token, body });
}

/** A clock the test moves by hand (portal expiry is checked against the app's clock). */
export function manualClock(start = Date.now()): { now(): number; advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

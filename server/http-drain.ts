import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Stops an HTTP server gracefully (CONTRACT §10: SIGTERM lets requests in progress finish). */
export interface HttpDrain {
  /**
   * Stops accepting connections at once, closes idle keep-alive connections, lets requests in
   * progress finish with their normal answer (sent with `Connection: close`), and after
   * `graceMs` closes whatever is still open. Resolves once every connection is closed.
   */
  drain(graceMs: number): Promise<void>;
}

/**
 * Watches `server`'s requests so that a later `drain()` can tell the ones in progress to close
 * their connection after answering. Call before the server takes its first request.
 */
export function drainable(server: Server): HttpDrain {
  // responses whose headers may still be changed: a request in progress when the drain starts
  const open = new Set<ServerResponse>();
  let draining = false;

  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    // a request that reaches a kept-alive connection after the signal is still answered, then
    // its connection closes: the client retries elsewhere without sending the message twice
    if (draining) response.setHeader('Connection', 'close');
    open.add(response);
    response.once('close', () => {
      open.delete(response);
      // a response that was already under way when the drain began kept its connection alive:
      // now that it is idle, close it rather than wait for the grace
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  return {
    async drain(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const response of open) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
      }
      // a connection between requests has nothing in progress: closing it loses nothing
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'grace'>((resolve) => {
        timer = setTimeout(() => resolve('grace'), graceMs);
      });
      try {
        if ((await Promise.race([closed, grace])) === 'grace') {
          // past the grace: what is left is reset; its client never got a 202, so nothing is lost
          server.closeAllConnections();
          await closed;
        }
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

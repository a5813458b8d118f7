import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeCanary } from '../probe/types.js';

/**
 * Where the probe's canary listens and how the authorization server reaches it.
 *
 * @example
 * ```ts
 * // The server under test reaches this machine at https://probe-canary.example.net (a tunnel to port 8788).
 * const canary: CanaryOptions = { port: 8788, url: 'https://probe-canary.example.net' };
 * ```
 */
export interface CanaryOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /**
   * The canary's URL as the authorization server sees it (a tunnel, a public name), without a
   * trailing slash.
   * @default `http://<host>:<port>`
   */
  url?: string;
}

/**
 * Starts the probe's canary: a `node:http` listener that serves what a case asks it to (a request
 * object, a key set) and counts every request per path. Anything else is a 404, counted too.
 */
export async function startCanary(options: CanaryOptions = {}): Promise<ProbeCanary> {
  const served = new Map<string, { body: string; type: string }>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://canary').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const entry = req.method === 'GET' ? served.get(path) : undefined;
    if (!entry) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' }).end(entry.body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = (options.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, '');
  return {
    url,
    serve: (path, body, type) => void served.set(path, { body, type }),
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

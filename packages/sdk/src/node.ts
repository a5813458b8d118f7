/**
 * `oauth-jar/node`: Node.js integrations. An adapter from fetch-style handlers to Node.js' `http`
 * module (and Express), a `fetch` that checks resolved addresses for the verifier's
 * `request_uri` fetches, and a `fetch` that presents a TLS client certificate (RFC 8705).
 *
 * The Node types are described structurally here, so this entry point's declarations do not
 * require `@types/node`, and `node:http`'s `IncomingMessage` / `ServerResponse` fit them.
 *
 * @module
 */

export { guardedFetch } from './node/guarded-fetch.js';
export type { GuardedFetchOptions, ResolvedAddress } from './node/guarded-fetch.js';
export { mtlsFetch } from './node/mtls.js';
export type { MtlsFetchOptions } from './node/mtls.js';

/** A fetch-style handler, like `HostedRequestUriPublisher.handler`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** The parts of `node:http`'s `IncomingMessage` the adapter reads (Express' `req` fits too). */
export interface NodeIncomingMessage extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  /** Express sets it to the URL before router mounting. */
  originalUrl?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  socket: object;
  complete: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** The parts of `node:http`'s `ServerResponse` the adapter writes. */
export interface NodeServerResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  writeHead(statusCode: number, headers?: Record<string, string | string[]>): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(error?: Error): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Wraps a fetch-style handler as a `node:http` request listener, usable as Express middleware.
 * The request URL is built from the `Host` header and the path (Express' `originalUrl`, so a router
 * mount point does not hide it); request and response bodies are streamed with backpressure. A
 * handler that throws answers `500` without details.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { HostedRequestUriPublisher } from 'oauth-jar';
 * import { toNodeHandler } from 'oauth-jar/node';
 *
 * const hosted = new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/' });
 * createServer(toNodeHandler(hosted.handler)).listen(3000);
 * // Express: app.get('/jar/:id', toNodeHandler(hosted.handler));
 * ```
 */
export function toNodeHandler(handler: FetchHandler): (req: NodeIncomingMessage, res: NodeServerResponse) => void {
  if (typeof handler !== 'function') throw new TypeError('toNodeHandler needs a function (request: Request) => Response');
  return (req, res) => {
    serve(handler, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'cache-control': 'no-store' });
        res.end();
      } else {
        res.destroy();
      }
    });
  };
}

async function serve(handler: FetchHandler, req: NodeIncomingMessage, res: NodeServerResponse): Promise<void> {
  const response = await handler(toRequest(req));
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body || req.method === 'HEAD') {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      // Backpressure: wait for the socket to drain (or close) before reading more.
      if (!res.write(value)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
    }
    res.end();
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function toRequest(req: NodeIncomingMessage): Request {
  const encrypted = (req.socket as { encrypted?: unknown }).encrypted === true;
  const host = typeof req.headers.host === 'string' ? req.headers.host : 'localhost';
  const path = req.originalUrl ?? req.url ?? '/';
  let url: URL;
  try {
    url = new URL(path, `${encrypted ? 'https' : 'http'}://${host}`);
  } catch {
    url = new URL(path.startsWith('/') ? path : '/', 'http://localhost');
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort();
  });
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const source = req[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    init.body = new ReadableStream<Uint8Array>({
      async pull(c) {
        const { done, value } = await source.next();
        if (done) c.close();
        else c.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
      },
      async cancel() {
        await source.return?.();
      },
    });
    init.duplex = 'half';
  }
  return new Request(url, init);
}

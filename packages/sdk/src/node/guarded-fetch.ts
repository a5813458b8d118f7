import * as dns from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateHost } from '../http/address.js';

/** A resolved address, as `node:dns` `lookup(…, { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Options of {@link guardedFetch}. */
export interface GuardedFetchOptions {
  /**
   * Let connections to loopback, private and link-local addresses through. For tests, and for
   * servers whose clients host request objects on an internal network on purpose.
   * @default false
   */
  allowPrivateNetwork?: boolean;
  /**
   * The resolver: every address of the host name. Tests give a fixed map; the default asks the
   * operating system, as any Node connection would.
   * @default (hostname) => dns.lookup(hostname, { all: true })
   */
  lookup?: (hostname: string) => Promise<ResolvedAddress[]>;
}

// RFC 9110 §15: these statuses carry no content; `new Response(stream, { status })` refuses them.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const hostOf = (address: string) => (isIP(address) === 6 ? `[${address}]` : address);

/**
 * A `fetch` for Node.js that refuses to connect to loopback, private and link-local addresses
 * **after DNS resolution**: the check runs inside the connection's own address lookup, so the
 * address that is checked is the address that is connected to (no time-of-check/time-of-use gap
 * for DNS rebinding). Every address a name resolves to must be public.
 *
 * On Node.js, `RequestObjectVerifier` from `oauth-jar/server` already connects through this for
 * its `request_uri` and `jwks_uri` fetches (RFC 9101 §10.4); use it directly for your own fetches
 * of URLs that clients name, or to pass a custom `lookup`. GET, HEAD and POST (a
 * `URLSearchParams` or string body); no redirects followed; a request's `signal` aborts it.
 *
 * Failures reject like the platform `fetch`: a `TypeError` whose message is always
 * `fetch failed`; what happened (refused address, unknown name, connection error) is its `cause`,
 * for the server's logs only.
 *
 * @example
 * ```ts
 * import { guardedFetch } from 'oauth-jar/node';
 *
 * const fetchPublic = guardedFetch();
 * const res = await fetchPublic('https://client.example.org/request.jwt', { signal: AbortSignal.timeout(5000) });
 * ```
 *
 * @see [RFC 9101 §10.4](https://www.rfc-editor.org/rfc/rfc9101#section-10.4) Request URI Rewrite / SSRF
 */
export function guardedFetch(options: GuardedFetchOptions = {}): typeof fetch {
  const allowPrivate = options.allowPrivateNetwork === true;
  // dns.promises is read at call time, so a test can stand in a resolver for the default one.
  const resolve = options.lookup ?? ((hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true }));

  // node:net calls this for every host name it connects to (IP literals skip it: checked below).
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateHost(hostOf(a.address)));
        if (refused) {
          throw Object.assign(new Error(`${hostname} resolves to a loopback, private or link-local address (${refused.address})`), {
            code: 'ERR_PRIVATE_ADDRESS',
          });
        }
        return addresses;
      })
      .then(
        (addresses) => (lookupOptions.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
        (err: NodeJS.ErrnoException) => callback(err, '', 0),
      );
  };

  // Own connection pools: a kept-alive socket skips the lookup, so sockets must never be shared
  // with code (Node's global agent, or another guardedFetch) that connected under other rules.
  const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

  // The platform fetch's convention: one message outward, the detail as `cause`. The detail can
  // name internal addresses, so it is for logs, never for the party that named the URL.
  const failed = (cause: unknown) => new TypeError('fetch failed', { cause });

  return async (input, init) => {
    // A Request and no init of substance (ky passes its Request with `{}`) is used as it is:
    // another Request would copy it, its headers and its signal once more.
    const req = input instanceof Request && (init === undefined || isEmpty(init)) ? input : new Request(input, init);
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      throw new TypeError(`guardedFetch makes GET, HEAD and POST requests only, not ${req.method}`);
    }
    const url = new URL(req.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`guardedFetch: unsupported scheme ${url.protocol}`);
    // An IP literal is connected to without a lookup, so it is judged here.
    if (!allowPrivate && isPrivateHost(url.hostname)) {
      throw failed(Object.assign(new Error(`${url.hostname} is a loopback, private or link-local address`), { code: 'ERR_PRIVATE_ADDRESS' }));
    }
    req.signal.throwIfAborted();
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => (headers[name] = value));
    const requestBody = req.method === 'POST' ? new Uint8Array(await req.arrayBuffer()) : undefined;
    if (requestBody) headers['content-length'] = String(requestBody.byteLength);
    const requestOptions: RequestOptions = { method: req.method, headers, lookup, agent: agents[url.protocol] };
    // One abort listener for the whole exchange (not http.request's `signal` option, which adds
    // its own): before the answer it ends the request, after it the response, stalled body included.
    const signal = req.signal;
    let outgoing: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    const onAbort = () => (res ?? outgoing)?.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    // An abort while a POST body was read above fired before the listener existed.
    if (signal.aborted) {
      signal.removeEventListener('abort', onAbort);
      throw signal.reason;
    }
    try {
      res = await new Promise<IncomingMessage>((resolveResponse, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        outgoing = send(url, requestOptions, resolveResponse);
        outgoing.once('error', reject);
        outgoing.end(requestBody);
      });
    } catch (cause) {
      signal.removeEventListener('abort', onAbort);
      // An abort stays an abort (the caller's deadline), as with the platform fetch.
      if (signal.aborted) throw signal.reason;
      throw failed(cause);
    }
    const answered = res;
    answered.once('close', () => signal.removeEventListener('abort', onAbort));
    const status = answered.statusCode ?? 502;
    try {
      const answer = { status, statusText: answered.statusMessage ?? '', headers: responseHeaders(answered.rawHeaders) };
      if (req.method === 'HEAD' || NULL_BODY.has(status)) {
        answered.resume();
        return new Response(null, answer);
      }
      // RFC 9110 §15: three digits, 1xx to 5xx; anything else is not an answer (and Response refuses it).
      if (status < 200 || status > 599) throw new RangeError(`HTTP status ${status} is not a final status`);
      return new Response(webStream(answered), answer);
    } catch (cause) {
      // A status or reason phrase that Response refuses: the socket is closed here, or it would
      // stay open for good (nothing else holds the response).
      answered.destroy();
      throw failed(cause);
    }
  };
}

// A plain object with no members (ky passes `{}`): anything else, inherited members included, is
// applied by copying the Request, as the platform fetch does.
const isEmpty = (init: RequestInit) => {
  return Object.getPrototypeOf(init) === Object.prototype && Object.keys(init).length === 0;
};

/** The response's header lines as `Headers` takes them, repeated fields kept (RFC 9110 §5.3). */
function responseHeaders(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/**
 * The body as a web stream, with back-pressure: the socket is paused while the stream's queue is
 * full and resumed when the reader pulls; cancelling the stream destroys the response. A direct
 * bridge: `Readable.toWeb` does the same through an async iterator, at several times the cost per
 * request (docs/performance.md).
 */
function webStream(res: IncomingMessage): ReadableStream<Uint8Array> {
  // Whether the web stream still takes chunks: not closed, errored or cancelled. node:http can
  // hand over data it had buffered after a cancel destroyed the response, and a controller that is
  // used once closed throws — inside an event handler, where a throw ends the process.
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on('data', (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      res.once('end', () => {
        if (!open) return;
        open = false;
        controller.close();
      });
      // A connection cut before the end is an error ("aborted", ECONNRESET), not a short body.
      res.once('error', (err) => {
        if (!open) return;
        open = false;
        controller.error(err);
      });
      res.once('close', () => {
        if (!open) return;
        open = false;
        controller.error(new Error('the response closed before its end'));
      });
    },
    pull() {
      res.resume();
    },
    cancel(reason) {
      open = false;
      res.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}

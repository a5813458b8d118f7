import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { isPrivateHost } from '../http/request-uri.js';

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
 * `RequestObjectVerifier` already refuses private IP literals and `localhost` before any request
 * (RFC 9101 §10.4); Web-API runtimes cannot see what a name resolves to. On Node, give the
 * verifier this `fetch` to close that gap (SPEC-NOTES §3: "also after DNS resolution where the
 * runtime allows it"). GET and HEAD only, no redirects followed; a request's `signal` aborts it.
 *
 * @example
 * ```ts
 * import { RequestObjectVerifier } from 'oauth-jar/server';
 * import { guardedFetch } from 'oauth-jar/node';
 *
 * const verifier = new RequestObjectVerifier({
 *   issuer: 'https://as.example.com',
 *   getClient,
 *   requestUri: { timeout: 5000, fetch: guardedFetch() },
 * });
 * ```
 *
 * @see [RFC 9101 §10.4](https://www.rfc-editor.org/rfc/rfc9101#section-10.4) Request URI Rewrite / SSRF
 */
export function guardedFetch(options: GuardedFetchOptions = {}): typeof fetch {
  const allowPrivate = options.allowPrivateNetwork === true;
  const resolve = options.lookup ?? ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true }));

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

  return async (input, init) => {
    const req = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new TypeError(`guardedFetch makes GET and HEAD requests only, not ${req.method}`);
    }
    const url = new URL(req.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`guardedFetch: unsupported scheme ${url.protocol}`);
    // An IP literal is connected to without a lookup, so it is judged here.
    if (!allowPrivate && isPrivateHost(url.hostname)) {
      throw new TypeError(`${url.hostname} is a loopback, private or link-local address`);
    }
    req.signal.throwIfAborted();
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => (headers[name] = value));
    const requestOptions: RequestOptions = { method: req.method, headers, lookup, signal: req.signal, agent: agents[url.protocol] };
    const res = await new Promise<IncomingMessage>((resolveResponse, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing = send(url, requestOptions, resolveResponse);
      outgoing.once('error', reject);
      outgoing.end();
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
      else responseHeaders.set(name, value);
    }
    const status = res.statusCode ?? 502;
    if (req.method === 'HEAD' || NULL_BODY.has(status)) {
      res.resume();
      return new Response(null, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
    }
    // Aborting after the headers (a stalled body) must end the stream too.
    req.signal.addEventListener('abort', () => res.destroy(req.signal.reason as Error), { once: true });
    const body = Readable.toWeb(res) as ReadableStream<Uint8Array>;
    return new Response(body, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
  };
}

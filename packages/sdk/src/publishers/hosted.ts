import { randomToken } from '../crypto/encoding.js';
import { OAuthJarError } from '../errors.js';
import { storeTimeoutOption, withDeadline } from '../lib/deadline.js';
import { absoluteUrl, assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import { MemoryRequestObjectStore, type RequestObjectStore } from './store.js';
import type { PublishContext, RequestUriPublisher } from './types.js';

/** Options of {@link HostedRequestUriPublisher}. */
export interface HostedRequestUriPublisherOptions {
  /**
   * The URL prefix the objects are served under; the id is appended to it. End it with `/` and
   * register it in the client's `request_uris` (a prefix ending in `/` matches every id).
   */
  baseUrl: string | URL;
  /**
   * Seconds an object stays retrievable (RFC 9101 §5.2: short-lived). Keep it at most the request
   * object's own lifetime.
   * @default 300
   */
  ttl?: number;
  /**
   * Where the objects are kept. Use a shared store (e.g. `RedisRequestObjectStore` from
   * `oauth-jar/redis`) when several instances serve the same `baseUrl`.
   * @default new MemoryRequestObjectStore()
   */
  store?: RequestObjectStore;
  /**
   * Milliseconds to wait for the store on each `put` and `get`. A store that throws or does not
   * answer in time makes `publish` reject (`ERR_PUBLISH_FAILED`) and the handler answer `503` at
   * once, instead of holding logins and the authorization server's fetch for as long as it is away.
   * @default 1000
   */
  storeTimeout?: number;
}

/** The media type of a request object (RFC 9101 §10.8): what the `request_uri` is served as. */
const CONTENT_TYPE = 'application/oauth-authz-req+jwt';
// 32 random bytes → 43 base64url characters: 256 bits, above RFC 9101 §5.2's "unguessable".
const ID_BYTES = 32;
const ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Hosts request objects at the relying party's own URLs (RFC 9101 §5.2): `publish` stores the
 * object under an unguessable id (256 random bits) and returns `{baseUrl}{id}` as the
 * `request_uri`; {@link handler} serves it to the authorization server.
 *
 * Only servers that fetch `request_uri` values support this (many no longer do: oidc-provider 9
 * removed it); PAR ({@link PushedAuthorizationRequestPublisher}) is the alternative.
 *
 * @example
 * ```ts
 * import { AuthorizationRequestBuilder, HostedRequestUriPublisher } from 'oauth-jar';
 * import { toNodeHandler } from 'oauth-jar/node';
 *
 * const hosted = new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/', ttl: 120 });
 * app.get('/jar/:id', toNodeHandler(hosted.handler)); // Express; Hono / Workers take hosted.handler as is
 *
 * const request = await new AuthorizationRequestBuilder('code', 'rp-1')
 *   .endpoint('https://as.example.com/authorize')
 *   .audience('https://as.example.com')
 *   .signWith(clientKey, { alg: 'ES256' })
 *   .publishWith(hosted)
 *   .build();
 * request.url; // https://as.example.com/authorize?client_id=rp-1&request_uri=https%3A%2F%2Frp.example.com%2Fjar%2F…
 * ```
 *
 * @see [RFC 9101 §5.2](https://www.rfc-editor.org/rfc/rfc9101#section-5.2) Passing a Request Object by Reference
 */
export class HostedRequestUriPublisher implements RequestUriPublisher {
  readonly #base: string;
  readonly #basePath: string;
  readonly #ttl: number;
  readonly #store: RequestObjectStore;
  readonly #storeTimeout: number;

  constructor(options: HostedRequestUriPublisherOptions) {
    if (!isPlainObject(options)) throw invalid('HostedRequestUriPublisher needs an options object with "baseUrl"');
    const base = absoluteUrl(options.baseUrl, 'baseUrl', { schemes: ['https:', 'http:'], fragment: false });
    if (base.search !== '' || !base.pathname.endsWith('/')) {
      // The id is appended as the last path segment, which is also what a registered `request_uris`
      // prefix ending in "/" matches.
      throw new OAuthJarError('ERR_INVALID_URL', 'baseUrl must end with "/" and have no query: the id is appended to it');
    }
    this.#base = base.href;
    this.#basePath = base.pathname;
    const ttl = options.ttl ?? 300;
    if (!Number.isSafeInteger(ttl) || ttl <= 0) throw invalid('ttl must be a positive integer number of seconds');
    this.#ttl = ttl;
    const store = options.store ?? new MemoryRequestObjectStore();
    if (typeof store?.put !== 'function' || typeof store.get !== 'function') throw invalid('store must have put(id, value, ttl) and get(id)');
    this.#store = store;
    this.#storeTimeout = storeTimeoutOption(options.storeTimeout);
  }

  /** Stores the object under a fresh id and returns `{baseUrl}{id}` with `expiresIn` = the ttl. */
  async publish(requestObject: string, _context?: PublishContext): Promise<{ requestUri: string; expiresIn: number }> {
    assertNonEmptyString(requestObject, 'request object');
    const id = randomToken(ID_BYTES);
    try {
      await withDeadline(() => this.#store.put(id, requestObject, this.#ttl), this.#storeTimeout, 'the request object store');
    } catch (cause) {
      throw new OAuthJarError('ERR_PUBLISH_FAILED', `storing the request object failed: ${(cause as Error)?.message}`, { cause });
    }
    // RFC 9101 §5.2: a request_uri is at most 512 ASCII characters.
    const requestUri = `${this.#base}${id}`;
    if (requestUri.length > 512) throw new OAuthJarError('ERR_INVALID_URL', 'baseUrl is too long: a request_uri is at most 512 characters (RFC 9101 §5.2)');
    return { requestUri, expiresIn: this.#ttl };
  }

  /**
   * A fetch-style handler serving `GET {baseUrl}{id}`: `200` with `content-type:
   * application/oauth-authz-req+jwt` and `cache-control: no-store`; `404` for an unknown or expired
   * id or a path outside `baseUrl`; `405` for other methods. Mount it in Hono, Workers, Deno or
   * Bun as is, or in `node:http` / Express through `toNodeHandler` from `oauth-jar/node`.
   *
   * Only the path is matched, so it works behind proxies that rewrite the host.
   */
  readonly handler = async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    let path: string;
    try {
      path = new URL(request.url).pathname;
    } catch {
      return notFound();
    }
    if (!path.startsWith(this.#basePath)) return notFound();
    const id = path.slice(this.#basePath.length);
    if (!ID.test(id)) return notFound();
    let value: string | null | undefined;
    try {
      value = await withDeadline(() => this.#store.get(id), this.#storeTimeout, 'the request object store');
    } catch {
      // A store outage or timeout must not leak its message to the AS; the AS sees a 503 at once.
      return new Response(null, { status: 503, headers: { 'cache-control': 'no-store' } });
    }
    if (typeof value !== 'string') return notFound();
    return new Response(request.method === 'HEAD' ? null : value, {
      status: 200,
      headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' },
    });
  };
}

function notFound(): Response {
  return new Response(null, { status: 404, headers: { 'cache-control': 'no-store' } });
}

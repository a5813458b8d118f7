import { randomToken } from '../crypto/encoding.js';
import { OAuthJarError } from '../errors.js';
import { storeTimeoutOption, withDeadline } from '../lib/deadline.js';
import { absoluteUrl, assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import { MemoryRequestObjectStore, type RequestObjectStore } from './store.js';
import type { PublishContext, ReissueOptions, RequestUriPublisher } from './types.js';
import { MAX_FORM_BYTES, WalletFormError, readWalletForm } from './wallet-post.js';

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
  /**
   * `'post'`: the `request_uri` also answers an OpenID4VP wallet's form POST (OpenID4VP 1.0 §5.10)
   * with a request object made for that wallet (its `wallet_nonce`, its `issuer` as `aud`, an alg it
   * lists, encrypted to its `jwks` when it gives one), and the URL says `request_uri_method=post`.
   * GET still answers with the object as built (wallets without POST support fall back to GET,
   * §5.1). The builder's key signs each answer, so these entries live in this process's memory.
   * @default 'get'
   */
  method?: 'get' | 'post';
  /**
   * With `method: 'post'`: how many times (GET or POST) one `request_uri` answers before it is gone.
   * Wallets retry, so a few; a `request_uri` is still short-lived and for one transaction.
   * @default 3
   */
  maxFetches?: number;
}

interface PostEntry {
  reissue: (options?: ReissueOptions) => Promise<string>;
  remaining: number;
  expiresAt: number;
}
const MAX_POST_ENTRIES = 100_000;

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
  readonly #method: 'get' | 'post';
  readonly #maxFetches: number;
  readonly #posts = new Map<string, PostEntry>();
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
    const method = options.method ?? 'get';
    if (method !== 'get' && method !== 'post') throw invalid('method must be "get" or "post"');
    this.#method = method;
    const maxFetches = options.maxFetches ?? 3;
    if (!Number.isSafeInteger(maxFetches) || maxFetches < 1) throw invalid('maxFetches must be a positive integer');
    this.#maxFetches = maxFetches;
    this.#storeTimeout = storeTimeoutOption(options.storeTimeout);
  }

  /** Stores the object under a fresh id and returns `{baseUrl}{id}` with `expiresIn` = the ttl. */
  async publish(requestObject: string, context?: PublishContext): Promise<{ requestUri: string; expiresIn: number; requestUriMethod?: 'post' }> {
    assertNonEmptyString(requestObject, 'request object');
    const id = randomToken(ID_BYTES);
    if (this.#method === 'post') return this.#publishForPost(id, requestObject, context);
    return this.#publishStored(id, requestObject);
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
    if (this.#method === 'post') return this.#servePost(request);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const id = this.#idOf(request);
    return id === undefined ? notFound() : this.#serveStored(id, request.method === 'HEAD');
  };

  /** The id of a request URI under the base path, or undefined for any other path. */
  #idOf(request: Request): string | undefined {
    let path: string;
    try {
      path = new URL(request.url).pathname;
    } catch {
      return undefined;
    }
    if (!path.startsWith(this.#basePath)) return undefined;
    const id = path.slice(this.#basePath.length);
    return ID.test(id) ? id : undefined;
  }

  /** The stored request object of `id`, as RFC 9101 §5.2 has it served. */
  async #serveStored(id: string, head: boolean): Promise<Response> {
    let value: string | null | undefined;
    try {
      value = await withDeadline(() => this.#store.get(id), this.#storeTimeout, 'the request object store');
    } catch {
      // A store outage or timeout must not leak its message to the AS; the AS sees a 503 at once.
      return new Response(null, { status: 503, headers: { 'cache-control': 'no-store' } });
    }
    if (typeof value !== 'string') return notFound();
    return new Response(head ? null : value, {
      status: 200,
      headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' },
    });
  }

  async #publishForPost(id: string, requestObject: string, context: PublishContext | undefined): Promise<{ requestUri: string; expiresIn: number; requestUriMethod: 'post' }> {
    if (typeof context?.reissue !== 'function') {
      throw new OAuthJarError('ERR_PUBLISH_FAILED', 'method "post" answers each wallet with a fresh request object: publish through AuthorizationRequestBuilder.publishWith');
    }
    const now = Date.now();
    for (const [k, e] of this.#posts) if (e.expiresAt <= now) this.#posts.delete(k);
    if (this.#posts.size >= MAX_POST_ENTRIES) this.#posts.delete(this.#posts.keys().next().value!);
    this.#posts.set(id, { reissue: context.reissue, remaining: this.#maxFetches, expiresAt: now + this.#ttl * 1000 });
    const published = await this.#publishStored(id, requestObject);
    return { ...published, requestUriMethod: 'post' };
  }

  // The GET path's storage, shared by both methods: the object as built, for GET fallbacks.
  async #publishStored(id: string, requestObject: string): Promise<{ requestUri: string; expiresIn: number }> {
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

  async #servePost(request: Request): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD, POST' } });
    }
    const id = this.#idOf(request);
    const entry = id === undefined ? undefined : this.#posts.get(id);
    if (id === undefined || !entry || entry.expiresAt <= Date.now() || entry.remaining <= 0) {
      if (id !== undefined) this.#posts.delete(id);
      return notFound();
    }
    if (request.method !== 'POST') {
      entry.remaining--;
      return this.#serveStored(id, request.method === 'HEAD');
    }
    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') return badRequest('the request must be application/x-www-form-urlencoded');
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await readText(request, MAX_FORM_BYTES));
    } catch {
      return badRequest('the request body is too large or unreadable');
    }
    let options: ReissueOptions;
    try {
      options = readWalletForm(form);
    } catch (err) {
      if (err instanceof WalletFormError) return badRequest(err.message);
      throw err;
    }
    entry.remaining--;
    let jwt: string;
    try {
      jwt = await entry.reissue(options);
    } catch (err) {
      // Our own algorithm or encryption limits, never the wallet's text.
      if (err instanceof OAuthJarError && err.code === 'ERR_UNSUPPORTED_ALG') return badRequest('no request object signing or encryption algorithm in common with the wallet');
      return new Response(null, { status: 500, headers: { 'cache-control': 'no-store' } });
    }
    return new Response(jwt, { status: 200, headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' } });
  }
}

function badRequest(description: string): Response {
  return new Response(JSON.stringify({ error: 'invalid_request', error_description: description }), {
    status: 400,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new RangeError('too large');
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new RangeError('too large');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function notFound(): Response {
  return new Response(null, { status: 404, headers: { 'cache-control': 'no-store' } });
}

import { OAuthJarError, ResponseError } from '../errors.js';
import { request, type HttpResponse } from '../http/client.js';
import { Cache, type CacheStore } from '../lib/cache.js';
import { absoluteUrl, invalid, isPlainObject } from '../lib/validate.js';
import { rememberConnection, type ConnectionSettings } from './connection.js';

/**
 * Authorization server metadata (RFC 8414 §2, OpenID Connect Discovery §3), in wire names. The
 * members oauth-jar reads are typed; every other member is kept as the server sent it.
 */
export interface AuthorizationServerMetadata {
  /** The issuer identifier: the `aud` of request objects (RFC 9101 §4). */
  readonly issuer: string;
  readonly authorization_endpoint?: string;
  readonly token_endpoint?: string;
  readonly jwks_uri?: string;
  /** RFC 9126 §5. */
  readonly pushed_authorization_request_endpoint?: string;
  /** RFC 9126 §5. */
  readonly require_pushed_authorization_requests?: boolean;
  /** RFC 9101 §10.5. */
  readonly require_signed_request_object?: boolean;
  readonly request_parameter_supported?: boolean;
  readonly request_uri_parameter_supported?: boolean;
  readonly require_request_uri_registration?: boolean;
  readonly request_object_signing_alg_values_supported?: string[];
  readonly request_object_encryption_alg_values_supported?: string[];
  readonly request_object_encryption_enc_values_supported?: string[];
  readonly token_endpoint_auth_methods_supported?: string[];
  readonly token_endpoint_auth_signing_alg_values_supported?: string[];
  /** RFC 8705 §5: endpoints to use with a TLS client certificate. */
  readonly mtls_endpoint_aliases?: { readonly [endpoint: string]: string | undefined };
  /** RFC 9207 §3: the server returns `iss` in authorization responses. */
  readonly authorization_response_iss_parameter_supported?: boolean;
  /** JARM §3: response modes the server supports (`query.jwt`, …). */
  readonly response_modes_supported?: string[];
  readonly authorization_signing_alg_values_supported?: string[];
  readonly authorization_encryption_alg_values_supported?: string[];
  readonly authorization_encryption_enc_values_supported?: string[];
  readonly [member: string]: unknown;
}

/** A cache of discovered metadata, keyed by issuer. Any `Map` fits. */
export interface DiscoveryCache {
  get(issuer: string): { metadata: AuthorizationServerMetadata; expiresAt: number } | undefined;
  set(issuer: string, entry: { metadata: AuthorizationServerMetadata; expiresAt: number }): unknown;
  delete(issuer: string): unknown;
}

/** Options of {@link discoverAuthorizationServer}. */
export interface DiscoveryOptions {
  /**
   * Milliseconds for each metadata request (there are at most two), and for the requests that a
   * builder given this server's metadata makes to it (its `jwks_uri`).
   * @default 5000
   */
  timeout?: number;
  /** A `fetch` to use instead of the global one, here and for the builder's requests to this server. */
  fetch?: typeof fetch;
  /**
   * Where discovered metadata is kept, or `false` to fetch every time.
   * @default a cache shared by the whole process (at most 100 issuers)
   */
  cache?: DiscoveryCache | false;
  /**
   * Seconds a discovered document stays cached.
   * @default 600
   */
  cacheMaxAge?: number;
  /** A clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const DEFAULT_MAX_AGE = 600;

// Endpoint members that must be absolute URLs when present (RFC 8414 §2).
const URL_MEMBERS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'pushed_authorization_request_endpoint'] as const;

/**
 * Fetches an authorization server's metadata: first RFC 8414's
 * `/.well-known/oauth-authorization-server` (inserted before the issuer's path, §3.1), then
 * OpenID Connect Discovery's `{issuer}/.well-known/openid-configuration`. The `issuer` in the
 * document must equal the one asked for, character for character (RFC 8414 §3.3), or nothing is
 * returned: that check is what stops a metadata document from impersonating another server.
 *
 * Results are cached per issuer (10 minutes by default); failures are never cached.
 *
 * @param issuer The issuer identifier, exactly as the server states it (trailing slash included).
 * @returns The metadata in wire names, e.g. `as.pushed_authorization_request_endpoint`.
 * @throws {OAuthJarError} `ERR_INVALID_URL` (a plain {@link OAuthJarError}) when `issuer` is not an
 *   absolute `https` URL without query or fragment (`http` only for loopback hosts), and
 *   `ERR_INVALID_ARGUMENT` for invalid options: nothing was fetched.
 * @throws {ResponseError} `ERR_DISCOVERY` when the server is unreachable (`status` undefined, the
 *   network error as `cause`) or neither location gave a usable document for this issuer (`status`
 *   the most telling HTTP status); `ERR_TIMEOUT` when it did not answer in time; `ERR_RESPONSE`
 *   when a body exceeded the size cap.
 *
 * @example
 * ```ts
 * import { AuthorizationRequestBuilder, discoverAuthorizationServer } from 'oauth-jar';
 *
 * const as = await discoverAuthorizationServer('https://as.example.com');
 * const request = await new AuthorizationRequestBuilder('code', 'rp-1')
 *   .server(as) // authorization_endpoint, issuer as aud, PAR endpoint, jwks_uri
 *   .signWith(clientKey, { alg: 'ES256' })
 *   .build();
 * ```
 *
 * @see [RFC 8414 §3](https://www.rfc-editor.org/rfc/rfc8414#section-3) Obtaining Authorization Server Metadata
 */
export async function discoverAuthorizationServer(issuer: string, options: DiscoveryOptions = {}): Promise<AuthorizationServerMetadata> {
  const issuerUrl = absoluteUrl(issuer, 'issuer', { schemes: ['https:', 'http:'], fragment: false });
  // RFC 8414 §2: the issuer has no query or fragment.
  if (issuerUrl.search !== '') throw new OAuthJarError('ERR_INVALID_URL', 'issuer must not contain a query (RFC 8414 §2)');
  // RFC 8414 §2: the issuer uses https. Plain http would let anyone on the path swap the metadata
  // (and with it the endpoints and encryption keys), so it is allowed only to this machine, for
  // development and tests.
  if (issuerUrl.protocol === 'http:' && !LOOPBACK.test(issuerUrl.hostname)) {
    throw new OAuthJarError('ERR_INVALID_URL', `issuer must use https (RFC 8414 §2); http is accepted only for loopback hosts, got ${issuerUrl.origin}`);
  }
  if (typeof options !== 'object' || options === null) throw invalid('discoverAuthorizationServer options must be an object');
  const maxAge = options.cacheMaxAge ?? DEFAULT_MAX_AGE;
  if (!Number.isFinite(maxAge) || maxAge < 0) throw invalid('cacheMaxAge must be a non-negative number of seconds');
  const now = options.now ?? Date.now;
  const connection: ConnectionSettings = {
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const fetchIt = () => fetchMetadata(issuerUrl, issuer, connection);
  // Concurrent calls for one issuer (an app starting up) share one request; failures are not kept.
  const metadata = options.cache === false ? await fetchIt() : await cacheOf(options.cache).load(issuer, fetchIt, { ttl: maxAge * 1000, now });
  rememberConnection(metadata, connection);
  return metadata;
}

// The process's discovery cache; a cache passed in options gets a Cache of its own over it, kept
// as long as that cache lives.
let sharedCache: Cache<string, AuthorizationServerMetadata> | undefined;
const caches = /* @__PURE__ */ new WeakMap<DiscoveryCache, Cache<string, AuthorizationServerMetadata>>();

function cacheOf(store: DiscoveryCache | undefined): Cache<string, AuthorizationServerMetadata> {
  if (store === undefined) return (sharedCache ??= new Cache({ max: 100, ttl: DEFAULT_MAX_AGE * 1000 }));
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Cache({ max: Infinity, ttl: DEFAULT_MAX_AGE * 1000, store: adapt(store) })));
  return cache;
}

// DiscoveryCache keeps `{ metadata, expiresAt }`, the shape it has always had.
function adapt(store: DiscoveryCache): CacheStore<string, AuthorizationServerMetadata> {
  return {
    get: (issuer) => {
      const e = store.get(issuer);
      return e && { value: e.metadata, expiresAt: e.expiresAt };
    },
    set: (issuer, e) => store.set(issuer, { metadata: e.value, expiresAt: e.expiresAt }),
    delete: (issuer) => store.delete(issuer),
  };
}

async function fetchMetadata(issuerUrl: URL, issuer: string, http: ConnectionSettings): Promise<AuthorizationServerMetadata> {
  // Each location is tried in turn; one that answers something unusable (a 404, an HTML page from
  // a catch-all route, another issuer's document) sends us to the next. A transport failure or a
  // timeout stops discovery at once: the other location is on the same host.
  const failures: ResponseError[] = [];
  for (const url of wellKnownUrls(issuerUrl)) {
    const what = `the metadata document ${url.href}`;
    let res: HttpResponse;
    try {
      res = await request({ method: 'GET', url, headers: { accept: 'application/json' }, options: http, errorCode: 'ERR_DISCOVERY', what });
    } catch (err) {
      // Every failure once a request was made is a ResponseError, an unreachable server included.
      if (err instanceof ResponseError || !(err instanceof OAuthJarError)) throw err;
      throw new ResponseError(err.code, err.message, { cause: err.cause });
    }
    if (res.status !== 200) {
      failures.push(new ResponseError('ERR_DISCOVERY', `${what} answered HTTP ${res.status}`, { status: res.status }));
      continue;
    }
    let metadata: AuthorizationServerMetadata;
    try {
      metadata = parse(res, what, issuer);
    } catch (err) {
      failures.push(err as ResponseError);
      continue;
    }
    return metadata;
  }
  // The most telling failure: a document that was there but unusable, else the first status.
  const telling = failures.find((f) => f.status !== 404) ?? failures[0]!;
  throw new ResponseError('ERR_DISCOVERY', `no usable metadata for issuer ${issuer}: ${failures.map((f) => f.message).join('; ')}`, {
    ...(telling.status !== undefined ? { status: telling.status } : {}),
    cause: telling,
  });
}

/** RFC 8414 §3.1 (path inserted after the host), then OIDC Discovery §4 (path appended). */
function wellKnownUrls(issuer: URL): URL[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '');
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin),
    new URL(`${path}/.well-known/openid-configuration`, issuer.origin),
  ];
}

function parse(res: HttpResponse, what: string, issuer: string): AuthorizationServerMetadata {
  let value: unknown;
  try {
    value = JSON.parse(res.text());
  } catch (cause) {
    throw new ResponseError('ERR_DISCOVERY', `${what} is not JSON`, { status: res.status, cause });
  }
  if (!isPlainObject(value)) throw new ResponseError('ERR_DISCOVERY', `${what} is not a JSON object`, { status: res.status });
  // RFC 8414 §3.3: "MUST be identical to the issuer identifier value into which the well-known URI
  // string was inserted" — otherwise the data MUST NOT be used.
  if (value.issuer !== issuer) {
    throw new ResponseError(
      'ERR_DISCOVERY',
      `${what} states issuer ${typeof value.issuer === 'string' ? JSON.stringify(value.issuer) : 'nothing'}, expected ${JSON.stringify(issuer)} (RFC 8414 §3.3)`,
      { status: res.status },
    );
  }
  for (const name of URL_MEMBERS) {
    const v = value[name];
    if (v === undefined) continue;
    let ok = typeof v === 'string';
    if (ok) {
      try {
        new URL(v as string);
      } catch {
        ok = false;
      }
    }
    if (!ok) throw new ResponseError('ERR_DISCOVERY', `${what}: "${name}" is not an absolute URL`, { status: res.status });
  }
  return Object.freeze(value) as AuthorizationServerMetadata;
}

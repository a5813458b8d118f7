import { OAuthJarError, ResponseError } from '../errors.js';
import { isPrivateHost } from './address.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, request, type HttpResponse } from './client.js';

/**
 * The rules for every URL that a server-side component fetches because a client or a request
 * named it: a `request_uri` (RFC 9101 §5.2.3), a client's `jwks_uri`, and the next ones. One set
 * of rules, one fetcher: https only, no loopback / private / link-local hosts, no redirects, a
 * total deadline, a byte cap enforced while streaming, and failures remembered for a cooldown.
 *
 * @example
 * ```ts
 * new RequestObjectVerifier({ issuer, getClient, network: { timeout: 3000 }, jwksUri: { maxBytes: 128 * 1024 } });
 * ```
 *
 * @see [RFC 9101 §10.4](https://www.rfc-editor.org/rfc/rfc9101#section-10.4) Request URI Rewrite
 */
export interface NetworkPolicy {
  /**
   * Milliseconds for the whole exchange: connect, headers and body.
   * @default 5000
   */
  timeout?: number;
  /**
   * The largest response body accepted, in bytes, enforced while streaming.
   * @default 65536
   */
  maxBytes?: number;
  /**
   * Fetch `http:` URLs too. Only for loopback tests: a request object or key set over plain HTTP
   * can be read and replaced on the way.
   * @default false
   */
  allowHttp?: boolean;
  /**
   * Fetch from loopback, private, link-local and other special-purpose addresses (IP literals,
   * `localhost`, and on Node names that resolve to them). Only for loopback tests.
   * @default false
   */
  allowPrivateNetwork?: boolean;
  /**
   * Milliseconds during which a failed fetch of a URL is answered from memory, without a new
   * request: a burst of requests naming an unreachable host makes one connection attempt.
   * @default 5000
   */
  cooldown?: number;
  /**
   * A `fetch` to use instead of the runtime's. The URL and response checks still apply; a
   * replacement takes over the connection itself (on Node, the resolved-address check of the
   * default is then the replacement's job: `guardedFetch` from `oauth-jar/node` does it).
   */
  fetch?: typeof fetch;
}

/** One outbound exchange through the guarded fetcher. */
export interface GuardedRequest {
  method: 'GET' | 'POST';
  url: string;
  /** What the URL is, for messages in `cause` chains: "the request_uri", "the client's jwks_uri". */
  what: string;
  /** The media types accepted, most preferred first; any other content type is a failure. */
  accept: readonly string[];
  /** A form body (`application/x-www-form-urlencoded`), for POST. */
  body?: URLSearchParams;
}

/** A fetcher that applies one {@link NetworkPolicy} and remembers its failures. */
export interface GuardedFetcher {
  /**
   * Fetches `req.url` under the policy. Resolves only with a `200` answer of an accepted type;
   * everything else is an {@link OAuthJarError}: `ERR_INVALID_URL` before any request,
   * `ERR_TIMEOUT` or `ERR_RESPONSE` after. The message says what happened, for logs; never send
   * it to the party that named the URL.
   */
  fetch(req: GuardedRequest): Promise<HttpResponse>;
}

export const DEFAULT_COOLDOWN = 5000;
const MAX_REMEMBERED = 1024;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new OAuthJarError('ERR_INVALID_ARGUMENT', `${name} must be a non-negative number of ${name === 'maxBytes' ? 'bytes' : 'milliseconds'}`);
  }
  return value;
}

/**
 * Checks a URL against the rules that need no network: absolute, `https` (or `http` with
 * `allowHttp`), no credentials, no special-purpose host literal unless allowed. Returns the URL to
 * fetch with its fragment stripped (RFC 9101 §5.2.3).
 */
export function checkUrl(uri: string, policy: NetworkPolicy, what: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} is not an absolute URL`, { cause });
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp === true && url.protocol === 'http:')) {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} must use https`);
  }
  if (url.username !== '' || url.password !== '') throw new OAuthJarError('ERR_INVALID_URL', `${what} must not contain credentials`);
  if (policy.allowPrivateNetwork !== true && isPrivateHost(url.hostname)) {
    throw new OAuthJarError('ERR_INVALID_URL', `${what} points to a loopback, private or link-local address`);
  }
  url.hash = '';
  return url;
}

// The Accept header of each list of types, made once per list (the lists are constants).
const acceptHeaders = new WeakMap<readonly string[], string>();
function acceptHeader(types: readonly string[]): string {
  let header = acceptHeaders.get(types);
  if (header === undefined) {
    header = types.map((t, i) => (i === 0 ? t : `${t};q=0.${Math.max(9 - i, 1)}`)).join(', ');
    acceptHeaders.set(types, header);
  }
  return header;
}

/**
 * Creates the guarded fetcher for one policy. Its failure memory belongs to it (one per verifier,
 * size-bounded); `now` is its clock.
 */
export function createGuardedFetcher(policy: NetworkPolicy = {}, now: () => number = Date.now): GuardedFetcher {
  const timeout = positive(policy.timeout, DEFAULT_TIMEOUT, 'timeout');
  const maxBytes = positive(policy.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
  const cooldown = positive(policy.cooldown, DEFAULT_COOLDOWN, 'cooldown');
  if (policy.fetch !== undefined && typeof policy.fetch !== 'function') {
    throw new OAuthJarError('ERR_INVALID_ARGUMENT', 'fetch must be a function');
  }
  const failures = new Map<string, { until: number; error: OAuthJarError }>();

  async function exchange(req: GuardedRequest, url: URL): Promise<HttpResponse> {
    const res = await request({
      method: req.method,
      url,
      headers: { accept: acceptHeader(req.accept) },
      ...(req.body ? { body: req.body } : {}),
      options: { timeout, maxBytes, ...(policy.fetch ? { fetch: policy.fetch } : {}) },
      errorCode: 'ERR_RESPONSE',
      what: req.what,
    });
    if (res.status !== 200) {
      // Redirects are answers like any other (no host is reached that was not checked).
      throw new ResponseError('ERR_RESPONSE', `${req.what} answered HTTP ${res.status}, expected 200 (redirects are not followed)`, { status: res.status });
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!req.accept.includes(type)) {
      throw new ResponseError('ERR_RESPONSE', `${req.what} answered with content type "${type || '(none)'}", expected ${req.accept[0]}`, { status: res.status });
    }
    return res;
  }

  return {
    async fetch(req) {
      const url = checkUrl(req.url, policy, req.what);
      const key = `${req.method} ${url.href}`;
      const remembered = failures.get(key);
      if (remembered && remembered.until > now()) {
        throw new OAuthJarError(remembered.error.code, `${req.what} failed within the last ${cooldown} ms; not fetched again yet`, { cause: remembered.error });
      }
      failures.delete(key);
      try {
        return await exchange(req, url);
      } catch (cause) {
        const error = cause instanceof OAuthJarError ? cause : new OAuthJarError('ERR_RESPONSE', `${req.what} could not be fetched`, { cause });
        if (cooldown > 0) {
          if (failures.size >= MAX_REMEMBERED) failures.delete(failures.keys().next().value!);
          failures.set(key, { until: now() + cooldown, error });
        }
        throw error;
      }
    },
  };
}

import { ResponseError } from '../errors.js';
import type { GuardedFetcher, NetworkPolicy } from './guard.js';

// RFC 7517 §8.5.1 registers application/jwk-set+json; most hosts serve application/json.
const ACCEPTED_TYPES = ['application/jwk-set+json', 'application/json'] as const;

/**
 * Fetches a client's `jwks_uri` through the guarded fetcher and parses it as a JSON object. The
 * shape of the key set is jose's to judge. Throws `OAuthJarError`.
 */
export async function fetchJwks(uri: string, fetcher: GuardedFetcher): Promise<unknown> {
  const res = await fetcher.fetch({ method: 'GET', url: uri, what: 'the client\'s jwks_uri', accept: ACCEPTED_TYPES });
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body));
  } catch (cause) {
    throw new ResponseError('ERR_RESPONSE', 'the client\'s jwks_uri did not answer with JSON', { status: res.status, cause });
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new ResponseError('ERR_RESPONSE', 'the client\'s jwks_uri did not answer with a JWK set ({ "keys": [...] })', { status: res.status });
  }
  return value;
}

/**
 * How the verifier fetches and caches a client's `jwks_uri`: the verifier's `network` policy with
 * these values taken over for key sets, plus the cache's own settings.
 *
 * @example
 * ```ts
 * new RequestObjectVerifier({ issuer, getClient, jwksUri: { cacheMaxAge: 300_000, cooldown: 2000 } });
 * ```
 */
export interface JwksUriFetchOptions extends NetworkPolicy {
  /**
   * Milliseconds a fetched key set is used before it is fetched again.
   * @default 600000
   */
  cacheMaxAge?: number;
  /**
   * Milliseconds between two fetches of one `jwks_uri`, whatever triggers them: an unknown `kid`
   * (a rotated key is accepted at most this long after the first request that uses it), an
   * expired cache entry, or a failure (answered from memory meanwhile). Concurrent requests share
   * one fetch.
   * @default 5000
   */
  cooldown?: number;
  /**
   * The most key sets kept; the least recently used is dropped first.
   * @default 1000
   */
  maxEntries?: number;
}

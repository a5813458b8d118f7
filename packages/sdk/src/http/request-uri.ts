import { ResponseError } from '../errors.js';
import type { GuardedFetcher, NetworkPolicy } from './guard.js';

/**
 * How the verifier fetches a `request_uri` (RFC 9101 §5.2.3): the verifier's `network` policy with
 * these values taken over for request objects.
 *
 * @example
 * ```ts
 * new RequestObjectVerifier({ issuer, getClient, requestUri: { timeout: 3000, maxBytes: 32 * 1024 } });
 * ```
 */
export type RequestUriFetchOptions = NetworkPolicy;

// RFC 9101 §5.2: application/oauth-authz-req+jwt; application/jwt tolerated for older hosts.
const ACCEPTED_TYPES = ['application/oauth-authz-req+jwt', 'application/jwt'] as const;
// One decoder for every call: a decode without `stream` keeps no state between calls.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Fetches a request object by reference (RFC 9101 §5.2.3) through the guarded fetcher (§10.4):
 * a `200` answer of type `application/oauth-authz-req+jwt` (`application/jwt` tolerated; `text/html`
 * and everything else refused). Returns the compact JWT text. Throws `OAuthJarError`.
 * With a `form`, a wallet's POST (OpenID4VP 1.0 §5.10: `wallet_metadata`, `wallet_nonce`).
 */
export async function fetchRequestObject(uri: string, fetcher: GuardedFetcher, form?: URLSearchParams): Promise<string> {
  const res = await fetcher.fetch({
    method: form ? 'POST' : 'GET',
    url: uri,
    what: 'the request_uri',
    accept: ACCEPTED_TYPES,
    ...(form ? { body: form } : {}),
  });
  try {
    return strictUtf8.decode(res.body).trim();
  } catch (cause) {
    throw new ResponseError('ERR_RESPONSE', 'the request_uri answered with a body that is not UTF-8', { status: res.status, cause });
  }
}

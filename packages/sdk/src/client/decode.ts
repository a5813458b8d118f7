import { OAuthJarError } from '../errors.js';
import { unverifiedClaims, unverifiedHeader } from '../crypto/decode.js';
import { isCompactJwt } from '../lib/jwt.js';

/** What {@link decodeAuthorizationRequest} returns. Nothing in it is verified. */
export interface DecodedAuthorizationRequest {
  /** The query's `client_id`, when the input was a URL or query. */
  clientId: string | undefined;
  /** The compact request object passed by value, if any. */
  request: string | undefined;
  /** The `request_uri`, if the request was sent by reference. */
  requestUri: string | undefined;
  /** The protected header: the JWE's for an encrypted object, else the JWS's. */
  header: Record<string, unknown> | undefined;
  /** The claims of a signed object; `undefined` for an encrypted object (decode does not decrypt). */
  claims: Record<string, unknown> | undefined;
  /** Whether the request object is a JWE (5 segments). */
  encrypted: boolean;
}

/**
 * Decodes an authorization URL, its query, or a compact request object, without verifying or
 * decrypting anything: for tests and debugging. Never use its output to make a trust decision.
 *
 * @example
 * ```ts
 * const { clientId, header, claims } = decodeAuthorizationRequest(request.url);
 * expect(header?.typ).toBe('oauth-authz-req+jwt');
 * expect(claims?.scope).toBe('openid');
 * ```
 */
export function decodeAuthorizationRequest(input: string | URL | URLSearchParams): DecodedAuthorizationRequest {
  let clientId: string | undefined;
  let request: string | undefined;
  let requestUri: string | undefined;
  if (typeof input === 'string' && isCompactJwt(input.trim())) {
    request = input.trim();
  } else {
    let query: URLSearchParams;
    if (input instanceof URLSearchParams) query = input;
    else if (input instanceof URL) query = input.searchParams;
    else if (typeof input === 'string') {
      try {
        query = /^[a-z][a-z0-9+.-]*:/i.test(input) ? new URL(input).searchParams : new URLSearchParams(input);
      } catch (cause) {
        throw new OAuthJarError('ERR_DECODE', 'the input is neither a URL, a query string, nor a compact JWT', { cause });
      }
    } else {
      throw new OAuthJarError('ERR_DECODE', 'decodeAuthorizationRequest takes a URL, a query string or a compact JWT');
    }
    clientId = query.get('client_id') ?? undefined;
    request = query.get('request') ?? undefined;
    requestUri = query.get('request_uri') ?? undefined;
  }
  if (request === undefined) {
    return { clientId, request, requestUri, header: undefined, claims: undefined, encrypted: false };
  }
  const segments = request.split('.').length;
  if (segments !== 3 && segments !== 5) {
    throw new OAuthJarError('ERR_DECODE', `a compact request object has 3 (JWS) or 5 (JWE) segments, got ${segments}`);
  }
  try {
    const header = unverifiedHeader(request) as Record<string, unknown>;
    const encrypted = segments === 5;
    const claims = encrypted ? undefined : (unverifiedClaims(request) as Record<string, unknown>);
    return { clientId, request, requestUri, header, claims, encrypted };
  } catch (cause) {
    throw new OAuthJarError('ERR_DECODE', `the request object could not be decoded: ${(cause as Error)?.message}`, { cause });
  }
}

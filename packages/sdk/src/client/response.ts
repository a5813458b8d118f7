// Static imports: an app that never calls verifyAuthorizationResponse drops this module and its
// jose code with it (a bundler keeps every import() target as a lazy chunk, even from dead code,
// and such a chunk splits the jose code a sign-only page loads).
import { unverifiedHeader } from '../crypto/decode.js';
import { decryptResponseJwt, ResponseJwtFailure, verifyResponseJwt } from '../crypto/response-jwt.js';
import type { JSONWebKeySet, JWK } from '../crypto/types.js';
import { AuthorizationResponseError, OAuthJarError, type OAuthJarErrorCode } from '../errors.js';
import { assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import type { AuthorizationServerMetadata } from './discovery.js';

/** Options of {@link verifyAuthorizationResponse}. */
export interface VerifyAuthorizationResponseOptions {
  /** The authorization server the request went to (from `discoverAuthorizationServer`). */
  server: AuthorizationServerMetadata;
  /** The client's `client_id`: the `aud` a JWT-secured response must carry. */
  clientId: string;
  /**
   * The `state` sent with the request. The response's `state` must equal it; left out, a response
   * that carries a `state` is refused (an unchecked `state` would protect nothing).
   */
  state?: string | undefined;
  /**
   * The client's private JWKs (`use: "enc"`) for responses encrypted to it (JARM §2.3: signed,
   * then encrypted). Without them an encrypted response is refused.
   */
  decryptionKeys?: JSONWebKeySet | readonly JWK[] | undefined;
  /**
   * Require a JWT-secured response (the request asked for a `jwt` response mode): a plain
   * response is then refused, so an attacker cannot strip the protection.
   * @default false
   */
  jarm?: boolean;
  /**
   * The JWS algorithms accepted for the response JWT.
   * @default the server's `authorization_signing_alg_values_supported` within PS256, ES256, EdDSA,
   *   Ed25519, RS256 and their larger variants; never `none` or HS*
   */
  algorithms?: readonly string[];
  /**
   * Seconds of clock skew allowed for `exp`.
   * @default 30
   */
  clockTolerance?: number;
  /** The clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number;
  /**
   * Milliseconds for the `jwks_uri` fetch.
   * @default 5000
   */
  timeout?: number;
  /** A `fetch` to use for the `jwks_uri` instead of the global one. */
  fetch?: typeof fetch;
}

/** What {@link verifyAuthorizationResponse} returns. */
export interface AuthorizationResponse {
  /** The verified response parameters: `code`, `state`, `iss`, … (from the JWT when there was one). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The response JWT, when the response was JWT-secured. */
  readonly jwt: string | undefined;
}

const JWT_SAFE_ALGS = ['PS256', 'ES256', 'EdDSA', 'Ed25519', 'PS384', 'PS512', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512'];
// A response JWT travels in a URL or a form: anything this long is no honest response.
const MAX_JWT_LENGTH = 65_536;
const RESPONSE_MARKERS = ['response', 'code', 'error', 'state'];

/**
 * Verifies an authorization response on the redirect URI: a JWT-secured one (JARM, response
 * modes `jwt`, `query.jwt`, `fragment.jwt`, `form_post.jwt`) or a plain one.
 *
 * For `response=<JWT>` it decrypts the JWT when it was encrypted to the client (nested JWE),
 * verifies its signature with the keys of the server's `jwks_uri` (fetched with a timeout, a size
 * cap and no redirects, cached, fetched again on an unknown `kid`), then checks `iss` = the
 * server's issuer, `aud` = the client_id, `exp` (required), and `state`. A plain response has its
 * `iss` checked (RFC 9207) when the server advertises
 * `authorization_response_iss_parameter_supported`, and its `state`.
 *
 * An error answer from the server becomes an {@link AuthorizationResponseError}; every failed
 * check an `OAuthJarError` with its own code (`ERR_RESPONSE_ISSUER`, `ERR_RESPONSE_AUDIENCE`,
 * `ERR_RESPONSE_EXPIRED`, `ERR_RESPONSE_SIGNATURE`, `ERR_RESPONSE_KEY`, `ERR_RESPONSE_ALG`,
 * `ERR_RESPONSE_DECRYPT`, `ERR_RESPONSE_STATE`, `ERR_RESPONSE_MALFORMED`).
 *
 * @param input The callback URL (its query or fragment is read), the query or fragment itself,
 *   or a `form_post` body as `URLSearchParams` or text.
 *
 * @example
 * ```ts
 * import { discoverAuthorizationServer, verifyAuthorizationResponse } from 'oauth-jar';
 *
 * const as = await discoverAuthorizationServer('https://bank.example');
 * const { parameters } = await verifyAuthorizationResponse(callbackUrl, { server: as, clientId: 'rp-1', state, jarm: true });
 * parameters.code; // for the token request
 * ```
 *
 * @see [JWT Secured Authorization Response Mode for OAuth 2.0 (JARM) §2.4](https://openid.net/specs/oauth-v2-jarm.html#section-2.4)
 * @see [RFC 9207 §2.4](https://www.rfc-editor.org/rfc/rfc9207#section-2.4)
 */
export async function verifyAuthorizationResponse(
  input: URL | URLSearchParams | string,
  options: VerifyAuthorizationResponseOptions,
): Promise<AuthorizationResponse> {
  if (!isPlainObject(options)) throw invalid('verifyAuthorizationResponse needs options with "server" and "clientId"');
  const { server, clientId } = options;
  if (!isPlainObject(server) || typeof server.issuer !== 'string') {
    throw invalid('options.server must be authorization server metadata with an "issuer" (from discoverAuthorizationServer)');
  }
  assertNonEmptyString(clientId, 'options.clientId');
  if (options.state !== undefined) assertNonEmptyString(options.state, 'options.state');

  const received = responseParameters(input);
  const jwt = received.get('response');
  let parameters: Record<string, string>;
  if (jwt !== undefined) {
    parameters = await verifiedJwtParameters(jwt, server, clientId, options);
  } else {
    if (options.jarm) fail('ERR_RESPONSE_MALFORMED', 'a JWT-secured response ("response" parameter) was expected, the response is plain');
    parameters = Object.fromEntries(received);
    // RFC 9207 §2.4: with the server's promise, iss is required; when present, it must match anyway.
    const iss = parameters.iss;
    if (iss === undefined && server.authorization_response_iss_parameter_supported === true) {
      fail('ERR_RESPONSE_ISSUER', `the response has no "iss", but ${server.issuer} advertises authorization_response_iss_parameter_supported (RFC 9207 §2.4)`);
    }
    if (iss !== undefined && iss !== server.issuer) fail('ERR_RESPONSE_ISSUER', `the response's "iss" is not the issuer ${server.issuer} (RFC 9207 §2.4)`);
  }

  // RFC 6749 §4.1.2 / §10.12: the state must be the one this client sent.
  if (options.state === undefined ? parameters.state !== undefined : parameters.state !== options.state) {
    fail('ERR_RESPONSE_STATE', options.state === undefined ? 'the response carries a "state", but none was expected' : 'the response\'s "state" is not the one sent');
  }
  if (parameters.error !== undefined) {
    throw new AuthorizationResponseError({
      error: parameters.error,
      error_description: parameters.error_description,
      error_uri: parameters.error_uri,
    });
  }
  return { parameters, jwt };
}

function fail(code: OAuthJarErrorCode, message: string, cause?: unknown): never {
  throw new OAuthJarError(code, message, cause === undefined ? undefined : { cause });
}

// The response's parameters from a URL (query or fragment), a query/fragment string or a form body.
function responseParameters(input: URL | URLSearchParams | string): Map<string, string> {
  let params: URLSearchParams;
  if (input instanceof URLSearchParams) {
    params = input;
  } else if (input instanceof URL || (typeof input === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(input))) {
    let url: URL;
    try {
      url = new URL(input);
    } catch (cause) {
      fail('ERR_RESPONSE_MALFORMED', 'the callback URL is not a valid URL', cause);
    }
    // fragment.jwt / fragment responses travel in the fragment; the rest in the query.
    const fragment = new URLSearchParams(url.hash.slice(1));
    params = RESPONSE_MARKERS.some((m) => fragment.has(m)) ? fragment : url.searchParams;
  } else if (typeof input === 'string') {
    params = new URLSearchParams(input.replace(/^[?#]/, ''));
  } else {
    throw invalid('the response must be a callback URL, a query or fragment string, or a form body');
  }
  const out = new Map<string, string>();
  let repeated: string | undefined;
  params.forEach((value, name) => {
    if (out.has(name)) repeated ??= name;
    out.set(name, value);
  });
  // RFC 6749 §3.1: parameters must not be repeated; a second value is someone else's.
  if (repeated !== undefined) fail('ERR_RESPONSE_MALFORMED', `the response repeats the "${repeated}" parameter`);
  return out;
}

async function verifiedJwtParameters(
  jwt: string,
  server: AuthorizationServerMetadata,
  clientId: string,
  options: VerifyAuthorizationResponseOptions,
): Promise<Record<string, string>> {
  if (jwt.length > MAX_JWT_LENGTH) fail('ERR_RESPONSE_MALFORMED', `the response JWT is longer than ${MAX_JWT_LENGTH} characters`);
  const segments = jwt.split('.').length;
  if (segments !== 3 && segments !== 5) fail('ERR_RESPONSE_MALFORMED', 'the response is not a compact JWS or JWE');
  const header = (token: string) => {
    try {
      return unverifiedHeader(token);
    } catch (cause) {
      return fail('ERR_RESPONSE_MALFORMED', 'the response JWT header is not valid JSON in base64url', cause);
    }
  };

  let jws = jwt;
  if (segments === 5) {
    const keys = options.decryptionKeys === undefined ? undefined : Array.isArray(options.decryptionKeys) ? options.decryptionKeys : (options.decryptionKeys as JSONWebKeySet).keys;
    if (!keys || keys.length === 0) fail('ERR_RESPONSE_DECRYPT', 'the response is encrypted, but no decryptionKeys were given');
    const h = header(jwt);
    if (typeof h.alg !== 'string' || typeof h.enc !== 'string') fail('ERR_RESPONSE_DECRYPT', 'the encrypted response has no "alg" or "enc"');
    try {
      jws = await decryptResponseJwt(jwt, keys, { alg: h.alg, kid: h.kid });
    } catch (cause) {
      fail('ERR_RESPONSE_DECRYPT', `the response could not be decrypted with the client's keys (alg ${h.alg}, enc ${h.enc})`, cause);
    }
    // JARM §2.3: encrypted responses are signed first; an encrypted-only claims set proves nothing.
    if (jws.split('.').length !== 3) fail('ERR_RESPONSE_MALFORMED', 'the decrypted response is not a signed JWT');
  }

  const h = header(jws);
  const algorithms = allowedAlgorithms(server, options.algorithms);
  if (h.alg === 'none' || typeof h.alg !== 'string' || !algorithms.includes(h.alg)) {
    fail('ERR_RESPONSE_ALG', `the response is signed with ${JSON.stringify(h.alg ?? null)}, not one of ${algorithms.join(', ')}`);
  }
  const jwksUri = server.jwks_uri;
  if (typeof jwksUri !== 'string') fail('ERR_RESPONSE_KEY', `the server ${server.issuer} publishes no jwks_uri to verify the response with`);

  const { serverKeys } = await import('./server-keys.js');
  const http = { ...(options.timeout !== undefined ? { timeout: options.timeout } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) };
  const now = options.now ?? Date.now;
  const verify = {
    algorithms,
    currentDate: new Date(now()),
    clockTolerance: options.clockTolerance ?? 30,
  };
  let claims: Record<string, unknown>;
  try {
    let keys = await serverKeys(server, jwksUri, http);
    // Key rollover: a kid the cached set lacks sends us back to the jwks_uri (at most every 30 s).
    if (typeof h.kid === 'string' && !keys.some((k) => k.kid === h.kid)) keys = await serverKeys(server, jwksUri, http, true);
    try {
      ({ claims } = await verifyResponseJwt(jws, keys, verify));
    } catch (err) {
      if (!(err instanceof ResponseJwtFailure) || err.kind !== 'key' || typeof h.kid === 'string') throw err;
      // No kid and no fitting key: the server may have rolled its keys.
      ({ claims } = await verifyResponseJwt(jws, await serverKeys(server, jwksUri, http, true), verify));
    }
  } catch (err) {
    if (err instanceof OAuthJarError) throw err;
    if (err instanceof ResponseJwtFailure) {
      const code = ({ alg: 'ERR_RESPONSE_ALG', key: 'ERR_RESPONSE_KEY', signature: 'ERR_RESPONSE_SIGNATURE', expired: 'ERR_RESPONSE_EXPIRED', malformed: 'ERR_RESPONSE_MALFORMED' } as const)[err.kind];
      fail(code, err.message, err);
    }
    throw err;
  }

  // JARM §2.4: iss is exactly the issuer; aud contains the client_id.
  if (claims.iss !== server.issuer) fail('ERR_RESPONSE_ISSUER', `the response was not issued by ${server.issuer}`);
  const aud = claims.aud;
  if (!(aud === clientId || (Array.isArray(aud) && aud.includes(clientId)))) fail('ERR_RESPONSE_AUDIENCE', `the response is not addressed to the client ${clientId}`);

  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (name !== 'aud' && name !== 'exp' && typeof value === 'string') parameters[name] = value;
  }
  return parameters;
}

function allowedAlgorithms(server: AuthorizationServerMetadata, configured: readonly string[] | undefined): string[] {
  if (configured !== undefined) {
    if (!Array.isArray(configured) || configured.length === 0) throw invalid('options.algorithms must be a non-empty array');
    return configured.filter((a) => a !== 'none');
  }
  const listed = server.authorization_signing_alg_values_supported;
  if (!Array.isArray(listed)) return JWT_SAFE_ALGS;
  return JWT_SAFE_ALGS.filter((a) => listed.includes(a));
}

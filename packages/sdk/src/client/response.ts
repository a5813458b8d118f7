// Static imports: an app that never calls verifyAuthorizationResponse drops this module and its
// jose code with it (a bundler keeps every import() target as a lazy chunk, even from dead code,
// and such a chunk splits the jose code a sign-only page loads).
import { unverifiedHeader } from '../crypto/decode.js';
import { decryptCompact } from '../crypto/decrypt.js';
import { decryptResponseJwt, ResponseJwtFailure, verifyResponseJwt } from '../crypto/response-jwt.js';
import type { JSONWebKeySet, JWK } from '../crypto/types.js';
import { AuthorizationResponseError, OAuthJarError, ResponseError, type OAuthJarErrorCode } from '../errors.js';
import { assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import type { AuthorizationServerMetadata } from './discovery.js';

/**
 * Options of {@link verifyAuthorizationResponse} for a response from an authorization server:
 * JWT-secured (JARM) or plain with RFC 9207's `iss`. `server` selects this form.
 */
export interface ServerResponseOptions {
  /** The authorization server the request went to (from `discoverAuthorizationServer`). */
  server: AuthorizationServerMetadata;
  /** Belongs to the OpenID4VP form ({@link DirectPostJwtResponseOptions}); never given with `server`. */
  clientMetadata?: undefined;
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

/** What {@link verifyAuthorizationResponse} returns for a response from an authorization server. */
export interface AuthorizationResponse {
  /** The verified response parameters: `code`, `state`, `iss`, … (from the JWT when there was one). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The response JWT, when the response was JWT-secured. */
  readonly jwt: string | undefined;
}

/**
 * Options of {@link verifyAuthorizationResponse} for an OpenID4VP `direct_post.jwt` response, as
 * the verifier's `response_uri` receives it from a wallet: no `server`, and the `client_metadata`
 * the request sent.
 */
export interface DirectPostJwtResponseOptions {
  /** Belongs to the authorization server form ({@link ServerResponseOptions}); never given here. */
  server?: undefined;
  /** The private keys whose public halves went into the request's `client_metadata.jwks`. */
  decryptionKeys: JSONWebKeySet | readonly JWK[];
  /**
   * The `client_metadata` the request carried: its `encrypted_response_enc_values_supported`
   * (default `['A128GCM']`, OpenID4VP 1.0 §8.3) bounds the accepted `enc`.
   */
  clientMetadata: { encrypted_response_enc_values_supported?: string[]; [name: string]: unknown };
  /**
   * The `state` the request carried; the response must carry the same (RFC 6749 §4.1.2). Left
   * out, a response that carries a `state` is refused.
   */
  state?: string | undefined;
}

/**
 * Options of {@link verifyAuthorizationResponse}: with `server`, a response from an authorization
 * server ({@link ServerResponseOptions}); without `server` and with `clientMetadata`, an OpenID4VP
 * `direct_post.jwt` response ({@link DirectPostJwtResponseOptions}).
 */
export type VerifyAuthorizationResponseOptions = ServerResponseOptions | DirectPostJwtResponseOptions;

/** What {@link verifyAuthorizationResponse} returns for an OpenID4VP `direct_post.jwt` response. */
export interface DirectPostJwtResponse {
  /** The `vp_token` (OpenID4VP 1.0 §8.1). */
  vp_token: unknown;
  /** The `state`, when the response carried one. */
  state: string | undefined;
  /** Every response parameter. */
  parameters: Record<string, unknown>;
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
export function verifyAuthorizationResponse(input: URL | URLSearchParams | string, options: ServerResponseOptions): Promise<AuthorizationResponse>;
/**
 * Reads an OpenID4VP `direct_post.jwt` authorization response, as the verifier's `response_uri`
 * receives it: the form field `response`, an encrypted (not signed) JWT (OpenID4VP 1.0 §8.3.1).
 * Decrypts it with the verifier's keys, checks its `enc` against the `client_metadata` the request
 * sent (`A128GCM` by default), then `state`, and returns `vp_token` and `state`. Encrypted-only
 * responses carry no `iss`, `aud` or `exp`, so JARM's claim checks do not apply to them; `state`
 * still does. A wallet's error answer (`error` in the form or in the decrypted response, §8.5) is a
 * {@link ResponseError} carrying it; every failed check an `OAuthJarError` with the code
 * `ERR_AUTHORIZATION_RESPONSE`.
 *
 * @param input The POSTed form, or its `response` value (the compact JWE).
 *
 * @example
 * ```ts
 * import { verifyAuthorizationResponse } from 'oauth-jar';
 *
 * // in the handler of response_uri
 * const form = new URLSearchParams(await request.text());
 * const { vp_token, state } = await verifyAuthorizationResponse(form, {
 *   decryptionKeys: [responseEncryptionPrivateJwk],
 *   clientMetadata, // what the request object's client_metadata said
 *   state: expectedState,
 * });
 * ```
 *
 * @see [OpenID4VP 1.0 §8.3](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#section-8.3) Encrypted Responses
 */
export function verifyAuthorizationResponse(input: URLSearchParams | string, options: DirectPostJwtResponseOptions): Promise<DirectPostJwtResponse>;
/**
 * Either form, when the options are only known as the union: `server` verifies an authorization
 * server's response, `clientMetadata` (without `server`) an OpenID4VP `direct_post.jwt` response.
 *
 * @example
 * ```ts
 * import { verifyAuthorizationResponse, type VerifyAuthorizationResponseOptions } from 'oauth-jar';
 *
 * const options: VerifyAuthorizationResponseOptions = wallet
 *   ? { decryptionKeys: [responseEncryptionPrivateJwk], clientMetadata, state }
 *   : { server: as, clientId: 'rp-1', state };
 * const verified = await verifyAuthorizationResponse(form, options);
 * ```
 */
export function verifyAuthorizationResponse(input: URL | URLSearchParams | string, options: VerifyAuthorizationResponseOptions): Promise<AuthorizationResponse | DirectPostJwtResponse>;
export async function verifyAuthorizationResponse(
  input: URL | URLSearchParams | string,
  options: VerifyAuthorizationResponseOptions,
): Promise<AuthorizationResponse | DirectPostJwtResponse> {
  if (!isPlainObject(options)) throw invalid('verifyAuthorizationResponse needs options: { server, clientId } for an authorization server, { decryptionKeys, clientMetadata } for an OpenID4VP direct_post.jwt response');
  if (options.server !== undefined) {
    if (options.clientMetadata !== undefined) throw invalid('options.server and options.clientMetadata exclude each other: "server" verifies an authorization server\'s response, "clientMetadata" a wallet\'s direct_post.jwt response');
    return verifyServerResponse(input, options);
  }
  if (options.clientMetadata !== undefined) {
    if (input instanceof URL) throw invalid('a direct_post.jwt response is a POSTed form: pass the form or its "response" value');
    return verifyDirectPostJwt(input, options);
  }
  throw invalid('verifyAuthorizationResponse needs options.server (an authorization server\'s response) or options.clientMetadata (an OpenID4VP direct_post.jwt response)');
}

async function verifyServerResponse(input: URL | URLSearchParams | string, options: ServerResponseOptions): Promise<AuthorizationResponse> {
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
  options: ServerResponseOptions,
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

// OpenID4VP 1.0 §8.3: the wallet encrypts to a key of client_metadata.jwks by key agreement or
// key transport; nothing else (no dir, no PBES2).
const VP_KEY_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW', 'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512'];
const MAX_JWE_LENGTH = 256 * 1024;

function refuse(message: string, cause?: unknown): OAuthJarError {
  return new OAuthJarError('ERR_AUTHORIZATION_RESPONSE', message, cause === undefined ? undefined : { cause });
}

async function verifyDirectPostJwt(response: URLSearchParams | string, options: DirectPostJwtResponseOptions): Promise<DirectPostJwtResponse> {
  const keys = Array.isArray(options.decryptionKeys) ? options.decryptionKeys : (options.decryptionKeys as JSONWebKeySet | undefined)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('decryptionKeys must hold at least one private JWK');
  if (!isPlainObject(options.clientMetadata as unknown)) throw invalid('clientMetadata must be the client_metadata object the request sent');

  let jwe: string | null;
  if (response instanceof URLSearchParams) {
    const error = response.get('error');
    if (error !== null) {
      const description = response.get('error_description');
      throw new ResponseError('ERR_AUTHORIZATION_RESPONSE', 'the wallet answered with an error', {
        error,
        ...(description !== null ? { error_description: description } : {}),
      });
    }
    if (response.getAll('response').length > 1) throw refuse('the response parameter is repeated');
    jwe = response.get('response');
  } else {
    jwe = response;
  }
  if (typeof jwe !== 'string' || jwe === '') throw refuse('the form has no "response" parameter');
  if (jwe.length > MAX_JWE_LENGTH) throw refuse('the response is too large');
  if (jwe.split('.').length !== 5) throw refuse('the response is not a compact JWE: a direct_post.jwt response is encrypted (OpenID4VP 1.0 §8.3)');

  let header: Record<string, unknown>;
  try {
    header = unverifiedHeader(jwe) as Record<string, unknown>;
  } catch (cause) {
    throw refuse('the response header cannot be decoded', cause);
  }
  const encs = options.clientMetadata.encrypted_response_enc_values_supported ?? ['A128GCM'];
  if (typeof header.enc !== 'string' || !Array.isArray(encs) || !encs.includes(header.enc)) {
    throw refuse(`the response enc is not one the request offered (${Array.isArray(encs) ? encs.join(', ') : 'none'})`);
  }
  if (typeof header.alg !== 'string' || !VP_KEY_ALGS.includes(header.alg)) throw refuse('the response alg is not a supported key agreement or key transport algorithm');
  if (header.zip !== undefined) throw refuse('compressed responses are not accepted');

  let plaintext: string;
  try {
    plaintext = await decryptCompact(jwe, { keys }, { alg: header.alg, kid: header.kid }, {
      keyManagementAlgorithms: VP_KEY_ALGS,
      contentEncryptionAlgorithms: encs,
    });
  } catch (cause) {
    throw refuse('the response could not be decrypted with the verifier\'s keys', cause);
  }
  let parameters: unknown;
  try {
    parameters = JSON.parse(plaintext);
  } catch (cause) {
    throw refuse('the decrypted response is not a JSON object', cause);
  }
  if (!isPlainObject(parameters)) throw refuse('the decrypted response is not a JSON object');
  if (typeof parameters.error === 'string') {
    throw new ResponseError('ERR_AUTHORIZATION_RESPONSE', 'the wallet answered with an error', {
      error: parameters.error,
      ...(typeof parameters.error_description === 'string' ? { error_description: parameters.error_description } : {}),
    });
  }
  // Encrypted-only: no iss, aud or exp to check (OpenID4VP 1.0 §8.3.1), but state still binds.
  const state = parameters.state;
  if (state !== undefined && typeof state !== 'string') throw refuse('the response state is not a string');
  // RFC 6749 §4.1.2: the state of the response is the state of the request.
  if (options.state !== undefined && state !== options.state) throw refuse('the response state does not match the request');
  if (options.state === undefined && state !== undefined) throw refuse('the response carries a state the request did not send');
  if (parameters.vp_token === undefined) throw refuse('the response has no vp_token');
  return { vp_token: parameters.vp_token, state, parameters };
}

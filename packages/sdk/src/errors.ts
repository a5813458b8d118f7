/**
 * Every error that oauth-jar throws on purpose is an {@link OAuthJarError} with a stable `code`.
 * Match on `code` (or `instanceof`), never on `message`: messages may be reworded.
 *
 * @module
 */

/** The stable codes of {@link OAuthJarError} and its subclasses. */
export type OAuthJarErrorCode =
  // caller mistakes (client side)
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_URL'
  | 'ERR_UNSUPPORTED_ALG'
  | 'ERR_KEY_MISMATCH'
  | 'ERR_MISSING_ENDPOINT'
  | 'ERR_MISSING_AUDIENCE'
  | 'ERR_LIFETIME_TOO_LONG'
  | 'ERR_ENCRYPT_WITHOUT_SIGN'
  | 'ERR_FORBIDDEN_PARAMETER'
  | 'ERR_SIGN_FAILED'
  | 'ERR_ENCRYPT_FAILED'
  | 'ERR_DECODE'
  | 'ERR_CLIENT_ID_PREFIX'
  | 'ERR_ALG_NEGOTIATION'
  | 'ERR_PROFILE'
  // by-reference publishing and discovery
  | 'ERR_PUBLISH_FAILED'
  | 'ERR_RESPONSE'
  | 'ERR_TIMEOUT'
  | 'ERR_DISCOVERY'
  | 'ERR_STORE_FULL'
  // authorization responses (JARM, RFC 9207)
  | 'ERR_AUTHORIZATION_RESPONSE'
  | 'ERR_RESPONSE_MALFORMED'
  | 'ERR_RESPONSE_DECRYPT'
  | 'ERR_RESPONSE_ALG'
  | 'ERR_RESPONSE_KEY'
  | 'ERR_RESPONSE_SIGNATURE'
  | 'ERR_RESPONSE_ISSUER'
  | 'ERR_RESPONSE_AUDIENCE'
  | 'ERR_RESPONSE_EXPIRED'
  | 'ERR_RESPONSE_STATE'
  // server side
  | 'ERR_AUTHORIZATION_REQUEST'
  | 'ERR_CLIENT_METADATA'
  // OpenID4VP: the wallet's side
  | 'ERR_WALLET_REQUEST';

/**
 * The base class of every oauth-jar error.
 *
 * @example
 * ```ts
 * try {
 *   await builder.build();
 * } catch (err) {
 *   if (err instanceof OAuthJarError && err.code === 'ERR_MISSING_AUDIENCE') {
 *     // configure .audience(issuer)
 *   }
 * }
 * ```
 */
export class OAuthJarError extends Error {
  /** The error's stable code. */
  readonly code: OAuthJarErrorCode;

  constructor(code: OAuthJarErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * An HTTP peer (a PAR endpoint, a discovery document, a `request_uri` host) answered with something
 * other than what the protocol requires. Carries the server's OAuth `error` and `error_description`
 * when it sent them (RFC 6749 §5.2, RFC 9126 §2.3).
 *
 * @example
 * ```ts
 * try {
 *   await builder.publishWith(par).build();
 * } catch (err) {
 *   if (err instanceof ResponseError) console.log(err.status, err.error, err.error_description);
 * }
 * ```
 */
export class ResponseError extends OAuthJarError {
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** The OAuth `error` code from the server's JSON body, when there was one. */
  readonly error: string | undefined;
  /** The OAuth `error_description` from the server's JSON body, when there was one. */
  readonly error_description: string | undefined;

  constructor(
    code: OAuthJarErrorCode,
    message: string,
    details: { status?: number; error?: string; error_description?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: details.cause });
    this.status = details.status;
    this.error = details.error;
    this.error_description = details.error_description;
  }
}

/**
 * The authorization server answered the authorization request with an error (RFC 6749 §4.1.2.1),
 * in a verified JWT-secured response or a plain one whose `iss` checked out. Carries the server's
 * `error`, `error_description` and `error_uri` as sent.
 *
 * @example
 * ```ts
 * try {
 *   await verifyAuthorizationResponse(callbackUrl, { server: as, clientId: 'rp-1', state });
 * } catch (err) {
 *   if (err instanceof AuthorizationResponseError && err.error === 'access_denied') {
 *     // the user declined
 *   }
 * }
 * ```
 */
export class AuthorizationResponseError extends OAuthJarError {
  /** The OAuth `error` code the server sent. */
  readonly error: string;
  /** The server's `error_description`, when it sent one. */
  readonly error_description: string | undefined;
  /** The server's `error_uri`, when it sent one. */
  readonly error_uri: string | undefined;

  constructor(details: { error: string; error_description?: string | undefined; error_uri?: string | undefined }) {
    // The code names the error only when it looks like one (RFC 6749 §4.1.2.1 charset, short):
    // a response is attacker-reachable text until verified, and messages end up in logs.
    const printable = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(details.error) ? `"${details.error}"` : '(not printable)';
    super('ERR_AUTHORIZATION_RESPONSE', `the authorization server answered with error ${printable}`);
    this.error = details.error;
    this.error_description = details.error_description;
    this.error_uri = details.error_uri;
  }
}

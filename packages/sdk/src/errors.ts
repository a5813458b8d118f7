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
  // by-reference publishing and discovery
  | 'ERR_PUBLISH_FAILED'
  | 'ERR_RESPONSE'
  | 'ERR_TIMEOUT'
  | 'ERR_DISCOVERY'
  | 'ERR_STORE_FULL'
  // server side
  | 'ERR_AUTHORIZATION_REQUEST'
  | 'ERR_CLIENT_METADATA'
  // OpenID4VP: the wallet's side, and the verifier reading a wallet's response
  | 'ERR_WALLET_REQUEST'
  | 'ERR_AUTHORIZATION_RESPONSE';

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

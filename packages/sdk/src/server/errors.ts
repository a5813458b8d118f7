import { OAuthJarError } from '../errors.js';

/**
 * The OAuth `error` codes an authorization endpoint answers with for a request object
 * (RFC 9101 §7, RFC 6749 §4.1.2.1).
 *
 * @example
 * ```ts
 * if (err instanceof AuthorizationRequestError && err.error === 'invalid_request_uri') retryLater();
 * ```
 */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'server_error'
  | 'temporarily_unavailable';

/**
 * The verification step that refused the request, in the order of the checks
 * (SPEC-NOTES §2): stable names for logs and metrics.
 *
 * @example
 * ```ts
 * metrics.increment(`jar.refused.${err.check}`);
 * ```
 */
export type VerificationCheck =
  | 'repeated_parameter'
  | 'client_id'
  | 'client'
  | 'request_and_request_uri'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'signed_request_object_required'
  | 'request_uri'
  | 'shape'
  | 'decrypt'
  | 'header'
  | 'key'
  | 'signature'
  | 'client_id_claim'
  | 'iss'
  | 'aud'
  | 'time'
  | 'replay'
  | 'forbidden_claim'
  | 'claim_type'
  | 'profile'
  | 'internal';

// Checks that happen before the client is known: RFC 6749 §4.1.2.1 forbids redirecting those.
const NOT_REDIRECTABLE = new Set<VerificationCheck>(['repeated_parameter', 'client_id', 'client', 'internal']);

/**
 * An authorization request that the {@link RequestObjectVerifier} refused. `error` is the OAuth
 * code to answer with, `check` names the step that failed. The message names the check and never
 * contains a key, a secret or the request object itself.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verify(url.searchParams);
 * } catch (err) {
 *   if (err instanceof AuthorizationRequestError) {
 *     console.log(err.error, err.check, err.error_description); // invalid_request_object aud …
 *   }
 * }
 * ```
 */
export class AuthorizationRequestError extends OAuthJarError {
  /** The OAuth `error` code (RFC 9101 §7, RFC 6749 §4.1.2.1). */
  readonly error: AuthorizationErrorCode;
  /** A human-readable description, safe to show to the user agent. */
  readonly error_description: string;
  /** The HTTP status of a direct (non-redirect) answer. */
  readonly status: number;
  /** The verification step that failed. */
  readonly check: VerificationCheck;
  /**
   * Whether this error may be sent back to the client's `redirect_uri` once that is validated.
   * `false` when the client itself is missing or unknown (RFC 6749 §4.1.2.1).
   */
  readonly redirectable: boolean;

  constructor(
    error: AuthorizationErrorCode,
    check: VerificationCheck,
    description: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super('ERR_AUTHORIZATION_REQUEST', `${error} (${check}): ${description}`, { cause: options.cause });
    this.error = error;
    this.error_description = description;
    this.check = check;
    this.status = options.status ?? (error === 'server_error' ? 500 : error === 'temporarily_unavailable' ? 503 : 400);
    this.redirectable = !NOT_REDIRECTABLE.has(check);
  }
}

/** Shorthand used by the pipeline stages. */
export function refuse(
  error: AuthorizationErrorCode,
  check: VerificationCheck,
  description: string,
  cause?: unknown,
): AuthorizationRequestError {
  return new AuthorizationRequestError(error, check, description, cause === undefined ? {} : { cause });
}

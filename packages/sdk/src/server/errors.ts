import { OAuthJarError } from '../errors.js';
import type { ErrorRedirect, ResponseMode } from './redirect.js';
import { NEVER_REDIRECT, type VerificationStepName } from './pipeline.js';

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
 * The verification step that refused the request: the name of a step of the verifier's table
 * (in order, see `docs/verification.md`), or `internal` when the server itself failed (a client
 * lookup that threw, a store that did not answer). Stable names for logs and metrics.
 *
 * @example
 * ```ts
 * metrics.increment(`jar.refused.${err.check}`);
 * ```
 */
export type VerificationCheck = VerificationStepName | 'internal';

/**
 * One step that {@link RequestObjectVerifier.verify} ran, and whether it passed: the record of
 * `verify(query, { trace: true })` and of {@link AuthorizationRequestError.steps}.
 *
 * @example
 * ```ts
 * const { steps } = await verifier.verify(query, { trace: true });
 * for (const { step, passed } of steps!) console.log(passed ? '✓' : '✗', step);
 * ```
 */
export interface VerificationStepRecord {
  /** The step's name. */
  step: VerificationStepName;
  /** `false` for the step that refused the request (always the last one recorded). */
  passed: boolean;
}

/**
 * The longest `error_description` the verifier produces, in characters. Longer text is cut: a
 * description travels in a `Location` header and in query strings.
 *
 * @example
 * ```ts
 * expect(err.error_description.length).toBeLessThanOrEqual(MAX_ERROR_DESCRIPTION_LENGTH);
 * ```
 */
export const MAX_ERROR_DESCRIPTION_LENGTH = 256;

// RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
const OUTSIDE_CHARSET = /[^\x20-\x21\x23-\x5B\x5D-\x7E]/g;

/**
 * `text` made fit for `error_description` (RFC 6749 §4.1.2.1): `"` becomes `'`, `\` becomes `/`,
 * any other character outside the allowed set becomes `?`, and the result is cut to
 * {@link MAX_ERROR_DESCRIPTION_LENGTH}. Descriptions are fixed text already; this is the backstop.
 */
export function safeDescription(text: unknown): string {
  // Spec citations keep their meaning in ASCII: "RFC 9101 §6.3" becomes "RFC 9101 section 6.3".
  const s = typeof text === 'string' ? text.replace(/§ ?/g, 'section ') : '';
  const cut = s.length > MAX_ERROR_DESCRIPTION_LENGTH ? `${s.slice(0, MAX_ERROR_DESCRIPTION_LENGTH - 3)}...` : s;
  return cut.replace(OUTSIDE_CHARSET, (c) => (c === '"' ? "'" : c === '\\' ? '/' : '?'));
}

/**
 * An authorization request that the {@link RequestObjectVerifier} refused. `error` is the OAuth
 * code to answer with, `check` names the step that failed. `error_description` is fixed text and
 * values the server chose, in the RFC 6749 §4.1.2.1 character set and at most
 * {@link MAX_ERROR_DESCRIPTION_LENGTH} characters: never text from the request. What the request
 * contained, for logs, is in `detail` and `cause`, which are never sent. The message names the
 * check and never contains a key, a secret or the request object itself.
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
  /**
   * A human-readable description, safe to send to the client and the user agent: fixed text in
   * the RFC 6749 §4.1.2.1 character set, at most {@link MAX_ERROR_DESCRIPTION_LENGTH} characters.
   */
  readonly error_description: string;
  /**
   * For logs only, never sent: a short, escaped account of the offending value (which may come
   * from an unauthenticated request), when there is one.
   */
  readonly detail: string | undefined;
  /** The HTTP status of a direct (non-redirect) answer. */
  readonly status: number;
  /** The verification step that failed. */
  readonly check: VerificationCheck;
  /**
   * Whether this error may be sent back to the client's `redirect_uri` once that is validated.
   * `false` when the client itself is missing or unknown (RFC 6749 §4.1.2.1).
   */
  readonly redirectable: boolean;
  /**
   * The client, once the verifier validated it and its `redirect_uri`; `undefined` before that,
   * and on errors that are not {@link redirectable}.
   */
  readonly clientId: string | undefined;
  /**
   * The validated `redirect_uri` to send this error to (RFC 6749 §4.1.2.1): one of the client's
   * registered `redirect_uris`, exactly. Taken from the request object once its signature
   * verified (RFC 9101 §6.3), else from the query; `undefined` when none could be validated (the
   * client registered no `redirect_uris`, or the request named an unregistered one) or the error
   * is not {@link redirectable}. {@link authorizationErrorResponse} redirects here.
   */
  readonly redirectUri: string | undefined;
  /**
   * The `state` to return with the error: the request object's once its signature verified,
   * else the query's — never the `state` of an object that did not verify, which anyone could
   * have written. `undefined` when the request had none.
   */
  readonly state: string | undefined;
  /**
   * How the client asked to receive responses: the request's `response_mode`, or the default of
   * its `response_type` (`fragment` for `token` / `id_token`, else `query`). Set with
   * {@link redirectUri}.
   */
  readonly responseMode: ResponseMode | undefined;
  /**
   * The steps the verifier ran for this request, in order, ending with the one that refused it
   * (empty when the error was not raised by a verifier).
   */
  steps: readonly VerificationStepRecord[] = [];

  constructor(
    error: AuthorizationErrorCode,
    check: VerificationCheck,
    description: string,
    options: { cause?: unknown; status?: number; detail?: string; redirect?: ErrorRedirect | undefined } = {},
  ) {
    const safe = safeDescription(description);
    super('ERR_AUTHORIZATION_REQUEST', `${error} (${check}): ${safe}`, { cause: options.cause });
    this.error = error;
    this.error_description = safe;
    this.detail = options.detail;
    this.check = check;
    this.status = options.status ?? (error === 'server_error' ? 500 : error === 'temporarily_unavailable' ? 503 : 400);
    this.redirectable = !NEVER_REDIRECT.has(check);
    const redirect = this.redirectable ? options.redirect : undefined;
    this.clientId = redirect?.clientId;
    this.redirectUri = redirect?.redirectUri;
    this.state = redirect?.state;
    this.responseMode = redirect?.responseMode;
  }
}

/** Shorthand used by the verification steps. */
export function refuse(
  error: AuthorizationErrorCode,
  check: VerificationCheck,
  description: string,
  cause?: unknown,
  detail?: string,
): AuthorizationRequestError {
  return new AuthorizationRequestError(error, check, description, {
    ...(cause === undefined ? {} : { cause }),
    ...(detail === undefined ? {} : { detail }),
  });
}

/**
 * A short, escaped account of an untrusted value for {@link AuthorizationRequestError.detail}:
 * strings are cut to 64 characters and JSON-escaped, anything else is named by its type. Never
 * recurses, so a value nested thousands deep costs nothing.
 */
export function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

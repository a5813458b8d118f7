import { OAuthJarError } from '../errors.js';

/**
 * The error codes a wallet answers an OpenID4VP authorization request with (OpenID4VP 1.0 §8.5,
 * RFC 6749 §4.1.2.1, RFC 9101 §7).
 *
 * @example
 * ```ts
 * if (err instanceof WalletRequestError && err.error === 'invalid_client') showUntrustedVerifier();
 * ```
 */
export type WalletErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_request_uri'
  | 'invalid_request_uri_method'
  | 'invalid_request_object';

/**
 * The check that refused the request, in the order the wallet runs them: stable names for logs and
 * metrics.
 *
 * @example
 * ```ts
 * metrics.increment(`wallet.refused.${err.check}`);
 * ```
 */
export type WalletCheck =
  | 'parameters'
  | 'client_id'
  | 'request_uri_method'
  | 'request_uri'
  | 'shape'
  | 'decrypt'
  | 'typ'
  | 'alg'
  | 'client_id_prefix'
  | 'certificate_chain'
  | 'client_id_binding'
  | 'signature'
  | 'client_id_claim'
  | 'audience'
  | 'lifetime'
  | 'wallet_nonce'
  | 'request_parameters';

/**
 * A wallet refused an OpenID4VP authorization request. `error` is the OAuth error code to answer
 * the verifier with, `error_description` fixed text (never text from the request), `check` the
 * step that refused it. The `message` may say more, for logs.
 *
 * @example
 * ```ts
 * try {
 *   await wallet.verify(url);
 * } catch (err) {
 *   if (err instanceof WalletRequestError) console.log(err.error, err.check, err.message);
 * }
 * ```
 */
export class WalletRequestError extends OAuthJarError {
  /** The OAuth error code. */
  readonly error: WalletErrorCode;
  /** Fixed text for the verifier, in RFC 6749's error_description charset. */
  readonly error_description: string;
  /** The check that refused the request. */
  readonly check: WalletCheck;

  constructor(error: WalletErrorCode, check: WalletCheck, description: string, options?: { detail?: string; cause?: unknown }) {
    super('ERR_WALLET_REQUEST', options?.detail ? `${description}: ${options.detail}` : description, { cause: options?.cause });
    this.error = error;
    this.error_description = description;
    this.check = check;
  }
}

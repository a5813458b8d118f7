import { OAuthJarError } from '../errors.js';
import { invalid, isPlainObject, jsonCopy } from '../lib/validate.js';
import type { JWK } from '../crypto/types.js';
import { isContentEncryptionAlg, keyMismatch, type ContentEncryptionAlg } from '../crypto/algorithms.js';

/** The verifier metadata that {@link encryptAuthorizationResponse} reads (OpenID4VP 1.0 §5.1 `client_metadata`). */
export interface ResponseEncryptionMetadata {
  /** The verifier's keys; those with `use` absent or `enc` are for response encryption. */
  jwks?: { keys: JWK[] };
  /**
   * The `enc` values the verifier accepts.
   * @default ['A128GCM'] (OpenID4VP 1.0 §8.3)
   */
  encrypted_response_enc_values_supported?: string[];
  [name: string]: unknown;
}

/** Options of {@link encryptAuthorizationResponse}. */
export interface EncryptAuthorizationResponseOptions {
  /** The `client_metadata` of the request (its `jwks` and `encrypted_response_enc_values_supported`). */
  clientMetadata: ResponseEncryptionMetadata;
}

// ECDH-ES first: OpenID4VP 1.0 §8.3's examples and HAIP use it; RSA-OAEP-256 for RSA keys.
const KEY_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW', 'RSA-OAEP-256'];
const ENC_PREFERENCE: ContentEncryptionAlg[] = ['A128GCM', 'A256GCM', 'A192GCM', 'A128CBC-HS256', 'A256CBC-HS512', 'A192CBC-HS384'];

function refuse(message: string): OAuthJarError {
  return new OAuthJarError('ERR_ENCRYPT_FAILED', message);
}

/**
 * Makes the `response` of an OpenID4VP `direct_post.jwt` (or `dc_api.jwt`) authorization response:
 * the response parameters as an encrypted, unsigned JWT (OpenID4VP 1.0 §8.3) to a key of the
 * verifier's `client_metadata.jwks` (`use` absent or `enc`), with `alg` the key's own (ECDH-ES by
 * default for EC/OKP keys), `kid` the key's, and `enc` the first the verifier offered that is
 * supported (`A128GCM` when it offered none). POST it as the form field `response` to
 * `response_uri`.
 *
 * @example
 * ```ts
 * import { encryptAuthorizationResponse } from 'oauth-jar/wallet';
 *
 * const response = await encryptAuthorizationResponse(
 *   { vp_token: { my_credential: [presentation] }, state: parameters.state },
 *   { clientMetadata: parameters.client_metadata },
 * );
 * // The wallet's own POST, once the holder consented. WalletRequestVerifier has checked
 * // response_uri against the verifier's client_id prefix (OpenID4VP 1.0 §5.9); it is still a URL
 * // the request named, so a wallet backend on Node posts through guardedFetch (no loopback or
 * // private hosts, no redirects) with a deadline.
 * import { guardedFetch } from 'oauth-jar/node';
 * await guardedFetch()(parameters.response_uri, {
 *   method: 'POST',
 *   body: new URLSearchParams({ response }),
 *   signal: AbortSignal.timeout(5000),
 * });
 * ```
 *
 * @see [OpenID4VP 1.0 §8.3.1](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#section-8.3.1) Response Mode "direct_post.jwt"
 */
export async function encryptAuthorizationResponse(
  parameters: Record<string, unknown>,
  options: EncryptAuthorizationResponseOptions,
): Promise<string> {
  if (!isPlainObject(parameters)) throw invalid('the response parameters must be a JSON object');
  if (!isPlainObject(options as unknown) || !isPlainObject(options.clientMetadata as unknown)) {
    throw invalid('encryptAuthorizationResponse needs { clientMetadata }: the client_metadata of the request');
  }
  const { jwks, encrypted_response_enc_values_supported: offered } = options.clientMetadata;
  const keys = isPlainObject(jwks as unknown) && Array.isArray(jwks!.keys) ? jwks!.keys : [];
  let chosen: { key: JWK; alg: string } | undefined;
  for (const key of keys) {
    if (!isPlainObject(key as unknown) || (key.use !== undefined && key.use !== 'enc')) continue;
    const alg = typeof key.alg === 'string' ? key.alg : key.kty === 'EC' || key.kty === 'OKP' ? 'ECDH-ES' : key.kty === 'RSA' ? 'RSA-OAEP-256' : undefined;
    if (alg !== undefined && KEY_ALGS.includes(alg) && keyMismatch(key, alg, 'encrypt') === undefined) {
      chosen = { key, alg };
      break;
    }
  }
  if (!chosen) throw refuse('client_metadata.jwks has no encryption key of a supported type (ECDH-ES with EC/OKP, RSA-OAEP-256 with RSA)');
  const encs = offered === undefined ? ['A128GCM'] : offered;
  if (!Array.isArray(encs)) throw refuse('client_metadata.encrypted_response_enc_values_supported must be an array');
  const enc = ENC_PREFERENCE.find((e) => encs.includes(e)) ?? encs.find(isContentEncryptionAlg);
  if (!enc) throw refuse('none of the verifier\'s encrypted_response_enc_values_supported is supported');
  const header: { alg: string; enc: string; kid?: string } = { alg: chosen.alg, enc };
  // §8.3: the JWE names the chosen key by its kid.
  if (typeof chosen.key.kid === 'string') header.kid = chosen.key.kid;
  const payload = JSON.stringify(jsonCopy(parameters, 'the response parameters'));
  const { encryptCompact } = await import('../crypto/encrypt.js');
  try {
    return await encryptCompact(payload, chosen.key, header);
  } catch (cause) {
    throw new OAuthJarError('ERR_ENCRYPT_FAILED', `encrypting the authorization response with ${header.alg}/${enc} failed: ${(cause as Error)?.message}`, { cause });
  }
}

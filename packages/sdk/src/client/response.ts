import { OAuthJarError, ResponseError } from '../errors.js';
import type { JSONWebKeySet, JWK } from '../crypto/types.js';
import { invalid, isPlainObject } from '../lib/validate.js';
import { unverifiedHeader } from '../crypto/decode.js';
// Static, not import(): a lazy entry here would split the sign-only page's shared code into more
// chunks (scripts/size.mjs); an app that never calls this function drops it whole.
import { decryptCompact } from '../crypto/decrypt.js';

/** Options of {@link verifyAuthorizationResponse} for an encrypted OpenID4VP response. */
export interface VerifyAuthorizationResponseOptions {
  /** The private keys whose public halves went into the request's `client_metadata.jwks`. */
  decryptionKeys: JSONWebKeySet | readonly JWK[];
  /**
   * The `client_metadata` the request carried: its `encrypted_response_enc_values_supported`
   * (default `['A128GCM']`, OpenID4VP 1.0 §8.3) bounds the accepted `enc`.
   */
  clientMetadata: { encrypted_response_enc_values_supported?: string[]; [name: string]: unknown };
  /** The `state` the request carried; the response must carry the same (RFC 6749 §4.1.2). */
  state?: string;
}

/** A decrypted authorization response. */
export interface VerifiedAuthorizationResponse {
  /** The `vp_token` (OpenID4VP 1.0 §8.1). */
  vp_token: unknown;
  /** The `state`, when the response carried one. */
  state: string | undefined;
  /** Every response parameter. */
  parameters: Record<string, unknown>;
}

const KEY_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW', 'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512'];

function refuse(message: string, cause?: unknown): OAuthJarError {
  return new OAuthJarError('ERR_AUTHORIZATION_RESPONSE', message, cause === undefined ? undefined : { cause });
}

/**
 * Reads an OpenID4VP `direct_post.jwt` authorization response, as the verifier's `response_uri`
 * receives it: the form field `response`, an encrypted (not signed) JWT (OpenID4VP 1.0 §8.3.1).
 * Decrypts it with the verifier's keys, checks its `enc` against the `client_metadata` the request
 * sent (`A128GCM` by default), then `state`, and returns `vp_token` and `state`. Encrypted-only
 * responses carry no `iss`, `aud` or `exp`, so JARM's claim checks do not apply to them. A plain
 * error response (`error` in the form, §8.3.1) is a {@link ResponseError} carrying it.
 *
 * @param response The POSTed form (or its `response` value).
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
export async function verifyAuthorizationResponse(
  response: string | URLSearchParams,
  options: VerifyAuthorizationResponseOptions,
): Promise<VerifiedAuthorizationResponse> {
  if (!isPlainObject(options as unknown)) throw invalid('verifyAuthorizationResponse needs { decryptionKeys, clientMetadata }');
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
  if (jwe.length > 256 * 1024) throw refuse('the response is too large');
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
  if (typeof header.alg !== 'string' || !KEY_ALGS.includes(header.alg)) throw refuse('the response alg is not a supported key agreement or key transport algorithm');
  if (header.zip !== undefined) throw refuse('compressed responses are not accepted');

  let plaintext: string;
  try {
    plaintext = await decryptCompact(jwe, { keys }, { alg: header.alg, kid: header.kid }, {
      keyManagementAlgorithms: KEY_ALGS,
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
  const state = parameters.state;
  if (state !== undefined && typeof state !== 'string') throw refuse('the response state is not a string');
  // RFC 6749 §4.1.2: the state of the response is the state of the request.
  if (options.state !== undefined && state !== options.state) throw refuse('the response state does not match the request');
  if (options.state === undefined && state !== undefined) throw refuse('the response carries a state the request did not send');
  if (parameters.vp_token === undefined) throw refuse('the response has no vp_token');
  return { vp_token: parameters.vp_token, state, parameters };
}

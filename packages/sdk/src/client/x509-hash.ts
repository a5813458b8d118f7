import { OAuthJarError } from '../errors.js';

/**
 * The value of an OpenID4VP `x509_hash:` client identifier: base64url (no padding) of the SHA-256
 * of the leaf certificate's DER.
 *
 * @param certificate The leaf certificate: an `x5c` entry (base64 DER), a PEM block or DER bytes.
 *
 * @example
 * ```ts
 * import { AuthorizationRequestBuilder, x509Hash } from 'oauth-jar';
 *
 * const clientId = `x509_hash:${await x509Hash(leafCertB64)}`;
 * new AuthorizationRequestBuilder('vp_token', clientId).signWith(verifierKey, { alg: 'ES256', x5c: [leafCertB64, intermediateB64] });
 * ```
 *
 * @see [OpenID4VP 1.0 §5.9.3](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#section-5.9.3) Defined Client Identifier Prefixes
 */
export async function x509Hash(certificate: string | Uint8Array): Promise<string> {
  // Loaded on demand, so that an app that only signs does not load certificate code.
  const { x509Hash: hash } = await import('../crypto/certificate.js');
  try {
    return await hash(certificate);
  } catch (cause) {
    throw new OAuthJarError('ERR_INVALID_ARGUMENT', 'the certificate must be base64 DER (an x5c entry), PEM or DER bytes', { cause });
  }
}

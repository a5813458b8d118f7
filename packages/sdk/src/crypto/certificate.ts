import * as base64url from 'jose/base64url'; // a subpath, as in sign.ts

const PEM = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/**
 * The DER bytes of a certificate given as an `x5c` entry (standard base64 of the DER, RFC 7515
 * §4.1.6), a PEM block, or the DER bytes themselves. Throws a `TypeError` on anything else.
 */
export function certificateDer(certificate: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (certificate instanceof Uint8Array) return new Uint8Array(certificate);
  if (typeof certificate !== 'string') throw new TypeError('a certificate must be a base64 DER string, a PEM block or DER bytes');
  const pem = PEM.exec(certificate);
  const text = (pem ? pem[1]! : certificate).replace(/\s+/g, '');
  // RFC 7515 §4.1.6: x5c entries are base64 (not base64url) of the DER.
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new TypeError('a certificate must be base64 of its DER encoding');
  const binary = atob(text);
  const der = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i);
  return der;
}

/** Standard base64 of DER bytes: an `x5c` entry (RFC 7515 §4.1.6). */
export function certificateBase64(der: Uint8Array): string {
  let binary = '';
  for (const byte of der) binary += String.fromCharCode(byte);
  return btoa(binary);
}

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
  const der = certificateDer(certificate);
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
}

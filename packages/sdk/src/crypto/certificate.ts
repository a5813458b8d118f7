
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

/** base64url SHA-256 of a certificate's DER: an OpenID4VP `x509_hash:` value (OpenID4VP 1.0 §5.9.3). */
export async function x509Hash(certificate: string | Uint8Array): Promise<string> {
  const der = certificateDer(certificate);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  // base64url by hand: jose's module here would split the sign-only page's jose code into more
  // chunks (scripts/size.mjs), for 43 characters.
  return certificateBase64(digest).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

// One DER element at `offset` (X.690 §8.1: tag, definite length, contents).
function tlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new TypeError('truncated DER');
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 4 || start + bytes > limit) throw new TypeError('bad DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start++]!;
  }
  if (start + length > limit) throw new TypeError('truncated DER');
  return { tag, start, end: start + length };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; at = out[out.length - 1]!.end) out.push(tlv(der, at, parent.end));
  return out;
}

// id-ce-subjectAltName, 2.5.29.17, as its DER contents.
const SAN_OID = [0x55, 0x1d, 0x11];

/**
 * The SAN dNSName entries of a certificate, lower-cased (RFC 5280 §4.2.1.6), read with a minimal
 * DER walk: the builder checks an `x509_san_dns:` client_id against its own leaf with this,
 * without loading an X.509 library. Never a trust decision: the wallet validates the chain.
 */
export function certificateDnsNames(certificate: string | Uint8Array): string[] {
  const der = certificateDer(certificate);
  const cert = tlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (cert.tag !== 0x30 || tbs?.tag !== 0x30) throw new TypeError('not an X.509 certificate');
  // extensions are [3] EXPLICIT in TBSCertificate (RFC 5280 §4.1)
  const wrapper = children(der, tbs).find((e) => e.tag === 0xa3);
  if (!wrapper) return [];
  const names: string[] = [];
  for (const ext of children(der, children(der, wrapper)[0]!)) {
    const parts = children(der, ext);
    const oid = parts[0]!;
    if (oid.tag !== 0x06 || oid.end - oid.start !== 3 || SAN_OID.some((b, i) => der[oid.start + i] !== b)) continue;
    const value = parts[parts.length - 1]!; // extnValue OCTET STRING holding GeneralNames
    for (const name of children(der, children(der, value)[0]!)) {
      // dNSName [2] IMPLICIT IA5String
      if (name.tag === 0x82) names.push(String.fromCharCode(...der.subarray(name.start, name.end)).toLowerCase());
    }
  }
  return names;
}

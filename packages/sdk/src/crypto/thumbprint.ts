import { exportJWK } from 'jose/key/export'; // subpaths, as in sign.ts
import { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
import type { JWK } from 'jose';

/** The RFC 7638 SHA-256 thumbprint of a public CryptoKey or JWK, base64url (the `dpop_jkt`, RFC 9449 §10). */
export async function jwkThumbprint(key: CryptoKey | JWK): Promise<string> {
  const jwk = typeof CryptoKey !== 'undefined' && key instanceof CryptoKey ? await exportJWK(key) : (key as JWK);
  return calculateJwkThumbprint(jwk, 'sha256');
}

import { CompactSign } from 'jose/jws/compact/sign'; // subpaths, as in sign.ts
import { exportJWK } from 'jose/key/export';
import type { JWK } from 'jose';
import { randomToken } from './encoding.js';

const encoder = new TextEncoder();

// The public JWK of a DPoP key pair, exported once per key (WebCrypto always makes the public half
// of a generated pair extractable, so a non-extractable private key is fine).
const publicJwks = new WeakMap<CryptoKey, Promise<JWK>>();

/** The JWS `alg` for a DPoP private key, from its WebCrypto algorithm (RFC 9449 §4.2: asymmetric only). */
export function dpopAlg(key: CryptoKey): string | undefined {
  const a = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  switch (a.name) {
    case 'ECDSA':
      return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[a.namedCurve ?? ''];
    case 'Ed25519':
      return 'Ed25519';
    case 'RSA-PSS':
      return `PS${a.hash?.name.slice(4) ?? '256'}`;
    case 'RSASSA-PKCS1-v1_5':
      return `RS${a.hash?.name.slice(4) ?? '256'}`;
    default:
      return undefined;
  }
}

/** The public JWK of `publicKey`, with only the public members (RFC 9449 §4.2: never private ones). */
export function dpopPublicJwk(publicKey: CryptoKey): Promise<JWK> {
  let jwk = publicJwks.get(publicKey);
  if (!jwk) {
    jwk = exportJWK(publicKey).then(({ kty, crv, x, y, e, n }) => {
      const out: JWK = { kty: kty! };
      for (const [k, v] of Object.entries({ crv, x, y, e, n })) if (v !== undefined) (out as Record<string, string>)[k] = v;
      return out;
    });
    jwk.catch(() => publicJwks.delete(publicKey));
    publicJwks.set(publicKey, jwk);
  }
  return jwk;
}

/**
 * A DPoP proof JWT (RFC 9449 §4.2): header `typ: dpop+jwt`, `alg`, the public `jwk`; claims `jti`,
 * `htm`, `htu` (the target URI without query and fragment), `iat`, and `nonce` when the server
 * gave one (§8).
 */
export async function dpopProof(
  keyPair: CryptoKeyPair,
  htm: string,
  htu: URL,
  options: { nonce?: string | undefined; now?: number } = {},
): Promise<string> {
  const alg = dpopAlg(keyPair.privateKey);
  if (alg === undefined) throw new TypeError(`a DPoP key must be ECDSA, Ed25519 or RSA, got ${keyPair.privateKey.algorithm.name}`);
  const target = new URL(htu.href);
  target.search = '';
  target.hash = '';
  const claims: Record<string, unknown> = {
    jti: randomToken(16),
    htm,
    htu: target.href,
    iat: Math.floor((options.now ?? Date.now()) / 1000),
  };
  if (options.nonce !== undefined) claims.nonce = options.nonce;
  const jwk = await dpopPublicJwk(keyPair.publicKey);
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk })
    .sign(keyPair.privateKey);
}

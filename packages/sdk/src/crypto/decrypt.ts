// A subpath, as in sign.ts: client/response.ts (oauth-jar) reaches this in browsers too.
import { compactDecrypt } from 'jose/jwe/compact/decrypt';
import type { JWK } from 'jose';
import { encryptionKeys } from './algorithms.js';
import { usableKey } from './keys.js';

/** Why a JWE could not be decrypted. */
export class JweFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export interface DecryptOptions {
  keyManagementAlgorithms: string[];
  contentEncryptionAlgorithms: string[];
}

/** The keys of the server's `jwks` that may decrypt a JWE with `alg` and `kid` (crypto/algorithms.ts). */
export function decryptionCandidates(jwks: { keys: readonly JWK[] }, alg: string, kid: unknown): JWK[] {
  return encryptionKeys(jwks.keys, alg, kid, 'private');
}

/**
 * Decrypts a compact JWE with the authorization server's own keys (never the client's), passing
 * jose the algorithm allow-lists. Private JWKs are imported once (crypto/keys.ts cache). Returns
 * the plaintext as text; the caller decides what it must be (a signed JWT, RFC 9101 §10.2).
 */
export async function decryptCompact(
  jwe: string,
  jwks: { keys: readonly JWK[] },
  header: { alg: string; kid?: unknown },
  options: DecryptOptions,
): Promise<string> {
  const candidates = decryptionCandidates(jwks, header.alg, header.kid);
  if (candidates.length === 0) {
    throw new JweFailure(
      `the server has no decryption key for alg "${header.alg}"${typeof header.kid === 'string' ? ` and kid "${header.kid}"` : ''}`,
    );
  }
  let last: unknown;
  for (const jwk of candidates) {
    try {
      const key = await usableKey(jwk, header.alg);
      const { plaintext } = await compactDecrypt(jwe, key, {
        keyManagementAlgorithms: options.keyManagementAlgorithms,
        contentEncryptionAlgorithms: options.contentEncryptionAlgorithms,
        // PBES2 is never in the allow-list (crypto/algorithms.ts); bound it anyway (RFC 8725 §3.1).
        maxPBES2Count: 10_000,
      });
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch (err) {
      last = err;
    }
  }
  throw new JweFailure(`the request object could not be decrypted: ${(last as Error)?.message ?? 'unknown failure'}`, last);
}

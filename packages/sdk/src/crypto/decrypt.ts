// A subpath, as in sign.ts: client/response.ts (oauth-jar) reaches this in browsers too.
import { compactDecrypt } from 'jose/jwe/compact/decrypt';
import type { JWK } from 'jose';
import { encryptionKeys, keyMismatch } from './algorithms.js';
import { usableKey } from './keys.js';
import type { KeyInput } from './types.js';

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

/**
 * One of the server's decryption keys given as a key rather than a JWK: a private `CryptoKey`
 * (non-extractable ones too), a Node.js private `KeyObject`, or a private JWK, with the `alg` it
 * serves (any that fits its type when absent) and its `kid`.
 */
export interface DecryptionKey {
  key: KeyInput;
  alg?: string | undefined;
  kid?: string | undefined;
}

/** The server's decryption keys: a private JWK set, or a list of {@link DecryptionKey}s. */
export type DecryptionKeys = { keys: readonly JWK[] } | readonly DecryptionKey[];

// RSA-OAEP CryptoKeys are bound to one hash at import: RSA-OAEP (SHA-1), RSA-OAEP-256, -384, -512.
const OAEP_HASH: Record<string, string> = { 'RSA-OAEP': 'SHA-1', 'RSA-OAEP-256': 'SHA-256', 'RSA-OAEP-384': 'SHA-384', 'RSA-OAEP-512': 'SHA-512' };

function fits(entry: DecryptionKey, alg: string, kid: unknown): boolean {
  if (entry.alg !== undefined && entry.alg !== alg) return false;
  if (typeof kid === 'string' && entry.kid !== kid) return false;
  if (keyMismatch(entry.key, alg, 'encrypt') !== undefined) return false;
  const hash = (entry.key as { algorithm?: { hash?: { name?: unknown } } }).algorithm?.hash?.name;
  return typeof hash !== 'string' || OAEP_HASH[alg] === undefined || OAEP_HASH[alg] === hash;
}

/** The server keys that may decrypt a JWE with `alg` and `kid` (crypto/algorithms.ts). */
export function decryptionCandidates(keys: DecryptionKeys, alg: string, kid: unknown): KeyInput[] {
  if (!Array.isArray(keys)) return encryptionKeys((keys as { keys: readonly JWK[] }).keys, alg, kid, 'private');
  return (keys as readonly DecryptionKey[]).filter((entry) => fits(entry, alg, kid)).map((entry) => entry.key);
}

/**
 * Decrypts a compact JWE with the authorization server's own keys (never the client's), passing
 * jose the algorithm allow-lists. Private JWKs are imported once (crypto/keys.ts cache). Returns
 * the plaintext as text; the caller decides what it must be (a signed JWT, RFC 9101 §10.2).
 */
export async function decryptCompact(
  jwe: string,
  jwks: DecryptionKeys,
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
  for (const candidate of candidates) {
    try {
      const key = await usableKey(candidate, header.alg);
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

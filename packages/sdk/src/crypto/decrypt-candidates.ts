import type { JWK } from 'jose';
import { keyMismatch } from './algorithms.js';

/**
 * The keys of `jwks` that may decrypt a JWE with `alg` and `kid`: `use` absent or `enc`, `alg`
 * absent or equal, a key type that fits the algorithm, and the same `kid` when the header names one.
 */
export function decryptionCandidates(jwks: { keys: readonly JWK[] }, alg: string, kid: unknown): JWK[] {
  return jwks.keys.filter(
    (k) =>
      (k.use === undefined || k.use === 'enc') &&
      (k.alg === undefined || k.alg === alg) &&
      (typeof kid !== 'string' || k.kid === kid) &&
      keyMismatch(k, alg, 'encrypt') === undefined,
  );
}

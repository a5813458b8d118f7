import type { JWK } from 'jose';
import type { KeyInput } from './types.js';

type UsableKey = Exclude<KeyInput, JWK>;

// JWK → imported key, per algorithm. Keyed by the JWK object itself so a builder reused across
// requests (or many builders given the same JWK) imports it once (STYLE.md §6).
const imported = new WeakMap<object, Map<string, Promise<UsableKey>>>();

function isJwk(key: KeyInput): key is JWK {
  return !(key instanceof Uint8Array) && typeof (key as { kty?: unknown }).kty === 'string';
}

/**
 * Returns a key that jose can use without further conversion. JWKs are imported once per object and
 * algorithm; every other form is returned as given.
 */
export function usableKey(key: KeyInput, alg: string): Promise<UsableKey> | UsableKey {
  if (!isJwk(key)) return key;
  let byAlg = imported.get(key);
  if (!byAlg) imported.set(key, (byAlg = new Map()));
  let pending = byAlg.get(alg);
  if (!pending) {
    // Loaded on first use: an app that signs with a CryptoKey (the browser's usual key) never
    // downloads jose's JWK import code (scripts/size.mjs).
    pending = import('jose/key/import').then(({ importJWK }) => importJWK(key, alg)) as Promise<UsableKey>;
    // A failed import is not cached: the next call reports the same error afresh.
    pending.catch(() => byAlg!.delete(alg));
    byAlg.set(alg, pending);
  }
  return pending;
}

import type { JWK } from 'jose';
import { Cache } from '../lib/cache.js';
import type { KeyInput } from './types.js';

type UsableKey = Exclude<KeyInput, JWK>;

function isJwk(key: KeyInput): key is JWK {
  return !(key instanceof Uint8Array) && typeof (key as { kty?: unknown }).kty === 'string';
}

/**
 * JWK → imported key, per algorithm. Keyed weakly by the JWK object itself, so a builder reused
 * across requests (or many builders given the same JWK) imports it once, and a JWK the app drops
 * takes its imports with it.
 */
export class KeyImports {
  readonly #byJwk = new WeakMap<object, Cache<string, Promise<UsableKey>>>();

  /**
   * A key that jose can use without further conversion. JWKs are imported once per object and
   * algorithm (a failed import is not kept); every other form is returned as given.
   */
  usable(key: KeyInput, alg: string): Promise<UsableKey> | UsableKey {
    if (!isJwk(key)) return key;
    let byAlg = this.#byJwk.get(key);
    // a JWK serves one or two algorithms in practice; the bound only stops misuse
    if (!byAlg) this.#byJwk.set(key, (byAlg = new Cache({ max: 8, ttl: Infinity })));
    // Loaded on first use: an app that signs with a CryptoKey (the browser's usual key) never
    // downloads jose's JWK import code (scripts/size.mjs).
    let pending = byAlg.get(alg);
    if (!pending) {
      // The promise itself is kept, so every caller after the first gets the same settled promise.
      pending = import('jose/key/import').then(({ importJWK }) => importJWK(key, alg) as Promise<UsableKey>);
      pending.catch(() => byAlg.delete(alg));
      byAlg.set(alg, pending);
    }
    return pending;
  }
}

/** The process's key-import cache, shared by signing, encryption and decryption. */
const keyImports = /* @__PURE__ */ new KeyImports();

/** {@link KeyImports.usable} on the shared {@link keyImports}. */
export function usableKey(key: KeyInput, alg: string): Promise<UsableKey> | UsableKey {
  return keyImports.usable(key, alg);
}

// jose subpath imports (not the 'jose' barrel) on the client's paths: a bundler that splits code
// by module reachability (esbuild) then keeps jose's JWE code out of a sign-only page (scripts/size.mjs).
import { CompactSign } from 'jose/jws/compact/sign';
import type { JWSHeaderParameters } from 'jose';
import type { KeyInput } from './types.js';
import { usableKey } from './keys.js';

const encoder = new TextEncoder();

/**
 * Signs a JSON claims set as a compact JWS. The claims are serialized exactly as given (no claim
 * rewriting, unlike SignJWT), so JSON types survive: `max_age: 0` stays the number 0.
 */
export async function signCompact(
  claims: Record<string, unknown>,
  key: KeyInput,
  header: JWSHeaderParameters & { alg: string },
): Promise<string> {
  const k = await usableKey(key, header.alg);
  return new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader(header).sign(k);
}

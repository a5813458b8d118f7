import { CompactEncrypt } from 'jose/jwe/compact/encrypt'; // a subpath, as in sign.ts
import type { CompactJWEHeaderParameters } from 'jose';
import type { KeyInput } from './types.js';
import { usableKey } from './keys.js';

const encoder = new TextEncoder();

/** Encrypts a compact JWS into a compact JWE (RFC 7519 §11.2 nested JWT). */
export async function encryptCompact(
  jws: string,
  key: KeyInput,
  header: CompactJWEHeaderParameters & { alg: string; enc: string },
): Promise<string> {
  const k = await usableKey(key, header.alg);
  return new CompactEncrypt(encoder.encode(jws)).setProtectedHeader(header).encrypt(k);
}

import { CompactEncrypt } from 'jose/jwe/compact/encrypt'; // a subpath, as in sign.ts
import type { CompactJWEHeaderParameters } from 'jose';
import { OAuthJarError } from '../errors.js';
import type { KeyInput } from './types.js';
import { usableKey } from './keys.js';

const encoder = new TextEncoder();

/** Encrypts a text (a compact JWS, RFC 7519 §11.2 nested JWT, or a JSON claims set) into a compact JWE with `header`. */
export async function encryptCompact(
  jws: string,
  key: KeyInput,
  header: CompactJWEHeaderParameters & { alg: string; enc: string },
): Promise<string> {
  const k = await usableKey(key, header.alg);
  return new CompactEncrypt(encoder.encode(jws)).setProtectedHeader(header).encrypt(k);
}

/** How a request object is encrypted: the server's key, the JWE `alg`/`enc`, and the header's `kid`. */
export interface RequestObjectEncryption {
  key: KeyInput;
  alg: string;
  enc: string;
  kid: string | undefined;
}

/**
 * Encrypts a signed request object to the server's key, making a nested JWT (RFC 9101 §4,
 * RFC 7519 §11.2). jose's failures become `ERR_ENCRYPT_FAILED`, naming the key.
 */
export async function encryptRequestObject(jws: string, encryption: RequestObjectEncryption): Promise<string> {
  // RFC 7519 §5.2: cty "JWT" marks the nested JWT. Never zip (RFC 8725 §3.6).
  const header: CompactJWEHeaderParameters & { alg: string; enc: string } = { alg: encryption.alg, enc: encryption.enc, cty: 'JWT' };
  if (encryption.kid !== undefined) header.kid = encryption.kid;
  try {
    return await encryptCompact(jws, encryption.key, header);
  } catch (cause) {
    throw new OAuthJarError(
      'ERR_ENCRYPT_FAILED',
      `encrypting the request object with ${encryption.alg}/${encryption.enc}${encryption.kid ? ` to key "${encryption.kid}"` : ''} failed: ${(cause as Error)?.message}`,
      { cause },
    );
  }
}

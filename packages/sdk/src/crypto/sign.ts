// jose subpath imports (not the 'jose' barrel) on the client's paths: a bundler that splits code
// by module reachability (esbuild) then keeps jose's JWE code out of a sign-only page (scripts/size.mjs).
import { CompactSign } from 'jose/jws/compact/sign';
import type { JWSHeaderParameters } from 'jose';
import { OAuthJarError } from '../errors.js';
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

/** How a request object is signed: the client's key, the JWS `alg`, and the header's `kid` and `typ`. */
export interface RequestObjectSigning {
  key: KeyInput;
  alg: string;
  kid: string | undefined;
  /** `false`: no `typ` header, for servers that predate RFC 9101. */
  typ: string | false;
  /** The certificate chain of the key (RFC 7515 §4.1.6). */
  x5c?: readonly string[] | undefined;
  /** A verifier attestation JWT (OpenID4VP 1.0 §12). */
  jwt?: string | undefined;
}

/**
 * Signs a request object's claims (RFC 9101 §4). jose's failures become `ERR_SIGN_FAILED`.
 */
export async function signRequestObject(claims: Record<string, unknown>, signing: RequestObjectSigning): Promise<string> {
  const header: JWSHeaderParameters & { alg: string } = { alg: signing.alg };
  if (signing.kid !== undefined) header.kid = signing.kid;
  if (signing.typ !== false) header.typ = signing.typ;
  if (signing.x5c !== undefined) header.x5c = [...signing.x5c];
  if (signing.jwt !== undefined) header.jwt = signing.jwt;
  try {
    return await signCompact(claims, signing.key, header);
  } catch (cause) {
    throw new OAuthJarError('ERR_SIGN_FAILED', `signing the request object with ${signing.alg} failed: ${(cause as Error)?.message}`, { cause });
  }
}

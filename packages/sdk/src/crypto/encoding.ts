// A subpath, as in sign.ts, and a named import: a namespace object would need a bundler helper
// that browser bundles then share with lazy chunks (scripts/size.mjs).
import { encode as base64urlEncode } from 'jose/base64url';

const encoder = new TextEncoder();

/** base64url (RFC 4648 §5, no padding) of bytes or a UTF-8 string. */
export function b64u(input: Uint8Array | string): string {
  return base64urlEncode(input);
}

/** `bytes` random bytes from the platform CSPRNG, base64url-encoded. */
export function randomToken(bytes = 32): string {
  return base64urlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 of a UTF-8 string, base64url-encoded (PKCE S256, RFC 7636 §4.2). */
export async function sha256b64u(input: string): Promise<string> {
  return base64urlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(input))));
}

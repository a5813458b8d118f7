import { randomToken } from './encoding.js';
import { signCompact } from './sign.js';
import type { KeyInput } from './types.js';

/**
 * A `private_key_jwt` client assertion (RFC 7523 §2.2 and §3, OIDC Core §9): `iss` and `sub` are
 * the client_id, `aud` the authorization server's issuer identifier, a fresh `jti`, one minute of
 * life. Signed with jose through {@link signCompact}.
 */
export function clientAssertion(
  clientId: string,
  audience: string,
  key: KeyInput,
  header: { alg: string; kid?: string },
  nowMs: number = Date.now(),
): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return signCompact(
    { iss: clientId, sub: clientId, aud: audience, jti: randomToken(16), iat: now, exp: now + 60 },
    key,
    header,
  );
}

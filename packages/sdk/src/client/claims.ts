import { randomToken, sha256b64u } from '../crypto/encoding.js';
import { assertNonEmptyString } from '../lib/validate.js';
import type { RequestSpec } from './request.js';

/** OpenID4VP 1.0 §5.8: the `aud` of a request object for a wallet whose metadata is static. */
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2';

/**
 * The request's parameters: everything set on the builder plus PKCE's `code_challenge` and
 * `code_challenge_method` (RFC 7636 §4.2, §4.3).
 */
export async function requestParameters(r: RequestSpec): Promise<Record<string, unknown>> {
  const parameters = r.parameters;
  if (r.codeVerifier !== undefined) {
    parameters.code_challenge = r.codeChallengeMethod === 'S256' ? await (r.codeChallenge ?? sha256b64u(r.codeVerifier)) : r.codeVerifier;
    parameters.code_challenge_method = r.codeChallengeMethod;
  }
  // dpopJkt() given the DPoP key: its RFC 7638 thumbprint (RFC 9449 §10).
  if (typeof CryptoKey !== 'undefined' && parameters.dpop_jkt instanceof CryptoKey) {
    parameters.dpop_jkt = await (await import('../crypto/thumbprint.js')).jwkThumbprint(parameters.dpop_jkt);
  }
  return parameters;
}

/**
 * The request object's claims (RFC 9101 §4): `iss` (the client_id unless set), `aud` (the issuer),
 * every parameter, then `iat`, `nbf`, `exp` and a fresh `jti` (FAPI 1.0 Advanced §5.2.2-13).
 */
export function requestClaims(r: RequestSpec, parameters: Record<string, unknown>, audience?: string): Record<string, unknown> {
  const now = Math.floor(r.now() / 1000);
  const jti = r.jti ? r.jti() : randomToken(16);
  assertNonEmptyString(jti, 'jti');
  // OpenID4VP 1.0 §5.8: a wallet with static metadata is addressed as https://self-issued.me/v2
  // (the only way audienceSet in checks.ts lets `audience` be unset for a signed request).
  const aud = audience ?? r.audience ?? SELF_ISSUED_AUDIENCE;
  return { iss: r.issuer ?? r.clientId, aud, ...parameters, iat: now, nbf: now, exp: now + r.lifetime, jti };
}

import { decodeJwt } from 'jose/jwt/decode'; // subpaths, as in sign.ts
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

/** The protected header of a compact JWS or JWE, unverified. Throws jose's error on bad input. */
export function unverifiedHeader(token: string): ProtectedHeaderParameters {
  return decodeProtectedHeader(token);
}

/** The claims of a compact JWS, unverified. Throws jose's error on bad input. */
export function unverifiedClaims(token: string): JWTPayload {
  return decodeJwt(token);
}

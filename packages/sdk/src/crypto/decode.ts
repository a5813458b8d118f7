import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** The protected header of a compact JWS or JWE, unverified. Throws jose's error on bad input. */
export function unverifiedHeader(token: string): ProtectedHeaderParameters {
  return decodeProtectedHeader(token);
}

/** The claims of a compact JWS, unverified. Throws jose's error on bad input. */
export function unverifiedClaims(token: string): JWTPayload {
  return decodeJwt(token);
}

// jose subpaths, as in sign.ts: a relying party's bundle that verifies responses keeps only what it uses.
import { jwtVerify } from 'jose/jwt/verify';
import { createLocalJWKSet } from 'jose/jwks/local';
import * as joseErrors from 'jose/errors';
import { compactDecrypt } from 'jose/jwe/compact/decrypt';
import type { JWK, JWTHeaderParameters, JWTPayload } from 'jose';
import { CONTENT_ENCRYPTION_ALGS, encryptionKeys, KEY_MANAGEMENT_ALGS } from './algorithms.js';
import { usableKey } from './keys.js';

/** Why a response JWT was refused, in the authorization response's terms. */
export type ResponseJwtFailureKind = 'alg' | 'key' | 'signature' | 'expired' | 'malformed';

/** A jose failure, classified; the jose error is the `cause`. */
export class ResponseJwtFailure extends Error {
  readonly kind: ResponseJwtFailureKind;
  constructor(kind: ResponseJwtFailureKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
  }
}

/**
 * Verifies a JWT-secured authorization response (JARM §2.4) with jose's `jwtVerify` against the
 * authorization server's signing keys: `algorithms` always passed, `exp` required. `iss`, `aud`
 * and `state` are the caller's checks, so each gets its own error.
 */
export async function verifyResponseJwt(
  jws: string,
  keys: readonly JWK[],
  options: { algorithms: string[]; currentDate: Date; clockTolerance: number },
): Promise<{ header: JWTHeaderParameters; claims: JWTPayload }> {
  // Only signing keys of the server; a key's stated alg must match (jose checks alg vs kty too).
  const set = createLocalJWKSet({ keys: keys.filter((k) => (k.use === undefined || k.use === 'sig') && k.d === undefined) as JWK[] });
  const opts = { algorithms: options.algorithms, currentDate: options.currentDate, clockTolerance: options.clockTolerance, requiredClaims: ['exp'] };
  try {
    const { protectedHeader, payload } = await jwtVerify(jws, set, opts);
    return { header: protectedHeader, claims: payload };
  } catch (err) {
    if (err instanceof joseErrors.JWKSMultipleMatchingKeys) {
      // No kid and several keys fit the alg: try each (jose leaves the choice to the caller).
      for await (const candidate of err) {
        try {
          const { protectedHeader, payload } = await jwtVerify(jws, candidate, opts);
          return { header: protectedHeader, claims: payload };
        } catch (inner) {
          if (inner instanceof joseErrors.JWSSignatureVerificationFailed) continue;
          throw classify(inner);
        }
      }
      throw new ResponseJwtFailure('signature', "the signature does not verify with any of the server's keys", err);
    }
    throw classify(err);
  }
}

function classify(err: unknown): ResponseJwtFailure {
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new ResponseJwtFailure('signature', "the signature does not verify with the server's key", err);
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) {
    return new ResponseJwtFailure('key', "no key of the server's jwks_uri matches the header's kid and alg", err);
  }
  if (err instanceof joseErrors.JWTExpired) return new ResponseJwtFailure('expired', 'the response has expired', err);
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'exp') return new ResponseJwtFailure('expired', 'the response has no valid "exp" (JARM §2.1 requires it)', err);
    return new ResponseJwtFailure('malformed', `the response's "${err.claim}" claim is invalid: ${err.reason}`, err);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
    return new ResponseJwtFailure('alg', (err as Error).message, err);
  }
  if (err instanceof joseErrors.JOSEError) return new ResponseJwtFailure('malformed', (err as Error).message, err);
  return new ResponseJwtFailure('key', `the server's key could not be used: ${(err as Error)?.message ?? String(err)}`, err);
}

/**
 * Decrypts a response encrypted to the client (JARM §2.3) with the client's private JWKs, passing
 * jose the algorithm allow-lists; returns the plaintext, which the caller requires to be a JWS.
 */
export async function decryptResponseJwt(jwe: string, keys: readonly JWK[], header: { alg: string; kid?: unknown }): Promise<string> {
  const candidates = encryptionKeys(keys, header.alg, header.kid, 'private');
  if (candidates.length === 0) throw new Error(`no decryption key of the client fits alg "${header.alg}"`);
  let last: unknown;
  for (const jwk of candidates) {
    try {
      const { plaintext } = await compactDecrypt(jwe, await usableKey(jwk, header.alg), {
        keyManagementAlgorithms: [...KEY_MANAGEMENT_ALGS],
        contentEncryptionAlgorithms: [...CONTENT_ENCRYPTION_ALGS],
        maxPBES2Count: 10_000, // PBES2 is not in the allow-list; bounded anyway (RFC 8725 §3.1)
      });
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

// Malformed and hostile JOSE objects for `oauth-jar probe`: each one is a request object that an
// authorization server must refuse. jose builds every shape it can (header injection, unknown
// `crit`, `b64: false`, HS256 keyed with a public key); the unsecured JWS, which jose refuses to
// make, is assembled from jose's base64url helper. Internal: never exported from an entry point.
import * as base64url from 'jose/base64url';
import { CompactSign } from 'jose/jws/compact/sign';
import { FlattenedSign } from 'jose/jws/flattened/sign';
import { exportJWK, exportSPKI } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { importJWK } from 'jose/key/import';
import type { JWK, JWSHeaderParameters } from 'jose';
import type { KeyInput } from './types.js';
import { usableKey } from './keys.js';

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

/** An unsecured JWS (RFC 7515 §A.5): `alg` as given (`none`, `None`, …), an empty signature. */
export function unsecuredJws(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  return `${base64url.encode(json(header))}.${base64url.encode(json(claims))}.`;
}

/**
 * A compact JWS with any protected header. `crit` names the header members jose should treat as
 * understood, so an unknown `crit` extension can be signed (RFC 7515 §4.1.11).
 */
export async function signWithHeader(
  claims: Record<string, unknown>,
  key: KeyInput,
  header: JWSHeaderParameters & { alg: string },
  crit: readonly string[] = [],
): Promise<string> {
  const k = await usableKey(key, header.alg);
  return new CompactSign(json(claims))
    .setProtectedHeader(header)
    .sign(k, { crit: Object.fromEntries(crit.map((name) => [name, true])) });
}

/**
 * A JWS whose header says `b64: false` (RFC 7797) while its payload segment is the usual
 * base64url claims set: signing the base64url text as the unencoded payload gives exactly the
 * signature input of an ordinary JWS. A server that ignores `b64` and `crit` verifies it as a normal
 * JWT; one that honours them reads a payload that is not JSON; either way it must be refused.
 */
export async function b64FalseJws(claims: Record<string, unknown>, key: KeyInput, header: JWSHeaderParameters & { alg: string }): Promise<string> {
  const k = await usableKey(key, header.alg);
  const payload = base64url.encode(json(claims));
  const jws = await new FlattenedSign(encoder.encode(payload)).setProtectedHeader({ ...header, b64: false, crit: ['b64'] }).sign(k);
  return `${jws.protected}.${payload}.${jws.signature}`;
}

/** A fresh extractable key pair for `alg`, as JWKs with `kid` and `alg`. */
export async function generateJwkPair(alg: string, kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg },
  };
}

/**
 * The public key as PEM (SPKI) bytes: the secret of the classic algorithm-confusion attack, an
 * HS256 signature keyed with the text of a public key that a server looks up for RS256/ES256.
 */
export async function publicKeyPemBytes(publicJwk: JWK, alg: string): Promise<Uint8Array> {
  const key = await importJWK({ ...publicJwk, ext: true }, alg);
  return encoder.encode(await exportSPKI(key as CryptoKey));
}

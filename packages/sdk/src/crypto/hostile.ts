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

// --- A self-signed X.509 certificate for the `x5c` header injection (RFC 7515 §4.1.6) ----------
// Minimal DER (ITU-T X.690) for one certificate shape; WebCrypto signs it with the key it certifies.

function der(tag: number, ...content: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const length = content.reduce((n, c) => n + c.length, 0);
  const head =
    length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let offset = head.length;
  for (const c of content) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

const seq = (...c: Uint8Array[]) => der(0x30, ...c);

function integer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = bytes.subarray(i);
  return der(0x02, v[0]! & 0x80 ? new Uint8Array([0, ...v]) : v);
}

function oid(dotted: string): Uint8Array<ArrayBuffer> {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return der(0x06, new Uint8Array(out));
}

const utcTime = (d: Date) => der(0x17, encoder.encode(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`));
const name = (cn: string) => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, encoder.encode(cn)))));

/**
 * A self-signed certificate (base64 DER, as `x5c` carries it) for the public half of a fresh key
 * pair, signed by its private half: what an attacker puts in `x5c` so that a server that takes the
 * header's certificate as the signer's key verifies the attacker's signature.
 */
export async function selfSignedCertificate(pair: { privateJwk: JWK; publicJwk: JWK }): Promise<string> {
  const kty = pair.publicJwk.kty;
  // The certificate's own signature: ECDSA / RSASSA-PKCS1-v1_5 / Ed25519, each with SHA-256.
  const [certAlg, algId, subtleAlg] =
    kty === 'EC'
      ? (['ES256', seq(oid('1.2.840.10045.4.3.2')), { name: 'ECDSA', hash: 'SHA-256' }] as const)
      : kty === 'RSA'
        ? (['RS256', seq(oid('1.2.840.113549.1.1.11'), der(0x05)), { name: 'RSASSA-PKCS1-v1_5' }] as const)
        : (['Ed25519', seq(oid('1.3.101.112')), { name: 'Ed25519' }] as const);
  const { alg: _a, use: _u, key_ops: _o, ...bare } = pair.publicJwk;
  const spkiPem = await exportSPKI((await importJWK({ ...bare, ext: true }, certAlg)) as CryptoKey);
  const spki = Uint8Array.from(atob(spkiPem.replace(/-----[^-]+-----|\s/g, '')), (c) => c.charCodeAt(0));
  const now = Date.now();
  const subject = name('oauth-jar probe (injected key)');
  const tbs = seq(
    der(0xa0, integer(new Uint8Array([2]))), // [0] version v3
    integer(crypto.getRandomValues(new Uint8Array(16))),
    algId,
    subject,
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    subject,
    spki,
  );
  const { alg: _pa, use: _pu, key_ops: _po, ...privateBare } = pair.privateJwk;
  const signer = (await importJWK({ ...privateBare, ext: false }, certAlg)) as CryptoKey;
  let signature: Uint8Array<ArrayBuffer> = new Uint8Array(await crypto.subtle.sign(subtleAlg, signer, tbs));
  if (kty === 'EC') {
    // X.509 wants ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }; WebCrypto gives r || s.
    const half = signature.length / 2;
    signature = seq(integer(signature.subarray(0, half)), integer(signature.subarray(half)));
  }
  const certificate = seq(tbs, algId, der(0x03, new Uint8Array([0]), signature));
  return btoa(String.fromCharCode(...certificate));
}

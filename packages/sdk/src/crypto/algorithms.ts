import type { JWK, KeyInput } from './types.js';

/** JWS algorithms a request object may be signed with. `none` is never one (RFC 9101 §5). */
export const SIGNING_ALGS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
  'HS256', 'HS384', 'HS512',
] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** FAPI 2.0 Security Profile §5.4: PS256, ES256 and EdDSA (Ed25519, under either name) only. */
export const FAPI2_SIGNING_ALGS = ['PS256', 'ES256', 'EdDSA', 'Ed25519'] as const;

/**
 * Whether two JWS `alg` names mean the same algorithm. RFC 9864 registers `Ed25519` for what
 * RFC 8037 called `EdDSA` with that curve; servers and clients use either name.
 */
export function sameAlg(a: string, b: string): boolean {
  return a === b || (a === 'EdDSA' && b === 'Ed25519') || (a === 'Ed25519' && b === 'EdDSA');
}

/**
 * JWE key management algorithms. RSA1_5 is left out (RFC 8725 §3.2: padding-oracle prone) and so is
 * PBES2, which turns a password, not a key, into a request object's protection.
 */
export const KEY_MANAGEMENT_ALGS = [
  'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512',
  'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW',
  'A128KW', 'A192KW', 'A256KW',
  'A128GCMKW', 'A192GCMKW', 'A256GCMKW',
  'dir',
] as const;
export type KeyManagementAlg = (typeof KEY_MANAGEMENT_ALGS)[number];

/** JWE content encryption algorithms. */
export const CONTENT_ENCRYPTION_ALGS = [
  'A128GCM', 'A192GCM', 'A256GCM',
  'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512',
] as const;
export type ContentEncryptionAlg = (typeof CONTENT_ENCRYPTION_ALGS)[number];

export function isSigningAlg(alg: unknown): alg is SigningAlg {
  return typeof alg === 'string' && (SIGNING_ALGS as readonly string[]).includes(alg);
}
export function isKeyManagementAlg(alg: unknown): alg is KeyManagementAlg {
  return typeof alg === 'string' && (KEY_MANAGEMENT_ALGS as readonly string[]).includes(alg);
}
export function isContentEncryptionAlg(enc: unknown): enc is ContentEncryptionAlg {
  return typeof enc === 'string' && (CONTENT_ENCRYPTION_ALGS as readonly string[]).includes(enc);
}

/** What a key must look like for an algorithm: a JWK `kty` (+ `crv`) and the matching WebCrypto/Node names. */
interface KeyShape {
  kty: 'RSA' | 'EC' | 'OKP' | 'oct';
  crv?: readonly string[];
  /** CryptoKey `algorithm.name` values that fit. */
  webcrypto: readonly string[];
  /** Node KeyObject `asymmetricKeyType` values that fit (`secret` for symmetric keys). */
  node: readonly string[];
}

const RSA_SIG: KeyShape = { kty: 'RSA', webcrypto: ['RSASSA-PKCS1-v1_5'], node: ['rsa'] };
const RSA_PSS: KeyShape = { kty: 'RSA', webcrypto: ['RSA-PSS'], node: ['rsa', 'rsa-pss'] };
const HMAC: KeyShape = { kty: 'oct', webcrypto: ['HMAC'], node: ['secret'] };
const ec = (crv: string): KeyShape => ({ kty: 'EC', crv: [crv], webcrypto: ['ECDSA'], node: ['ec'] });
const ES256 = /* @__PURE__ */ ec('P-256');
const ES384 = /* @__PURE__ */ ec('P-384');
const ES512 = /* @__PURE__ */ ec('P-521');
const ED: KeyShape = { kty: 'OKP', crv: ['Ed25519'], webcrypto: ['Ed25519'], node: ['ed25519'] };
const RSA_OAEP: KeyShape = { kty: 'RSA', webcrypto: ['RSA-OAEP'], node: ['rsa'] };
const ECDH: KeyShape = { kty: 'EC', crv: ['P-256', 'P-384', 'P-521', 'X25519'], webcrypto: ['ECDH', 'X25519'], node: ['ec', 'x25519'] };
const AES_KW: KeyShape = { kty: 'oct', webcrypto: ['AES-KW'], node: ['secret'] };
const AES_GCM: KeyShape = { kty: 'oct', webcrypto: ['AES-GCM'], node: ['secret'] };
const DIR: KeyShape = { kty: 'oct', webcrypto: ['AES-GCM', 'AES-CBC'], node: ['secret'] };

/** Node's OpenSSL curve names → JOSE `crv`. */
const NODE_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function shapeOf(alg: string): KeyShape | undefined {
  if (alg.startsWith('RSA-OAEP')) return RSA_OAEP;
  if (alg.startsWith('RS')) return RSA_SIG;
  if (alg.startsWith('PS')) return RSA_PSS;
  if (alg.startsWith('HS')) return HMAC;
  if (alg === 'ES256') return ES256;
  if (alg === 'ES384') return ES384;
  if (alg === 'ES512') return ES512;
  if (alg === 'EdDSA' || alg === 'Ed25519') return ED;
  if (alg.startsWith('ECDH-ES')) return ECDH;
  if (/^A\d{3}KW$/.test(alg)) return AES_KW;
  if (/^A\d{3}GCMKW$/.test(alg)) return AES_GCM;
  if (alg === 'dir') return DIR;
  return undefined;
}

/**
 * Checks synchronously that `key` can serve `alg` and, for asymmetric keys, that it is the
 * `private` (signing) or `public` (encrypting) half. Returns a reason when it cannot, else
 * `undefined`. jose checks again when it uses the key; this check exists so that a mistake surfaces
 * at the setter, before any request is built.
 */
export function keyMismatch(key: KeyInput, alg: string, use: 'sign' | 'encrypt'): string | undefined {
  const shape = shapeOf(alg);
  if (!shape) return `"${alg}" is not a supported algorithm`;
  if (key instanceof Uint8Array) {
    if (shape.kty !== 'oct') return `${alg} needs an asymmetric key, got a Uint8Array secret`;
    if (key.byteLength === 0) return 'the secret is empty';
    return undefined;
  }
  if (typeof key === 'string' && /-----BEGIN [A-Z ]*KEY-----/.test(key)) {
    // The most common first attempt: a PEM file's text. jose imports it once, with the alg.
    return use === 'sign'
      ? `the key must be a CryptoKey, KeyObject, JWK or Uint8Array, got a PEM string: import it first with jose's importPKCS8(pem, '${alg}')`
      : `the key must be a CryptoKey, KeyObject, JWK or Uint8Array, got a PEM string: import it first with jose's importSPKI(pem, '${alg}') (or importX509 for a certificate)`;
  }
  if (typeof key !== 'object' || key === null) return 'the key must be a CryptoKey, KeyObject, JWK or Uint8Array';
  const k = key as Record<string, unknown>;
  // A JWK: a plain object with `kty`.
  if (typeof k.kty === 'string') {
    if (k.kty !== shape.kty && !(shape === ECDH && k.kty === 'OKP' && k.crv === 'X25519')) {
      return `${alg} needs a JWK of kty "${shape.kty}", got "${k.kty}"`;
    }
    if (shape.crv && typeof k.crv === 'string' && !shape.crv.includes(k.crv)) {
      return `${alg} needs a JWK with crv ${shape.crv.join(' or ')}, got "${k.crv}"`;
    }
    if (shape.kty === 'oct') return typeof k.k === 'string' ? undefined : 'the oct JWK has no "k"';
    const isPrivate = typeof k.d === 'string';
    if (use === 'sign' && !isPrivate) return `signing with ${alg} needs the private JWK (it has no "d")`;
    return undefined;
  }
  // A WebCrypto CryptoKey.
  const algorithm = k.algorithm as { name?: unknown; namedCurve?: unknown } | undefined;
  if (algorithm && typeof algorithm.name === 'string' && typeof k.usages === 'object') {
    if (!shape.webcrypto.includes(algorithm.name)) {
      return `${alg} needs a ${shape.webcrypto.join(' or ')} CryptoKey, got ${algorithm.name}`;
    }
    if (shape.crv && typeof algorithm.namedCurve === 'string' && !shape.crv.includes(algorithm.namedCurve)) {
      return `${alg} needs curve ${shape.crv.join(' or ')}, got ${algorithm.namedCurve}`;
    }
    if (use === 'sign' && k.type === 'public') return `signing with ${alg} needs a private key, got a public CryptoKey`;
    return undefined;
  }
  // A Node.js KeyObject (duck-typed: the client entry imports nothing from node:).
  if (typeof k.type === 'string' && typeof (k as { export?: unknown }).export === 'function') {
    const type = k.type === 'secret' ? 'secret' : (k as { asymmetricKeyType?: string }).asymmetricKeyType;
    if (typeof type === 'string' && !shape.node.includes(type)) {
      return `${alg} needs a ${shape.node.join(' or ')} KeyObject, got ${type}`;
    }
    const curve = (k as { asymmetricKeyDetails?: { namedCurve?: string } }).asymmetricKeyDetails?.namedCurve;
    const crv = curve === undefined ? undefined : (NODE_CURVES[curve] ?? curve);
    if (shape.crv && crv !== undefined && !shape.crv.includes(crv)) {
      return `${alg} needs curve ${shape.crv.join(' or ')}, got ${crv}`;
    }
    if (use === 'sign' && k.type === 'public') return `signing with ${alg} needs a private key, got a public KeyObject`;
    return undefined;
  }
  return 'the key must be a CryptoKey, KeyObject, JWK or Uint8Array';
}

/** The `kid` of a key given as a JWK, if it has one (CryptoKeys, KeyObjects and secrets have none). */
export function kidOf(key: KeyInput): string | undefined {
  if (key instanceof Uint8Array) return undefined;
  const kid = (key as { kid?: unknown }).kid;
  return typeof kid === 'string' ? kid : undefined;
}

const ENCRYPTING_OPS = ['encrypt', 'wrapKey', 'deriveKey'];

/**
 * The keys of a JWK set that can take part in a JWE with key management `alg`: `use` absent or
 * `enc`, `alg` absent or equal, the same `kid` when one is named, and a key type that fits `alg`.
 * `'public'`: the keys a client may encrypt to (asymmetric public keys whose `key_ops`, if any,
 * allow encrypting). `'private'`: the keys a server may decrypt with.
 */
export function encryptionKeys(keys: readonly JWK[], alg: string, kid: unknown, side: 'public' | 'private'): JWK[] {
  return keys.filter(
    (k) =>
      (k.use === undefined || k.use === 'enc') &&
      (k.alg === undefined || k.alg === alg) &&
      (typeof kid !== 'string' || k.kid === kid) &&
      (side === 'private' ||
        (k.kty !== 'oct' &&
          k.d === undefined &&
          (k.key_ops === undefined || (Array.isArray(k.key_ops) && k.key_ops.some((op) => ENCRYPTING_OPS.includes(op)))))) &&
      keyMismatch(k, alg, 'encrypt') === undefined,
  );
}

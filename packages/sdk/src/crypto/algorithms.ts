import { decode as decodeBase64url } from 'jose/base64url'; // a subpath, as in sign.ts
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
  const algorithm = k.algorithm as { name?: unknown; namedCurve?: unknown; hash?: { name?: unknown } } | undefined;
  if (algorithm && typeof algorithm.name === 'string' && typeof k.usages === 'object') {
    if (!shape.webcrypto.includes(algorithm.name)) {
      return `${alg} needs a ${shape.webcrypto.join(' or ')} CryptoKey, got ${algorithm.name}`;
    }
    // An RSA or HMAC CryptoKey is bound to one hash at import: RS384 cannot use a SHA-256 key.
    const bits = /^(?:RS|PS|HS)(\d{3})$/.exec(alg)?.[1];
    const hash = algorithm.hash?.name;
    if (bits !== undefined && typeof hash === 'string' && hash !== `SHA-${bits}`) {
      return `${alg} needs a CryptoKey with hash SHA-${bits}, got ${hash}`;
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

/**
 * The most keys a client's key set (`jwks`, or what its `jwks_uri` serves) may hold. Verifying
 * costs at least one key import per candidate key; real clients publish a handful of keys.
 */
export const MAX_CLIENT_KEYS = 100;

/**
 * The most keys one signature is tried against when the JWS header names no `kid` and several
 * registered keys fit its `alg`. Beyond that the client must name its key with `kid`
 * (RFC 7515 §4.1.4), or every forged request would cost one verification per registered key.
 */
export const MAX_KEY_CANDIDATES = 3;

/** RFC 7518 §6.3.1: RSA moduli accepted in a client's key set, in bits (RFC 7518 §3.3: at least 2048). */
const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 4096;

/** base64url without padding, decoded by jose; `undefined` when it is not base64url. */
function base64urlBytes(value: string): Uint8Array | undefined {
  try {
    return decodeBase64url(value);
  } catch {
    return undefined;
  }
}

/** The bit length of an unsigned big-endian integer. */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/**
 * Why a JWK of a client's key set is refused, or `undefined`. RSA public keys must use the public
 * exponent 65537 (a huge exponent makes every verification slow: OpenSSL accepts any size) and a
 * modulus of 2048 to 4096 bits (RFC 7518 §3.3 requires 2048; more only costs the verifier time).
 */
export function clientKeyIssue(jwk: unknown): string | undefined {
  if (typeof jwk !== 'object' || jwk === null) return 'a key is not a JSON object';
  const k = jwk as Record<string, unknown>;
  if (k.kty !== 'RSA') return undefined;
  if (typeof k.e !== 'string' || typeof k.n !== 'string') return 'an RSA key lacks "n" or "e"';
  const e = base64urlBytes(k.e);
  // 65537 with or without leading zero octets
  if (!e || bitLength(e) !== 17 || e[e.length - 1] !== 1 || e[e.length - 2] !== 0 || e[e.length - 3] !== 1) {
    return 'an RSA key has a public exponent other than 65537';
  }
  const n = base64urlBytes(k.n);
  const bits = n ? bitLength(n) : 0;
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) return `an RSA key modulus is not ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits`;
  return undefined;
}

/**
 * Why a client's key set is refused, or `undefined`: more than {@link MAX_CLIENT_KEYS} keys, or a
 * key that {@link clientKeyIssue} refuses. Checked before any key is imported.
 */
export function clientKeySetIssue(jwks: unknown): string | undefined {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return 'the key set has no "keys" array';
  if (keys.length > MAX_CLIENT_KEYS) return `the key set holds more than ${MAX_CLIENT_KEYS} keys`;
  for (const key of keys) {
    const flaw = clientKeyIssue(key);
    if (flaw) return flaw;
  }
  return undefined;
}

// Used when the server lists no algorithms: FAPI's choices first, HS* never (a secret is no key pair).
const SIGNING_PREFERENCE: readonly string[] = ['PS256', 'ES256', 'EdDSA', 'Ed25519', 'ES384', 'ES512', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];

/**
 * Picks the JWS algorithm for `key`: the first of the server's `supported` list (in the server's
 * order) that the key can sign with, narrowed by `allowed` (a profile) and by the JWK's own `alg`.
 * Without a server list, the first fitting algorithm of a fixed preference (PS256, ES256, EdDSA …).
 * Returns the algorithm, or a message naming both lists when nothing fits: never a guess that the
 * server would refuse.
 */
export function negotiateSigningAlg(
  key: KeyInput,
  supported: readonly unknown[] | undefined,
  options: { allowed?: readonly string[] | undefined; listName: string },
): { alg: SigningAlg } | { error: string } {
  if (typeof key !== 'object' || key === null) return { error: 'the key must be a CryptoKey, KeyObject, private JWK or Uint8Array' };
  const own = (key as { alg?: unknown }).alg;
  const fits = (alg: string) =>
    isSigningAlg(alg) &&
    (options.allowed === undefined || options.allowed.includes(alg)) &&
    (typeof own !== 'string' || sameAlg(own, alg)) &&
    keyMismatch(key, alg, 'sign') === undefined;
  const candidates = supported ? supported.filter((a): a is string => typeof a === 'string') : SIGNING_PREFERENCE;
  const alg = candidates.find(fits);
  if (alg !== undefined) return { alg: alg as SigningAlg };
  const keyCan = SIGNING_ALGS.filter((a) => fits(a));
  return {
    error:
      `no signing algorithm fits both the server and the key: the server lists ${supported ? `[${candidates.join(', ')}]` : 'nothing'} ` +
      `(${options.listName}); the key can sign with [${keyCan.join(', ')}]` +
      (options.allowed ? ` within the profile's [${options.allowed.join(', ')}]` : ''),
  };
}

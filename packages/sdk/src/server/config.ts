import { CONTENT_ENCRYPTION_ALGS, FAPI2_SIGNING_ALGS, KEY_MANAGEMENT_ALGS, SIGNING_ALGS, keyMismatch } from '../crypto/algorithms.js';
import { decryptionCandidates, type DecryptionKey, type DecryptionKeys } from '../crypto/decrypt.js';
import { storeTimeoutOption } from '../lib/deadline.js';
import { ClientKeyCache, RemoteKeySets } from '../crypto/verify.js';
import { DEFAULT_COOLDOWN, createGuardedFetcher, type GuardedFetcher, type NetworkPolicy } from '../http/guard.js';
import { fetchJwks, type JwksUriFetchOptions } from '../http/jwks.js';
import { assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import type { JWK, KeyInput } from '../crypto/types.js';
import type { ReplayStore } from './replay.js';
import type { ClientMetadata, PushedAuthorizationRequest, RequestObjectVerifierOptions } from './types.js';

/**
 * FAPI 2.0 Security Profile §5.3.2.1 item 13 (and its note): the server shall accept request objects whose `nbf` (and
 * `iat`) is up to 10 seconds in the future and shall reject those more than 60 seconds ahead.
 * Under `fapi2` the leeway for the future is therefore `clockTolerance` clamped to [10, 60].
 */
const FAPI2_MIN_FUTURE_LEEWAY = 10;
/** See {@link FAPI2_MIN_FUTURE_LEEWAY}. */
const FAPI2_MAX_FUTURE_LEEWAY = 60;

/** The verifier's options, validated once, with defaults filled in. */
export interface Config {
  issuer: string;
  getClient: (clientId: string) => ClientMetadata | undefined | Promise<ClientMetadata | undefined>;
  decryptionKeys: DecryptionKeys | undefined;
  requireSigned: boolean;
  requestSupported: boolean;
  /** The guarded fetcher for `request_uri` values, or `false` when by-reference objects are refused. */
  requestUri: GuardedFetcher | false;
  requireRegistration: boolean;
  par: ((requestUri: string, clientId: string) => Promise<PushedAuthorizationRequest | undefined>) | undefined;
  replayStore: ReplayStore | undefined;
  /** Milliseconds the replay store and the PAR store are waited for. */
  storeTimeout: number;
  /** The furthest ahead (seconds from now, before the clock tolerance) a request object's `exp` may lie. */
  maxExpiresIn: number;
  fapi: boolean;
  signingAlgs: readonly string[];
  keyManagementAlgs: readonly string[];
  contentEncryptionAlgs: readonly string[];
  /** Seconds of leeway for `exp` (in the past). */
  clockTolerance: number;
  /** Seconds of leeway for `nbf` and `iat` (in the future): `clockTolerance`, clamped under `fapi2`. */
  futureTolerance: number;
  maxLength: number;
  allowUnsigned: boolean;
  merge: boolean;
  /** This verifier's `jwks_uri` key sets, fetched through its own guarded fetcher. */
  keySets: RemoteKeySets;
  /** The clients' registered jwks and secrets, imported once; owned by this verifier. */
  clientKeys: ClientKeyCache;
  now: () => number;
}

function stringList(value: unknown, what: string, allowed: readonly string[]): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    throw invalid(`${what} must be a non-empty array of algorithm names`);
  }
  for (const v of value) {
    if (!allowed.includes(v)) throw invalid(`${what}: "${v}" is not supported (supported: ${allowed.join(', ')})`);
  }
  return [...value] as string[];
}

function count(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`${name} must be a non-negative number`);
  return value;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * RFC 8414 §2: the issuer identifier is an `https` URL without query or fragment; it is the `aud`
 * that request objects must carry, so a typo here would refuse every request. `http` is accepted
 * for loopback hosts only (development and tests).
 */
function checkIssuer(issuer: unknown): void {
  assertNonEmptyString(issuer, 'issuer');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw invalid('issuer must be this server\'s issuer identifier, an absolute https URL such as "https://as.example.com" (RFC 8414 §2)');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw invalid(`issuer must use https (RFC 8414 §2); http is accepted only for loopback hosts, got ${url.protocol}`);
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
    throw invalid('issuer must not contain a query or a fragment (RFC 8414 §2)');
  }
}

const PEM_HINT = "a PEM string must be imported first: jose's importPKCS8(pem, alg) gives a private CryptoKey";
const ASYMMETRIC = new Set(['RSA', 'EC', 'OKP']);

function keyCount(keys: DecryptionKeys): number {
  return Array.isArray(keys) ? keys.length : (keys as { keys: readonly unknown[] }).keys.length;
}

/** Why a private JWK cannot decrypt, or `undefined`. */
function jwkProblem(jwk: Record<string, unknown>): string | undefined {
  if (typeof jwk.kty !== 'string') return 'is not a JWK (no "kty")';
  if (ASYMMETRIC.has(jwk.kty) && typeof jwk.d !== 'string') {
    return 'is a public key (it has no "d"): decryption needs the server\'s private key; the public half belongs in the server\'s jwks_uri, for clients to encrypt to';
  }
  if (jwk.kty === 'oct' && typeof jwk.k !== 'string') return 'is an oct JWK without "k"';
  return undefined;
}

/** Why a key given as a key cannot decrypt, or `undefined`. */
function keyProblem(key: unknown): string | undefined {
  if (typeof key === 'string') return key.includes('-----BEGIN') ? `is a PEM string; ${PEM_HINT}` : 'is a string, not a key';
  if (key instanceof Uint8Array) return key.byteLength === 0 ? 'is an empty secret' : undefined;
  if (typeof key !== 'object' || key === null) return 'must be a private CryptoKey, KeyObject, JWK or a Uint8Array secret';
  const k = key as Record<string, unknown>;
  if (typeof k.kty === 'string' || isPlainObject(key)) return jwkProblem(k);
  // A CryptoKey (non-extractable ones too) or a Node.js KeyObject, told apart structurally: the
  // Web build imports nothing from node:.
  const isCryptoKey = typeof k.algorithm === 'object' && typeof k.usages === 'object';
  const isKeyObject = typeof k.type === 'string' && typeof k.export === 'function';
  if (!isCryptoKey && !isKeyObject) return 'must be a private CryptoKey, KeyObject, JWK or a Uint8Array secret';
  if (k.type === 'public') {
    return `is a public ${isCryptoKey ? 'CryptoKey' : 'KeyObject'}: decryption needs the server's private key`;
  }
  return undefined;
}

/**
 * The server's decryption keys, checked once: a misconfigured key is the server's fault and is
 * named here, rather than failing every encrypted request later as the client's
 * `invalid_request_object`.
 */
function checkDecryptionKeys(value: unknown): DecryptionKeys | undefined {
  if (value === undefined) return undefined;
  if (isPlainObject(value) && Array.isArray(value.keys)) {
    value.keys.forEach((jwk: unknown, i: number) => {
      const problem = isPlainObject(jwk) ? jwkProblem(jwk) : 'is not a JWK object';
      if (problem) throw invalid(`decryptionKeys.keys[${i}]${kidNote(jwk)} ${problem}`);
    });
    return value as { keys: JWK[] };
  }
  if (Array.isArray(value)) {
    const entries: DecryptionKey[] = value.map((entry: unknown, i: number) => {
      if (!isPlainObject(entry) || !('key' in entry)) {
        throw invalid(`decryptionKeys[${i}] must be { key, alg?, kid? }`);
      }
      const problem = keyProblem(entry.key);
      if (problem) throw invalid(`decryptionKeys[${i}].key${kidNote(entry)} ${problem}`);
      if (entry.alg !== undefined) {
        if (!(KEY_MANAGEMENT_ALGS as readonly unknown[]).includes(entry.alg)) {
          throw invalid(`decryptionKeys[${i}].alg must be a JWE key management algorithm (${KEY_MANAGEMENT_ALGS.join(', ')})`);
        }
        const mismatch = keyMismatch(entry.key as KeyInput, entry.alg as string, 'encrypt');
        if (mismatch) throw invalid(`decryptionKeys[${i}].key does not fit its alg: ${mismatch}`);
      }
      if (entry.kid !== undefined && (typeof entry.kid !== 'string' || entry.kid === '')) {
        throw invalid(`decryptionKeys[${i}].kid must be a non-empty string`);
      }
      return { key: entry.key as KeyInput, alg: entry.alg as string | undefined, kid: entry.kid as string | undefined };
    });
    return entries;
  }
  throw invalid('decryptionKeys must be a private JWK set { keys: [privateJwk, …] } or a list [{ key, alg?, kid? }, …]');
}

function kidNote(value: unknown): string {
  const kid = isPlainObject(value) ? value.kid : undefined;
  // The kid is the server's own configuration, safe to name in its error.
  return typeof kid === 'string' ? ` (kid ${JSON.stringify(kid.slice(0, 64))})` : '';
}

export function resolveConfig(options: RequestObjectVerifierOptions): Config {
  if (!isPlainObject(options)) throw invalid('RequestObjectVerifier needs an options object');
  checkIssuer(options.issuer);
  if (typeof options.getClient !== 'function') throw invalid('getClient must be a function (clientId) => client metadata | undefined');
  const fapi = options.profile === 'fapi2';
  if (options.profile !== undefined && !fapi) throw invalid(`profile must be 'fapi2' or undefined, got "${String(options.profile)}"`);

  const decryptionKeys = checkDecryptionKeys(options.decryptionKeys);
  const baseSigning = fapi ? FAPI2_SIGNING_ALGS : SIGNING_ALGS;
  const signingAlgs = options.signingAlgorithms
    ? stringList(options.signingAlgorithms, 'signingAlgorithms', baseSigning)
    : [...baseSigning];

  const servable = decryptionKeys
    ? KEY_MANAGEMENT_ALGS.filter((alg) => decryptionCandidates(decryptionKeys, alg, undefined).length > 0)
    : [];
  if (decryptionKeys && keyCount(decryptionKeys) > 0 && servable.length === 0) {
    throw invalid('decryptionKeys: no key can decrypt with any supported JWE alg (keys with use "sig", or an alg that is not a key management algorithm?)');
  }
  const keyManagementAlgs = options.keyManagementAlgorithms
    ? stringList(options.keyManagementAlgorithms, 'keyManagementAlgorithms', KEY_MANAGEMENT_ALGS)
    : servable;
  const contentEncryptionAlgs = options.contentEncryptionAlgorithms
    ? stringList(options.contentEncryptionAlgorithms, 'contentEncryptionAlgorithms', CONTENT_ENCRYPTION_ALGS)
    : [...CONTENT_ENCRYPTION_ALGS];

  const clockTolerance = options.clockTolerance ?? 10;
  if (typeof clockTolerance !== 'number' || !Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw invalid('clockTolerance must be a number of seconds between 0 and 300');
  }
  const maxLength = options.maxLength ?? 64 * 1024;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) throw invalid('maxLength must be a positive integer');
  if (options.network !== undefined && !isPlainObject(options.network)) throw invalid('network must be an options object');
  if (options.requestUri !== undefined && options.requestUri !== false && !isPlainObject(options.requestUri)) {
    throw invalid('requestUri must be an options object or false');
  }
  if (options.jwksUri !== undefined && !isPlainObject(options.jwksUri)) throw invalid('jwksUri must be an options object');
  const now = options.now ?? Date.now;
  // One set of fetch rules for every URL a client names (RFC 9101 §10.4), overridable per use.
  const network: NetworkPolicy = { ...(options.network ?? {}) };
  const requestUri = options.requestUri === false ? false : createGuardedFetcher({ ...network, ...(options.requestUri ?? {}) }, now);
  const jwksOptions: JwksUriFetchOptions = { ...network, ...(options.jwksUri ?? {}) };
  const { cacheMaxAge, maxEntries, ...jwksPolicy } = jwksOptions;
  const jwksFetcher = createGuardedFetcher(jwksPolicy, now);
  const keySets = new RemoteKeySets({
    load: (uri) => fetchJwks(uri, jwksFetcher),
    cacheMaxAge: count(cacheMaxAge, 600_000, 'jwksUri.cacheMaxAge'),
    cooldown: count(jwksPolicy.cooldown, DEFAULT_COOLDOWN, 'jwksUri.cooldown'),
    maxEntries: count(maxEntries, 1000, 'jwksUri.maxEntries') || 1,
    now,
  });
  if (options.pushedAuthorizationRequests !== undefined && typeof options.pushedAuthorizationRequests !== 'function') {
    throw invalid('pushedAuthorizationRequests must be a function (requestUri, clientId) => stored request | undefined');
  }
  if (options.replayStore !== undefined && typeof options.replayStore?.consume !== 'function') {
    throw invalid('replayStore must have a consume(key, expiresAt) method');
  }
  const storeTimeout = storeTimeoutOption(options.storeTimeout);
  const maxExpiresIn = options.maxExpiresIn ?? 3600;
  if (!Number.isSafeInteger(maxExpiresIn) || maxExpiresIn < 1) throw invalid('maxExpiresIn must be a positive integer number of seconds');

  return {
    issuer: options.issuer,
    getClient: options.getClient,
    decryptionKeys,
    requireSigned: options.requireSignedRequestObject === true,
    requestSupported: options.requestParameterSupported !== false,
    requestUri,
    requireRegistration: options.requireRequestUriRegistration !== false,
    par: options.pushedAuthorizationRequests,
    replayStore: options.replayStore,
    storeTimeout,
    maxExpiresIn,
    fapi,
    signingAlgs,
    keyManagementAlgs,
    contentEncryptionAlgs,
    clockTolerance,
    futureTolerance: fapi ? Math.min(Math.max(clockTolerance, FAPI2_MIN_FUTURE_LEEWAY), FAPI2_MAX_FUTURE_LEEWAY) : clockTolerance,
    maxLength,
    allowUnsigned: options.allowUnsigned === true && !fapi,
    merge: options.mergeQueryParameters === true,
    keySets,
    clientKeys: new ClientKeyCache(),
    now,
  };
}

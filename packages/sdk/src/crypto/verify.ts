import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type CompactJWSHeaderParameters,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  decodeJwt,
} from 'jose';
import { Cache } from '../lib/cache.js';
import { clientKeySetIssue, MAX_KEY_CANDIDATES } from './algorithms.js';

/** Why jose refused a JWS, in the verifier's terms. */
export type JwsFailureKind = 'key' | 'keys_unavailable' | 'kid_required' | 'signature' | 'header' | 'malformed';

/** A jose failure, classified. The jose error is the `cause`. */
export class JwsFailure extends Error {
  readonly kind: JwsFailureKind;
  constructor(kind: JwsFailureKind, message: string, cause: unknown) {
    super(message, { cause });
    this.kind = kind;
  }
}

/** A verification key: a key set resolver (local or remote JWKS) or an imported HMAC key. */
export type VerificationKey = JWTVerifyGetKey | CryptoKey;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A verifier's imported client keys, owned by that verifier (nothing is shared between verifiers):
 * each registered `jwks` object as a key resolver, and each `client_secret` as an HMAC key per alg.
 */
export class ClientKeyCache {
  readonly #localSets = new WeakMap<object, JWTVerifyGetKey>();
  // Bounded: rotated secrets must not accumulate for the life of the process.
  readonly #secrets = new Cache<string, CryptoKey>({ max: 1024, ttl: Infinity });

  /**
   * A client's registered `jwks` as a key resolver, built once per JWKS object. The resolver picks
   * keys by `kid` and by the key type that `alg` needs; header `jwk`/`jku`/`x5u`/`x5c` are never
   * consulted.
   */
  localKeySet(jwks: JSONWebKeySet): JWTVerifyGetKey {
    let set = this.#localSets.get(jwks);
    if (!set) {
      // Key-shape limits (crypto/algorithms.ts) before jose imports anything: a crafted set must
      // not make every forged request expensive.
      const flaw = clientKeySetIssue(jwks);
      if (flaw) throw new KeySetRefused(flaw);
      this.#localSets.set(jwks, (set = createLocalJWKSet(jwks)));
    }
    return set;
  }

  /**
   * A client secret as an HMAC key for `alg` (HS256/384/512), imported once per secret and alg
   * (OIDC Core §10.1: the key is the octets of the UTF-8 `client_secret`). Given the raw bytes, jose
   * would import them again on every verification, which costs about as much as the HMAC itself.
   * A failed import is not kept: the next call reports the same error afresh.
   */
  secretKey(secret: string, alg: string): Promise<CryptoKey> {
    return this.#secrets.load(`${alg}:${secret}`, () =>
      crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify']),
    );
  }
}

/** A client's key set that {@link clientKeySetIssue} refuses (too many keys, an unfit RSA key). */
export class KeySetRefused extends Error {}

/** A client's `jwks_uri` key set could not be fetched or was not a usable JWK set. The detail is the `cause`. */
export class KeySetUnavailable extends Error {
  constructor(cause: unknown) {
    super('the client\'s keys could not be fetched', { cause });
  }
}

/** Options of {@link RemoteKeySets}. */
export interface RemoteKeySetsOptions {
  /** Fetches a `jwks_uri` (through the guarded fetcher) and returns the parsed JSON. */
  load: (uri: string) => Promise<unknown>;
  /** Milliseconds a fetched key set is used without fetching it again. */
  cacheMaxAge: number;
  /** Milliseconds between two fetches of one `jwks_uri`, whatever the reason: failure or unknown `kid`. */
  cooldown: number;
  /** The most `jwks_uri` values remembered; the least recently used is dropped first. */
  maxEntries: number;
  now: () => number;
}

/** What one verifier knows of one `jwks_uri`. */
interface KeySetState {
  /** The last key set fetched; kept through a failed refetch, for use within the cooldown. */
  set: JWTVerifyGetKey | undefined;
  loadedAt: number;
  /** When the last fetch started, whatever its outcome. */
  attemptAt: number;
  error: unknown;
}

/**
 * The `jwks_uri` key sets of one verifier: fetched through the loader it is given, turned into
 * jose local key sets, cached for `cacheMaxAge`, fetched again when a `kid` is unknown (a rotated
 * key), and never fetched more than once per `cooldown` per URI however many requests arrive
 * (concurrent requests share one fetch; failures are remembered for the cooldown).
 */
export class RemoteKeySets {
  readonly #opts: RemoteKeySetsOptions;
  // Entries never expire by themselves: freshness and the cooldown are judged from each state's times.
  readonly #states: Cache<string, KeySetState>;
  // A held set is fetched again once stale: past cacheMaxAge and past the cooldown.
  readonly #whenStale = { reload: (state: KeySetState): boolean => !this.#fresh(state) && this.#cooledDown(state) };
  readonly #whenCooledDown = { reload: (state: KeySetState): boolean => this.#cooledDown(state) };
  readonly #fetch = (uri: string): Promise<KeySetState> => this.#fetchState(uri);

  constructor(options: RemoteKeySetsOptions) {
    this.#opts = options;
    this.#states = new Cache({ max: options.maxEntries, ttl: Infinity, lru: true, now: options.now });
  }

  /** The key resolver for `uri`, for jose's `jwtVerify`. */
  resolver(uri: string): JWTVerifyGetKey {
    return async (header, token) => {
      const state = await this.#states.load(uri, this.#fetch, this.#whenStale);
      // Fresh, or within the cooldown of a failed or recent fetch: the last keys, or the remembered failure.
      if (!state.set) throw new KeySetUnavailable(state.error);
      try {
        return await state.set(header, token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
        // A kid the cached set does not know: the client may have rotated its keys. One refetch,
        // at most once per cooldown; a refetch already under way is joined.
        const next = await this.#states.load(uri, this.#fetch, this.#whenCooledDown);
        if (next === state) throw err;
        return next.set!(header, token);
      }
    };
  }

  #fresh(state: KeySetState): boolean {
    return state.set !== undefined && this.#opts.now() - state.loadedAt < this.#opts.cacheMaxAge;
  }

  #cooledDown(state: KeySetState): boolean {
    return this.#opts.now() - state.attemptAt >= this.#opts.cooldown;
  }

  async #fetchState(uri: string): Promise<KeySetState> {
    const held = this.#states.get(uri);
    const attemptAt = this.#opts.now();
    try {
      const jwks = await this.#opts.load(uri);
      // The same key-shape rules as a registered `jwks`, before jose imports anything.
      const flaw = clientKeySetIssue(jwks);
      if (flaw) throw new KeySetRefused(flaw);
      return { set: createLocalJWKSet(jwks as JSONWebKeySet), loadedAt: this.#opts.now(), attemptAt, error: undefined };
    } catch (cause) {
      // Remembered for the cooldown, next to the last keys; the requests waiting on this fetch fail.
      this.#states.set(uri, { set: held?.set, loadedAt: held?.loadedAt ?? 0, attemptAt, error: cause });
      throw new KeySetUnavailable(cause);
    }
  }
}

export interface VerifyJwsOptions {
  /** The algorithms accepted for this client: always passed to jose. */
  algorithms: string[];
  /**
   * The claims set the caller already decoded from this very `jws` (its payload segment, as a JSON
   * object): returned once the signature over that segment verifies, instead of parsing it again.
   */
  claims?: JWTPayload;
}

/**
 * The client's keys that may have made `jws`: the one key for HS*, else what the key set holds
 * for the header's `kid` and `alg` (several when there is no `kid`). A `jwks_uri` is fetched here.
 * `header` is the protected header of `jws` when the caller decoded it already (it is not decoded twice).
 */
export async function resolveKeys(jws: string, key: VerificationKey, header?: Record<string, unknown>): Promise<CryptoKey[]> {
  if (typeof key !== 'function') return [key];
  const [protectedPart = '', payload = '', signature = ''] = jws.split('.');
  try {
    const protectedHeader = (header ?? decodeProtectedHeader(jws)) as CompactJWSHeaderParameters;
    return [(await key(protectedHeader, { protected: protectedPart, payload, signature })) as CryptoKey];
  } catch (err) {
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      // No `kid` and several registered keys fit the alg: a few are tried (jose leaves this to the caller).
      const keys: CryptoKey[] = [];
      // Each try costs a key import and a verification, so a client with many keys must name one.
      for await (const candidate of err) {
        if (keys.length === MAX_KEY_CANDIDATES) {
          throw new JwsFailure('kid_required', `more than ${MAX_KEY_CANDIDATES} registered keys fit the alg and the header names no kid`, err);
        }
        keys.push(candidate as CryptoKey);
      }
      return keys;
    }
    throw classify(err);
  }
}

/**
 * Verifies the signature of `jws` with the first of `keys` that fits (jose's `compactVerify`,
 * `algorithms` always passed) and returns its header and claims. The time claims are not judged
 * here: the verifier applies them once, with its own clock and leeways.
 */
export async function verifyJws(
  jws: string,
  keys: readonly CryptoKey[],
  options: VerifyJwsOptions,
): Promise<{ header: JWSHeaderParameters; claims: JWTPayload }> {
  let last: unknown;
  for (const key of keys) {
    try {
      const { protectedHeader, payload } = await compactVerify(jws, key, { algorithms: options.algorithms });
      return { header: protectedHeader, claims: options.claims ?? parseClaims(payload) };
    } catch (err) {
      if (err instanceof JwsFailure) throw err;
      last = err;
      if (err instanceof errors.JWSSignatureVerificationFailed) continue;
      throw classify(err);
    }
  }
  throw keys.length > 1
    ? new JwsFailure('signature', 'the signature does not verify with any of the client\'s keys', last)
    : classify(last);
}

function parseClaims(payload: Uint8Array): JWTPayload {
  let claims: unknown;
  try {
    claims = JSON.parse(decoder.decode(payload));
  } catch (cause) {
    throw new JwsFailure('malformed', 'the JWT claims set is not JSON', cause);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new JwsFailure('malformed', 'the JWT claims set is not a JSON object', undefined);
  }
  return claims as JWTPayload;
}

/**
 * Decodes an unsigned (`alg: none`) JWT, for servers that explicitly accept unsigned request
 * objects (OIDC Core §6.1). Nothing about its sender is proven; the time claims are judged by the
 * verifier, as for signed objects.
 */
export function decodeUnsigned(jwt: string): { header: Record<string, unknown>; claims: JWTPayload } {
  try {
    const header = decodeProtectedHeader(jwt) as Record<string, unknown>;
    // RFC 7519 §6.1: an unsecured JWT has alg "none" and an empty signature.
    if (header.alg !== 'none' || !jwt.endsWith('.')) throw new errors.JWTInvalid('not an unsecured JWT');
    return { header, claims: decodeJwt(jwt) };
  } catch (err) {
    throw classify(err);
  }
}

function classify(err: unknown): JwsFailure {
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new JwsFailure('signature', 'the signature does not verify with the client\'s key', err);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new JwsFailure('key', 'no registered key of the client matches the header\'s "kid" and "alg"', err);
  }
  if (err instanceof KeySetUnavailable) {
    // The same words whatever the network did (RFC 9101 §10.4): the detail stays in `cause`.
    return new JwsFailure('keys_unavailable', err.message, err);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new JwsFailure('header', (err as Error).message, err);
  }
  if (err instanceof errors.JOSEError) return new JwsFailure('malformed', (err as Error).message, err);
  // TypeError from key import, a fetch failure of a jwks_uri, …
  return new JwsFailure('key', `the client's key could not be used: ${(err as Error)?.message ?? String(err)}`, err);
}

import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  UnsecuredJWT,
} from 'jose';

/** Why jose refused a JWS, in the verifier's terms. */
export type JwsFailureKind = 'key' | 'keys_unavailable' | 'signature' | 'time' | 'header' | 'malformed';

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

const localSets = new WeakMap<object, JWTVerifyGetKey>();
const secrets = new Map<string, Promise<CryptoKey>>();
const encoder = new TextEncoder();

/**
 * A client's registered `jwks` as a key resolver, built once per JWKS object (do expensive work
 * once). The resolver picks keys by `kid` and by the key type that `alg` needs; header
 * `jwk`/`jku`/`x5u`/`x5c` are never consulted.
 */
export function localKeySet(jwks: JSONWebKeySet): JWTVerifyGetKey {
  let set = localSets.get(jwks);
  if (!set) localSets.set(jwks, (set = createLocalJWKSet(jwks)));
  return set;
}

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

interface Entry {
  set: JWTVerifyGetKey | undefined;
  loadedAt: number;
  attemptAt: number;
  error: unknown;
  pending: Promise<Entry> | undefined;
}

/**
 * The `jwks_uri` key sets of one verifier: fetched through the loader it is given, turned into
 * jose local key sets, cached for `cacheMaxAge`, fetched again when a `kid` is unknown (a rotated
 * key), and never fetched more than once per `cooldown` per URI however many requests arrive
 * (concurrent requests share one fetch; failures are remembered for the cooldown).
 */
export class RemoteKeySets {
  readonly #opts: RemoteKeySetsOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: RemoteKeySetsOptions) {
    this.#opts = options;
  }

  /** The key resolver for `uri`, for jose's `jwtVerify`. */
  resolver(uri: string): JWTVerifyGetKey {
    return async (header, token) => {
      let entry = await this.#current(uri);
      try {
        return await entry.set!(header, token);
      } catch (err) {
        // A kid the cached set does not know: the client may have rotated its keys. One refetch,
        // at most once per cooldown.
        if (!(err instanceof errors.JWKSNoMatchingKey) || !this.#mayFetch(entry)) throw err;
        entry = await this.#load(uri, entry);
        return entry.set!(header, token);
      }
    };
  }

  #mayFetch(entry: Entry): boolean {
    return entry.pending !== undefined || this.#opts.now() - entry.attemptAt >= this.#opts.cooldown;
  }

  async #current(uri: string): Promise<Entry> {
    const entry = this.#entries.get(uri);
    if (!entry) return this.#load(uri, undefined);
    // least recently used last
    this.#entries.delete(uri);
    this.#entries.set(uri, entry);
    if (entry.pending) return entry.pending;
    const now = this.#opts.now();
    if (entry.set && now - entry.loadedAt < this.#opts.cacheMaxAge) return entry;
    if (this.#mayFetch(entry)) return this.#load(uri, entry);
    // Within the cooldown of a failed or recent fetch: the last keys, or the remembered failure.
    if (entry.set) return entry;
    throw new KeySetUnavailable(entry.error);
  }

  #load(uri: string, existing: Entry | undefined): Promise<Entry> {
    if (existing?.pending) return existing.pending;
    const entry: Entry = existing ?? { set: undefined, loadedAt: 0, attemptAt: 0, error: undefined, pending: undefined };
    if (!existing) {
      if (this.#entries.size >= this.#opts.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(uri, entry);
    }
    entry.attemptAt = this.#opts.now();
    // Started on the next tick, so that `pending` is in place before anything can settle it.
    const pending = Promise.resolve().then(async () => {
      try {
        const jwks = await this.#opts.load(uri);
        entry.set = createLocalJWKSet(jwks as JSONWebKeySet);
        entry.loadedAt = this.#opts.now();
        entry.error = undefined;
        return entry;
      } catch (cause) {
        entry.error = cause;
        throw new KeySetUnavailable(cause);
      } finally {
        entry.pending = undefined;
      }
    });
    entry.pending = pending;
    return pending;
  }
}

/**
 * A client secret as an HMAC key for `alg` (HS256/384/512), imported once per secret and alg
 * (OIDC Core §10.1: the key is the octets of the UTF-8 `client_secret`). Given the raw bytes, jose
 * would import them again on every verification, which costs about as much as the HMAC itself.
 */
export function secretKey(secret: string, alg: string): Promise<CryptoKey> {
  const id = `${alg}:${secret}`;
  let key = secrets.get(id);
  if (!key) {
    // bounded: rotated secrets must not accumulate for the life of the process
    if (secrets.size >= 1024) secrets.clear();
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify']);
    // A failed import is not cached: the next call reports the same error afresh.
    key.catch(() => secrets.delete(id));
    secrets.set(id, key);
  }
  return key;
}

export interface VerifyJwsOptions {
  /** The algorithms accepted for this client: always passed to jose. */
  algorithms: string[];
  /** Seconds of leeway for `exp` / `nbf`. */
  clockTolerance: number;
  /** The verifier's clock. */
  currentDate: Date;
}

/**
 * Verifies a compact JWS request object with jose's `jwtVerify` (signature, `alg` allow-list,
 * `crit`, `b64`, `exp`/`nbf`/`iat` types and times) and returns its header and claims. Every jose
 * failure becomes a {@link JwsFailure}.
 */
export async function verifyJws(
  jws: string,
  key: VerificationKey,
  options: VerifyJwsOptions,
): Promise<{ header: JWTHeaderParameters; claims: JWTPayload }> {
  const opts = { algorithms: options.algorithms, clockTolerance: options.clockTolerance, currentDate: options.currentDate };
  try {
    const { protectedHeader, payload } = await jwtVerify(jws, key as JWTVerifyGetKey, opts);
    return { header: protectedHeader, claims: payload };
  } catch (err) {
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      // No `kid` and several registered keys fit the alg: try each (jose leaves this to the caller).
      for await (const candidate of err) {
        try {
          const { protectedHeader, payload } = await jwtVerify(jws, candidate, opts);
          return { header: protectedHeader, claims: payload };
        } catch (inner) {
          if (inner instanceof errors.JWSSignatureVerificationFailed) continue;
          throw classify(inner);
        }
      }
      throw new JwsFailure('signature', 'the signature does not verify with any of the client\'s keys', err);
    }
    throw classify(err);
  }
}

/**
 * Decodes an unsigned (`alg: none`) JWT and checks its time claims, for servers that explicitly
 * accept unsigned request objects (OIDC Core §6.1). Nothing about its sender is proven.
 */
export function decodeUnsigned(jwt: string, options: Omit<VerifyJwsOptions, 'algorithms'>): { header: Record<string, unknown>; claims: JWTPayload } {
  try {
    const { header, payload } = UnsecuredJWT.decode(jwt, { clockTolerance: options.clockTolerance, currentDate: options.currentDate });
    return { header: header as Record<string, unknown>, claims: payload };
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
  if (err instanceof errors.JWTExpired || err instanceof errors.JWTClaimValidationFailed) {
    return new JwsFailure('time', (err as Error).message, err);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new JwsFailure('header', (err as Error).message, err);
  }
  if (err instanceof errors.JOSEError) return new JwsFailure('malformed', (err as Error).message, err);
  // TypeError from key import, a fetch failure of a jwks_uri, …
  return new JwsFailure('key', `the client's key could not be used: ${(err as Error)?.message ?? String(err)}`, err);
}

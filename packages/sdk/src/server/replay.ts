import { OAuthJarError } from '../errors.js';
import { invalid } from '../lib/validate.js';

/**
 * Remembers each request object's `jti` until the object expires, so that one cannot be used
 * twice (RFC 9101 §10.3 and FAPI). Implement it over Redis or a database for several instances.
 *
 * The verifier waits for `consume` at most `storeTimeout` milliseconds (default 1000) and refuses
 * the request with `temporarily_unavailable` (503) when it throws or does not answer in time: a
 * request object is never accepted because the store could not be asked. Keys are at most a few
 * hundred characters (the verifier refuses a `jti` over 256 characters) and `expiresAt` lies at
 * most `maxExpiresIn` (+ the clock tolerance) ahead.
 *
 * @example
 * ```ts
 * // A Redis client for a fail-closed store: errors handled (an unhandled "error" event ends the
 * // process), no offline queue (commands fail at once while Redis is away), quick reconnects.
 * const redis = createClient({
 *   url: process.env.REDIS_URL,
 *   disableOfflineQueue: true,
 *   socket: { connectTimeout: 1000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
 * }).on('error', (err) => log.warn('redis', err));
 * await redis.connect();
 *
 * const redisStore: ReplayStore = {
 *   // SET NX with an expiry: true when the key was not there yet
 *   async consume(key, expiresAt) {
 *     return (await redis.set(key, '1', { expiration: { type: 'EXAT', value: expiresAt }, condition: 'NX' })) === 'OK';
 *   },
 * };
 * ```
 */
export interface ReplayStore {
  /**
   * Records `key` until `expiresAt` (seconds since the epoch). Returns `true` the first time a key
   * is seen, `false` when it was already recorded and has not expired. Throws (or rejects) when it
   * cannot tell, e.g. when it is full or unreachable: never `true` to make room.
   */
  consume(key: string, expiresAt: number): boolean | Promise<boolean>;
}

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * The most keys held. When the store is full of unexpired keys it refuses new ones (`consume`
   * throws `ERR_STORE_FULL`, the verifier answers `temporarily_unavailable`) instead of forgetting
   * a key that could then be replayed. With the verifier's `maxExpiresIn` (default 3600 s), a key
   * is held at most about an hour, so the store refills as keys expire.
   * @default 100000
   */
  maxEntries?: number;
  /**
   * The most unexpired keys one client may hold, so that one client cannot fill the store and get
   * every other client refused. When a client's share is full, only that client's new request
   * objects are refused (`ERR_STORE_FULL`, 503 `temporarily_unavailable`); no live key is evicted.
   * The client is the first element of the verifier's keys (`JSON.stringify([clientId, …])`);
   * a key in another form counts as a client of its own.
   * @default 10% of maxEntries (10000 with the default maxEntries), at least 1
   */
  maxEntriesPerClient?: number;
  /** A clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
}

/**
 * An in-memory {@link ReplayStore} for one process, bounded by `maxEntries`. Expired entries are
 * swept as new ones arrive (no timer keeps the process alive).
 *
 * Fail closed: when it is full, new request objects are refused (503 `temporarily_unavailable`)
 * until keys expire; a `jti` seen before is still refused as a replay. Size `maxEntries` for the
 * request objects accepted within `maxExpiresIn`; use a shared store (`RedisReplayStore` from
 * `oauth-jar/redis`) for several instances.
 *
 * @example
 * ```ts
 * const verifier = new RequestObjectVerifier({ issuer, getClient, replayStore: new MemoryReplayStore({ maxEntries: 50_000 }) });
 * ```
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #seen = new Map<string, number>();
  /** Unexpired-or-unswept keys held per client. */
  readonly #perClient = new Map<string, number>();
  readonly #max: number;
  readonly #maxPerClient: number;
  readonly #now: () => number;
  #nextSweep = 0;
  #nextFullSweep = 0;

  /**
   * @param options.maxEntries The most keys held (default 100000).
   * @param options.maxEntriesPerClient The most keys one client holds (default 10% of maxEntries).
   * @param options.now A clock in milliseconds, for tests.
   */
  constructor(options: MemoryReplayStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) throw invalid('maxEntries must be a positive integer');
    this.#max = max;
    const perClient = options.maxEntriesPerClient ?? Math.max(1, Math.floor(max / 10));
    if (!Number.isSafeInteger(perClient) || perClient < 1) throw invalid('maxEntriesPerClient must be a positive integer');
    this.#maxPerClient = perClient;
    this.#now = options.now ?? Date.now;
  }

  /**
   * @throws OAuthJarError `ERR_STORE_FULL` when `key` is new and `maxEntries` unexpired keys are
   * held, or `maxEntriesPerClient` of its client.
   */
  consume(key: string, expiresAt: number): boolean {
    const now = this.#now() / 1000;
    if (now >= this.#nextSweep) {
      // Sweep at most once a minute: the map stays bounded by the traffic of one object lifetime.
      this.#sweep(now);
      this.#nextSweep = now + 60;
    }
    const existing = this.#seen.get(key);
    if (existing !== undefined && existing > now) return false;
    const client = clientOf(key);
    if (existing === undefined && (this.#seen.size >= this.#max || (this.#perClient.get(client) ?? 0) >= this.#maxPerClient)) {
      // Full: sweep now (at most once a second, so a flood does not make each call O(n)), and if
      // every key is still live refuse the new one: evicting a live key would let it be replayed.
      if (now >= this.#nextFullSweep) {
        this.#sweep(now);
        this.#nextFullSweep = now + 1;
      }
      if (this.#seen.size >= this.#max) throw new OAuthJarError('ERR_STORE_FULL', `the replay store holds its maximum of ${this.#max} unexpired keys`);
      if ((this.#perClient.get(client) ?? 0) >= this.#maxPerClient) {
        throw new OAuthJarError('ERR_STORE_FULL', `the replay store holds its maximum of ${this.#maxPerClient} unexpired keys for this client`);
      }
    }
    if (existing === undefined) this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    this.#seen.set(key, expiresAt);
    return true;
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    return this.#seen.size;
  }

  #sweep(now: number): void {
    for (const [k, exp] of this.#seen) {
      if (exp > now) continue;
      this.#seen.delete(k);
      const client = clientOf(k);
      const held = (this.#perClient.get(client) ?? 1) - 1;
      if (held > 0) this.#perClient.set(client, held);
      else this.#perClient.delete(client);
    }
  }
}

/** The client of a verifier key (`JSON.stringify([clientId, …])`); any other key is its own client. */
function clientOf(key: string): string {
  if (key.startsWith('["')) {
    try {
      const parsed: unknown = JSON.parse(key);
      if (Array.isArray(parsed) && typeof parsed[0] === 'string') return parsed[0];
    } catch {
      // not the verifier's form
    }
  }
  return key;
}

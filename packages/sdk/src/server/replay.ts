/**
 * Remembers each request object's `jti` until the object expires, so that one cannot be used
 * twice (RFC 9101 §10.3 and FAPI). Implement it over Redis or a database for several instances.
 *
 * @example
 * ```ts
 * const redisStore: ReplayStore = {
 *   // SET NX with an expiry: true when the key was not there yet
 *   async consume(key, expiresAt) {
 *     return (await redis.set(key, '1', { NX: true, EXAT: expiresAt })) === 'OK';
 *   },
 * };
 * ```
 */
export interface ReplayStore {
  /**
   * Records `key` until `expiresAt` (seconds since the epoch). Returns `true` the first time a key
   * is seen, `false` when it was already recorded and has not expired.
   */
  consume(key: string, expiresAt: number): boolean | Promise<boolean>;
}

/**
 * An in-memory {@link ReplayStore} for one process. Expired entries are swept as new ones arrive.
 *
 * @example
 * ```ts
 * const verifier = new RequestObjectVerifier({ issuer, getClient, replayStore: new MemoryReplayStore() });
 * ```
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #seen = new Map<string, number>();
  readonly #now: () => number;
  #nextSweep = 0;

  /** @param options.now A clock in milliseconds, for tests. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  consume(key: string, expiresAt: number): boolean {
    const now = this.#now() / 1000;
    if (now >= this.#nextSweep) {
      // Sweep at most once a minute: the map stays bounded by the traffic of one object lifetime.
      for (const [k, exp] of this.#seen) if (exp <= now) this.#seen.delete(k);
      this.#nextSweep = now + 60;
    }
    const existing = this.#seen.get(key);
    if (existing !== undefined && existing > now) return false;
    this.#seen.set(key, expiresAt);
    return true;
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    return this.#seen.size;
  }
}

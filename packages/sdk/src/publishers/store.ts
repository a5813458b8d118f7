import { invalid } from '../lib/validate.js';

/**
 * Where a {@link HostedRequestUriPublisher} keeps request objects until they expire. Implement it
 * over a shared store (Redis: `RedisRequestObjectStore` from `oauth-jar/redis`, or a database) when
 * the relying party runs on several instances: the instance that serves the `request_uri` is often
 * not the one that published it.
 *
 * The publisher waits at most `storeTimeout` (default 1000 ms) for each call: past it, or when the
 * store throws, `publish` rejects and the handler answers `503`. A Redis client for
 * `RedisRequestObjectStore` needs an `error` listener (an unhandled `error` event ends the process)
 * and `disableOfflineQueue: true`; see `oauth-jar/redis`.
 *
 * @example
 * ```ts
 * const store: RequestObjectStore = {
 *   put: (id, value, ttlSeconds) => kv.put(`jar:${id}`, value, { expirationTtl: ttlSeconds }),
 *   get: (id) => kv.get(`jar:${id}`),
 * };
 * new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/', store });
 * ```
 */
export interface RequestObjectStore {
  /** Keeps `value` under `id` for `ttlSeconds` seconds. */
  put(id: string, value: string, ttlSeconds: number): void | Promise<void>;
  /** The value under `id`, or `undefined` / `null` when unknown or expired. */
  get(id: string): string | undefined | null | Promise<string | undefined | null>;
}

/** Options of {@link MemoryRequestObjectStore}. */
export interface MemoryRequestObjectStoreOptions {
  /**
   * The most entries held; beyond it the oldest are dropped. A bound against a flood of login
   * attempts, each of which publishes one object.
   * @default 100000
   */
  maxEntries?: number;
  /** A clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
}

/**
 * An in-memory {@link RequestObjectStore} for one process: the {@link HostedRequestUriPublisher}'s
 * default. Expired entries are swept as new ones arrive (no timer keeps the process alive), and
 * the map never holds more than `maxEntries`.
 *
 * @example
 * ```ts
 * const store = new MemoryRequestObjectStore({ maxEntries: 10_000 });
 * const hosted = new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/', store });
 * ```
 */
export class MemoryRequestObjectStore implements RequestObjectStore {
  // Insertion order is the Map's iteration order: the first entries are the oldest.
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();
  readonly #max: number;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(options: MemoryRequestObjectStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) throw invalid('maxEntries must be a positive integer');
    this.#max = max;
    this.#now = options.now ?? Date.now;
  }

  put(id: string, value: string, ttlSeconds: number): void {
    const now = this.#now();
    if (now >= this.#nextSweep) {
      // A full sweep at most every 10 s: the map stays bounded by the traffic of one ttl (+10 s).
      for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
      this.#nextSweep = now + 10_000;
    }
    this.#entries.delete(id);
    this.#entries.set(id, { value, expiresAt: now + ttlSeconds * 1000 });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get(id: string): string | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** How many entries are held, expired ones not yet swept included (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }
}

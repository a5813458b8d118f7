/** Where a {@link Cache} keeps its entries: any `Map` fits, or an adapter over another store. */
export interface CacheStore<K, V> {
  get(key: K): { value: V; expiresAt: number } | undefined;
  set(key: K, entry: { value: V; expiresAt: number }): unknown;
  delete(key: K): unknown;
  clear?(): void;
  readonly size?: number;
  keys?(): IterableIterator<K>;
}

export interface CacheOptions<K, V> {
  /** Most entries kept; the oldest is evicted first. Ignored for a store without `size`/`keys`. */
  max: number;
  /** Each hit makes its entry the newest, so the least recently used is evicted first. @default false */
  lru?: boolean;
  /** Milliseconds an entry lives unless `set`/`load` say otherwise; `Infinity` for no expiry. */
  ttl: number;
  /** The clock in milliseconds. @default Date.now */
  now?: () => number;
  /** The store. @default a new Map */
  store?: CacheStore<K, V>;
}

/**
 * A small cache: a size bound, a clock, a TTL, and in-flight sharing (concurrent loads of one key
 * share one promise; a failed load is not kept, so the next call reports the failure afresh).
 * Owned by the object that uses it; nothing here is global.
 */
export class Cache<K, V> {
  readonly #store: CacheStore<K, V>;
  readonly #pending = new Map<K, Promise<V>>();
  readonly #max: number;
  readonly #lru: boolean;
  readonly #ttl: number;
  readonly #now: () => number;

  constructor(options: CacheOptions<K, V>) {
    this.#store = options.store ?? new Map();
    this.#max = options.max;
    this.#lru = options.lru === true;
    this.#ttl = options.ttl;
    this.#now = options.now ?? Date.now;
  }

  /** The live value for `key`; an expired entry is dropped. `at` overrides the clock. */
  get(key: K, at?: number): V | undefined {
    const entry = this.#store.get(key);
    if (entry === undefined) return undefined;
    // An entry that never expires needs no clock reading (the hot path of the key caches).
    if (entry.expiresAt === Infinity || entry.expiresAt > (at ?? this.#now())) {
      if (this.#lru) {
        this.#store.delete(key);
        this.#store.set(key, entry);
      }
      return entry.value;
    }
    this.#store.delete(key);
    return undefined;
  }

  set(key: K, value: V, ttl: number = this.#ttl, at: number = this.#now()): void {
    const store = this.#store;
    store.delete(key); // re-inserted last: Map order is the eviction order
    if (store.size !== undefined && store.keys && store.size >= this.#max) {
      for (const oldest of store.keys()) {
        store.delete(oldest);
        if (store.size < this.#max) break;
      }
    }
    store.set(key, { value, expiresAt: at + ttl });
  }

  delete(key: K): void {
    this.#store.delete(key);
  }

  /**
   * The live value for `key`, or the result of `loader(key)`, kept for `ttl` ms once it resolves.
   * Concurrent calls for one key share one `loader` call. `now` overrides the clock for this call.
   * `reload` refreshes a live value it returns true for: the value is loaded again (joining a load
   * already in flight) and stays in place until the new one arrives.
   */
  load(
    key: K,
    loader: (key: K) => Promise<V>,
    options: { ttl?: number; now?: () => number; reload?: (value: V) => boolean } = {},
  ): Promise<V> {
    const now = options.now ?? this.#now;
    const hit = this.get(key, options.now?.());
    if (hit !== undefined && !options.reload?.(hit)) return Promise.resolve(hit);
    let job = this.#pending.get(key);
    if (!job) {
      job = loader(key).then(
        (value) => {
          this.#pending.delete(key);
          this.set(key, value, options.ttl ?? this.#ttl, now());
          return value;
        },
        (err: unknown) => {
          this.#pending.delete(key);
          throw err;
        },
      );
      this.#pending.set(key, job);
    }
    return job;
  }
}

/**
 * `oauth-jar/redis`: Redis-backed stores for relying parties and authorization servers that run
 * on several instances — request objects for `HostedRequestUriPublisher` and `jti` replay
 * protection for `RequestObjectVerifier`. Takes a connected node-redis v5 client (the `redis`
 * package, an optional peer dependency); any client with the same `set` / `get` shape works.
 *
 * @module
 */
import { b64u } from './crypto/encoding.js';
import { invalid } from './lib/validate.js';
import type { RequestObjectStore } from './publishers/store.js';
import type { ReplayStore } from './server/replay.js';

/**
 * The two commands the stores use, in node-redis v5's shape (`createClient()` from `redis`).
 * Described structurally so these declarations do not need `redis`'s types.
 */
export interface RedisClientLike {
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'EX' | 'EXAT'; value: number }; condition?: 'NX' },
  ): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

/** Options of the Redis stores. */
export interface RedisStoreOptions {
  /**
   * A prefix for every key, so several applications can share one Redis.
   * @default 'oauth-jar:ro:' for request objects, 'oauth-jar:jti:' for replay keys
   */
  prefix?: string;
}

function checkClient(client: unknown): RedisClientLike {
  const c = client as RedisClientLike | null;
  if (typeof c !== 'object' || c === null || typeof c.set !== 'function' || typeof c.get !== 'function') {
    throw invalid('a connected node-redis client is needed (createClient() from "redis", after connect())');
  }
  return c;
}

function prefixOf(options: RedisStoreOptions, fallback: string): string {
  const prefix = options.prefix ?? fallback;
  if (typeof prefix !== 'string') throw invalid('prefix must be a string');
  return prefix;
}

/**
 * A {@link RequestObjectStore} in Redis: every instance of a relying party serves the request
 * objects any of them published. Each object is one key with Redis' own expiry (`SET … EX ttl`),
 * so nothing outlives its ttl and nothing needs sweeping.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { HostedRequestUriPublisher } from 'oauth-jar';
 * import { RedisRequestObjectStore } from 'oauth-jar/redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const hosted = new HostedRequestUriPublisher({
 *   baseUrl: 'https://rp.example.com/jar/',
 *   store: new RedisRequestObjectStore(redis),
 * });
 * ```
 */
export class RedisRequestObjectStore implements RequestObjectStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;

  constructor(client: RedisClientLike, options: RedisStoreOptions = {}) {
    this.#client = checkClient(client);
    this.#prefix = prefixOf(options, 'oauth-jar:ro:');
  }

  async put(id: string, value: string, ttlSeconds: number): Promise<void> {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) throw invalid('ttlSeconds must be a positive integer');
    await this.#client.set(this.#prefix + id, value, { expiration: { type: 'EX', value: ttlSeconds } });
  }

  async get(id: string): Promise<string | undefined> {
    const value = await this.#client.get(this.#prefix + id);
    if (typeof value === 'string') return value;
    // A client configured to return Buffers (RESP type mapping) still yields the text.
    if (value instanceof Uint8Array) return new TextDecoder().decode(value);
    return undefined;
  }
}

/**
 * A {@link ReplayStore} in Redis, for a verifier that runs on several instances: a `jti` accepted
 * by one is refused by all (RFC 9101 §10.3, FAPI). One atomic `SET key 1 NX EXAT exp` per request
 * object: the first writer wins, and Redis forgets the key when the object would have expired
 * anyway. Keys are SHA-256 hashes of the client and `jti`, so a long `jti` costs no Redis memory.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RequestObjectVerifier } from 'oauth-jar/server';
 * import { RedisReplayStore } from 'oauth-jar/redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const verifier = new RequestObjectVerifier({ issuer, getClient, replayStore: new RedisReplayStore(redis) });
 * ```
 */
export class RedisReplayStore implements ReplayStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;

  constructor(client: RedisClientLike, options: RedisStoreOptions = {}) {
    this.#client = checkClient(client);
    this.#prefix = prefixOf(options, 'oauth-jar:jti:');
  }

  async consume(key: string, expiresAt: number): Promise<boolean> {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
    // EXAT must lie ahead of Redis' clock; an object at the edge of its clock tolerance is kept
    // for at least a second rather than refused by Redis.
    const at = Math.max(Math.ceil(expiresAt), Math.floor(Date.now() / 1000) + 1);
    const reply = await this.#client.set(this.#prefix + b64u(digest), '1', { expiration: { type: 'EXAT', value: at }, condition: 'NX' });
    // null: the key was there (NX refused). A client mapping replies to Buffers still says "OK".
    return reply === 'OK' || (reply instanceof Uint8Array && new TextDecoder().decode(reply) === 'OK');
  }
}

/**
 * `oauth-jar/redis`: Redis-backed stores for relying parties and authorization servers that run
 * on several instances — request objects for `HostedRequestUriPublisher` and `jti` replay
 * protection for `RequestObjectVerifier`. Takes a connected node-redis v5 client (the `redis`
 * package, an optional peer dependency); any client with the same `set` / `get` shape works.
 *
 * Set the client up to fail closed:
 * - an `error` listener: node-redis emits `error` on every lost connection, and an unhandled
 *   `error` event ends the Node process;
 * - `disableOfflineQueue: true`: while Redis is away commands fail at once instead of queueing
 *   (without it they wait, unbounded, until Redis is back);
 * - a `connectTimeout` and a `reconnectStrategy` that keeps retrying with a short, capped backoff,
 *   so the same client recovers by itself when Redis returns.
 *
 * The stores' callers also wait at most `storeTimeout` (default 1000 ms) for each command: the
 * verifier then answers `temporarily_unavailable` (503), the hosted handler `503`, and `publish`
 * rejects. Nothing is accepted because Redis could not be asked.
 *
 * Without persistence (RDB/AOF), a Redis restart forgets every key: the recorded `jti`s (an object
 * accepted before the restart can be accepted once more until it expires) and the hosted request
 * objects (their `request_uri`s answer 404). Enable persistence, or accept that window.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 *
 * const redis = createClient({
 *   url: process.env.REDIS_URL,
 *   disableOfflineQueue: true, // fail at once while disconnected
 *   socket: { connectTimeout: 1000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
 * });
 * redis.on('error', (err) => log.warn({ err }, 'redis')); // without it, a lost connection ends the process
 * await redis.connect();
 * ```
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
 * so nothing outlives its ttl and nothing needs sweeping. A Redis restart without persistence
 * loses the objects: their `request_uri`s answer 404.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { HostedRequestUriPublisher } from 'oauth-jar';
 * import { RedisRequestObjectStore } from 'oauth-jar/redis';
 *
 * const redis = createClient({
 *   url: process.env.REDIS_URL,
 *   disableOfflineQueue: true,
 *   socket: { connectTimeout: 1000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
 * }).on('error', (err) => log.warn({ err }, 'redis'));
 * await redis.connect();
 *
 * const hosted = new HostedRequestUriPublisher({
 *   baseUrl: 'https://rp.example.com/jar/',
 *   store: new RedisRequestObjectStore(redis),
 *   storeTimeout: 1000, // the default: publish rejects and the handler answers 503 past it
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
 * A Redis restart without persistence loses the recorded `jti`s: an object accepted before it can
 * be accepted once more until its `exp` (at most the verifier's `maxExpiresIn` ahead).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RequestObjectVerifier } from 'oauth-jar/server';
 * import { RedisReplayStore } from 'oauth-jar/redis';
 *
 * const redis = createClient({
 *   url: process.env.REDIS_URL,
 *   disableOfflineQueue: true,
 *   socket: { connectTimeout: 1000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
 * }).on('error', (err) => log.warn({ err }, 'redis'));
 * await redis.connect();
 *
 * const verifier = new RequestObjectVerifier({
 *   issuer,
 *   getClient,
 *   replayStore: new RedisReplayStore(redis),
 *   storeTimeout: 1000, // the default: past it, or on a Redis error, verify answers temporarily_unavailable (503)
 * });
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

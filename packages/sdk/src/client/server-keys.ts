import { encryptionKeys, kidOf } from '../crypto/algorithms.js';
import type { JWK } from '../crypto/types.js';
import type { RequestObjectEncryption } from '../crypto/encrypt.js';
import { OAuthJarError } from '../errors.js';
import { jsonObject, request } from '../http/client.js';
import { Cache } from '../lib/cache.js';
import { isPlainObject } from '../lib/validate.js';
import { connectionOf, type ConnectionSettings } from './connection.js';
import type { AuthorizationServerMetadata } from './discovery.js';
import type { Encryption } from './request.js';

/**
 * Authorization servers' JWK sets, fetched from their `jwks_uri` and kept for a while. The same JWK
 * objects are handed out until the entry expires, so the key-import cache (crypto/keys.ts) imports
 * each server key once.
 */
class ServerKeySets {
  // a handful of servers per process; never unbounded
  readonly #cache: Cache<string, JWK[]>;

  constructor(options: { maxAge?: number; max?: number; now?: () => number } = {}) {
    this.#cache = new Cache({ max: options.max ?? 100, ttl: options.maxAge ?? 600_000, ...(options.now ? { now: options.now } : {}) });
  }

  /** The JWK set at `jwksUri`, from the cache or fetched with `connection`'s `fetch` and `timeout`. */
  keys(jwksUri: string, connection: ConnectionSettings = {}): Promise<JWK[]> {
    return this.#cache.load(jwksUri, async () => {
      const what = `the server's jwks_uri ${jwksUri}`;
      const res = await request({ method: 'GET', url: new URL(jwksUri), headers: { accept: 'application/json' }, options: connection, errorCode: 'ERR_DISCOVERY', what });
      if (res.status !== 200) throw new OAuthJarError('ERR_DISCOVERY', `${what} answered HTTP ${res.status}`);
      const body = jsonObject(res, what);
      if (!Array.isArray(body.keys)) throw new OAuthJarError('ERR_DISCOVERY', `${what} is not a JWK set: no "keys" array`);
      return body.keys.filter(isPlainObject) as JWK[];
    });
  }
}

/** The JWK sets of every server the builders of this process encrypt to. */
const serverKeySets = /* @__PURE__ */ new ServerKeySets();

/**
 * Picks the server's encryption key for `alg`: a public key with `use: "enc"` (or no `use`) whose
 * type fits `alg` and whose own `alg`, when stated, is `alg`; `kid` narrows it further. Keys that
 * name `alg` win over keys that do not.
 */
function pickEncryptionKey(keys: readonly JWK[], alg: string, kid: string | undefined, source: string): JWK {
  const candidates = encryptionKeys(keys, alg, kid, 'public');
  const best =
    candidates.find((k) => k.alg === alg && k.use === 'enc') ??
    candidates.find((k) => k.alg === alg) ??
    candidates.find((k) => k.use === 'enc') ??
    candidates[0];
  if (!best) {
    const seen = keys.map((k) => `{kid: ${k.kid ?? '-'}, kty: ${k.kty}, use: ${k.use ?? '-'}, alg: ${k.alg ?? '-'}}`).join(', ');
    throw new OAuthJarError(
      'ERR_KEY_MISMATCH',
      `${source} has no encryption key for ${alg}${kid !== undefined ? ` with kid "${kid}"` : ''}; it holds ${seen || 'no keys'}`,
    );
  }
  return best;
}

/**
 * The encryption settings with the key taken from the server's `jwks_uri`, fetched with the
 * connection settings the server was discovered with (client/connection.ts).
 */
export async function serverEncryption(server: AuthorizationServerMetadata, e: Encryption): Promise<RequestObjectEncryption> {
  const jwksUri = server.jwks_uri!;
  const key = pickEncryptionKey(await serverKeySets.keys(jwksUri, connectionOf(server)), e.alg, e.kid, `the server's jwks_uri ${jwksUri}`);
  return { ...e, key, kid: e.kid ?? kidOf(key) };
}

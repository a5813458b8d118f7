import {
  CONTENT_ENCRYPTION_ALGS,
  encryptionKeys,
  isContentEncryptionAlg,
  isKeyManagementAlg,
  kidOf,
} from '../crypto/algorithms.js';
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
  // When each set was fetched: a refresh (an unknown kid) refetches at most every 30 s.
  readonly #fetchedAt = new Map<string, number>();

  constructor(options: { maxAge?: number; max?: number; now?: () => number } = {}) {
    this.#cache = new Cache({ max: options.max ?? 100, ttl: options.maxAge ?? 600_000, ...(options.now ? { now: options.now } : {}) });
  }

  /**
   * The JWK set at `jwksUri`, from the cache or fetched with `connection`'s `fetch` and `timeout`.
   * With `refresh` (a `kid` the cached set lacks: key rollover), a set older than 30 s is fetched anew.
   */
  keys(jwksUri: string, connection: ConnectionSettings = {}, refresh = false): Promise<JWK[]> {
    if (refresh && Date.now() - (this.#fetchedAt.get(jwksUri) ?? 0) >= 30_000) this.#cache.delete(jwksUri);
    return this.#cache.load(jwksUri, async () => {
      if (this.#fetchedAt.size > 100) this.#fetchedAt.clear();
      this.#fetchedAt.set(jwksUri, Date.now());
      const what = `the server's jwks_uri ${jwksUri}`;
      const res = await request({ method: 'GET', url: new URL(jwksUri), headers: { accept: 'application/json' }, options: connection, errorCode: 'ERR_DISCOVERY', what });
      if (res.status !== 200) throw new OAuthJarError('ERR_DISCOVERY', `${what} answered HTTP ${res.status}`);
      const body = jsonObject(res, what);
      if (!Array.isArray(body.keys)) throw new OAuthJarError('ERR_DISCOVERY', `${what} is not a JWK set: no "keys" array`);
      return body.keys.filter(isPlainObject) as JWK[];
    });
  }
}

/** The JWK sets of every server the builders of this process encrypt to or take responses from. */
const serverKeySets = /* @__PURE__ */ new ServerKeySets();

/** The server's JWK set, cached; `refresh` for an unknown `kid` (at most every 30 s). */
export function serverKeys(server: AuthorizationServerMetadata, jwksUri: string, connection: ConnectionSettings = {}, refresh = false): Promise<JWK[]> {
  return serverKeySets.keys(jwksUri, { ...connectionOf(server), ...connection }, refresh);
}

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
  const keys = await serverKeySets.keys(jwksUri, connectionOf(server));
  const source = `the server's jwks_uri ${jwksUri}`;
  let alg = e.alg;
  let key: JWK | undefined;
  if (alg !== undefined) {
    key = pickEncryptionKey(keys, alg, e.kid, source);
  } else {
    // Negotiated: the server's list in its order (else the algs its keys name); the first it holds a key for.
    const listed = server.request_object_encryption_alg_values_supported;
    for (const candidate of (Array.isArray(listed) ? listed : keys.map((k) => k.alg)).filter(isKeyManagementAlg)) {
      key = encryptionKeys(keys, candidate, e.kid, 'public')[0];
      if (key) {
        key = pickEncryptionKey(keys, (alg = candidate), e.kid, source);
        break;
      }
    }
    if (alg === undefined || key === undefined) {
      const held = keys.filter((k) => k.use === undefined || k.use === 'enc').map((k) => `${k.kid ?? '-'}: ${k.kty}${k.alg ? `/${k.alg}` : ''}`);
      throw new OAuthJarError(
        'ERR_ALG_NEGOTIATION',
        `no request object encryption algorithm fits both lists: the server lists [${Array.isArray(listed) ? listed.join(', ') : 'nothing'}] ` +
          `(request_object_encryption_alg_values_supported) and holds the encryption keys [${held.join(', ')}] in ${jwksUri}`,
      );
    }
  }
  let enc = e.enc;
  if (enc === undefined) {
    const encs = server.request_object_encryption_enc_values_supported;
    enc = Array.isArray(encs) ? encs.find(isContentEncryptionAlg) : 'A256GCM';
    if (enc === undefined) {
      throw new OAuthJarError(
        'ERR_ALG_NEGOTIATION',
        `no content encryption algorithm fits both lists: the server lists [${(encs as string[]).join(', ')}] (request_object_encryption_enc_values_supported); oauth-jar supports [${CONTENT_ENCRYPTION_ALGS.join(', ')}]`,
      );
    }
  }
  return { ...e, alg, enc, key, kid: e.kid ?? kidOf(key) };
}

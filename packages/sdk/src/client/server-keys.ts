import {
  CONTENT_ENCRYPTION_ALGS,
  isContentEncryptionAlg,
  isKeyManagementAlg,
  type ContentEncryptionAlg,
  type KeyManagementAlg,
} from '../crypto/algorithms.js';
import type { JWK } from '../crypto/types.js';
import type { AuthorizationServerMetadata } from './discovery.js';
import { OAuthJarError } from '../errors.js';
import { jsonObject, request } from '../http/client.js';
import { isPlainObject } from '../lib/validate.js';

const CACHE_MAX_AGE = 600_000;
// jwks_uri → its keys. The same JWK objects are handed out until the entry expires, so the crypto
// layer's per-object import cache imports each server key once (STYLE.md §6).
const cache = new Map<string, { keys: JWK[]; expiresAt: number; fetchedAt: number }>();
/** A refresh asked for (an unknown `kid`: key rollover) refetches at most this often. */
const REFRESH_COOLDOWN = 30_000;

/**
 * Fetches (or takes from the cache) the authorization server's JWK set at `jwksUri`. With
 * `refresh`, a cached set older than 30 s is fetched anew: the server may have rolled its keys.
 */
export async function serverKeys(
  jwksUri: string,
  options: { timeout?: number; fetch?: typeof fetch; refresh?: boolean } = {},
): Promise<JWK[]> {
  const hit = cache.get(jwksUri);
  const now = Date.now();
  if (hit && hit.expiresAt > now && !(options.refresh && now - hit.fetchedAt >= REFRESH_COOLDOWN)) return hit.keys;
  const what = `the server's jwks_uri ${jwksUri}`;
  const http = { ...(options.timeout !== undefined ? { timeout: options.timeout } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) };
  const res = await request({ method: 'GET', url: new URL(jwksUri), headers: { accept: 'application/json' }, options: http, errorCode: 'ERR_DISCOVERY', what });
  if (res.status !== 200) throw new OAuthJarError('ERR_DISCOVERY', `${what} answered HTTP ${res.status}`);
  const body = jsonObject(res, what);
  if (!Array.isArray(body.keys)) throw new OAuthJarError('ERR_DISCOVERY', `${what} is not a JWK set: no "keys" array`);
  const keys = body.keys.filter(isPlainObject) as JWK[];
  if (cache.size > 100) cache.clear(); // a handful of servers per process; never unbounded
  cache.set(jwksUri, { keys, expiresAt: Date.now() + CACHE_MAX_AGE, fetchedAt: Date.now() });
  return keys;
}

/** The JWK `kty` (and curves) a key management algorithm needs from a public key. */
function fits(key: JWK, alg: string): boolean {
  if (alg.startsWith('RSA-OAEP')) return key.kty === 'RSA';
  if (alg.startsWith('ECDH-ES')) return (key.kty === 'EC' && /^P-(256|384|521)$/.test(String(key.crv))) || (key.kty === 'OKP' && key.crv === 'X25519');
  return false; // A*KW, A*GCMKW, dir: symmetric, never in a public JWK set
}

const ENCRYPTING_OPS = ['encrypt', 'wrapKey', 'deriveKey'];

/**
 * Picks the server's encryption key for `alg`: a public key with `use: "enc"` (or
 * no `use`) whose type fits `alg` and whose own `alg`, when stated, is `alg`; `kid` narrows it
 * further. Keys that name `alg` win over keys that do not.
 */
export function pickEncryptionKey(keys: readonly JWK[], alg: string, kid: string | undefined, source: string): JWK {
  const candidates = keys.filter(
    (k) =>
      (k.use === undefined || k.use === 'enc') &&
      (k.key_ops === undefined || (Array.isArray(k.key_ops) && k.key_ops.some((op) => ENCRYPTING_OPS.includes(op)))) &&
      (k.alg === undefined || k.alg === alg) &&
      (kid === undefined || k.kid === kid) &&
      k.d === undefined &&
      fits(k, alg),
  );
  const best = candidates.find((k) => k.alg === alg && k.use === 'enc') ?? candidates.find((k) => k.alg === alg) ?? candidates.find((k) => k.use === 'enc') ?? candidates[0];
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
 * The encryption of a key-less `encryptWith`: `alg` as given, or the first of the server's
 * `request_object_encryption_alg_values_supported` (else the algs its keys name) for which it holds
 * a fitting `use: "enc"` key; `enc` as given, or the first listed one that oauth-jar supports
 * (`A256GCM` when none is listed). No overlap is `ERR_ALG_NEGOTIATION`, naming both sides.
 */
export function negotiateEncryption(
  keys: readonly JWK[],
  as: AuthorizationServerMetadata,
  e: { alg: KeyManagementAlg | undefined; enc: ContentEncryptionAlg | undefined; kid: string | undefined },
  jwksUri: string,
): { alg: KeyManagementAlg; enc: ContentEncryptionAlg; key: JWK } {
    const source = `the server's jwks_uri ${jwksUri}`;
    let alg = e.alg;
    let key: JWK | undefined;
    if (alg !== undefined) {
      key = pickEncryptionKey(keys, alg, e.kid, source);
    } else {
      // The server's list in its order (else the algs its enc keys name); the first with a key wins.
      const listed = as.request_object_encryption_alg_values_supported;
      const candidates = (Array.isArray(listed) ? listed : keys.map((k) => k.alg)).filter(isKeyManagementAlg);
      for (const candidate of candidates) {
        try {
          key = pickEncryptionKey(keys, candidate, e.kid, source);
          alg = candidate;
          break;
        } catch {
          // no key for this one: try the next
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
      const encs = as.request_object_encryption_enc_values_supported;
      enc = Array.isArray(encs) ? encs.find(isContentEncryptionAlg) : 'A256GCM';
      if (enc === undefined) {
        throw new OAuthJarError(
          'ERR_ALG_NEGOTIATION',
          `no content encryption algorithm fits both lists: the server lists [${(encs as string[]).join(', ')}] (request_object_encryption_enc_values_supported); oauth-jar supports [${CONTENT_ENCRYPTION_ALGS.join(', ')}]`,
        );
      }
    }
    return { alg, enc, key: key! };
}

// OpenID4VP 1.0 §5.10: a wallet POSTs to the request_uri (form-encoded `wallet_metadata` JSON and
// `wallet_nonce`, both optional) and gets a request object made for it. This file reads the form
// into what the builder's reissue() takes; hosted.ts serves it.
import type { JWK } from '../crypto/types.js';
import { isContentEncryptionAlg, isKeyManagementAlg, keyMismatch } from '../crypto/algorithms.js';
import { isPlainObject } from '../lib/validate.js';
import type { ReissueOptions } from './types.js';

/** The largest form accepted: wallet metadata is a few KB. */
export const MAX_FORM_BYTES = 64 * 1024;
const MAX_NONCE = 512;
// Wallet metadata fields that @openid4vc/openid4vp 0.4 sends flattened into the form instead of
// inside `wallet_metadata` (a pre-1.0 shape), read only when `wallet_metadata` is absent.
const FLATTENED = ['issuer', 'request_object_signing_alg_values_supported', 'jwks', 'request_object_encryption_alg_values_supported', 'request_object_encryption_enc_values_supported'];
const ENC_PREFERENCE = ['A128GCM', 'A256GCM', 'A192GCM', 'A128CBC-HS256', 'A256CBC-HS512'];

/** A refusal to answer with `400 invalid_request` and fixed text. */
export class WalletFormError extends Error {}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** Reads a wallet's POST form into {@link ReissueOptions}. Throws {@link WalletFormError}. */
export function readWalletForm(form: URLSearchParams): ReissueOptions {
  for (const name of ['wallet_metadata', 'wallet_nonce']) {
    if (form.getAll(name).length > 1) throw new WalletFormError(`${name} is repeated`);
  }
  let metadata: Record<string, unknown> = {};
  const raw = form.get('wallet_metadata');
  if (raw !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new WalletFormError('wallet_metadata is not JSON');
    }
    if (!isPlainObject(parsed)) throw new WalletFormError('wallet_metadata is not a JSON object');
    metadata = parsed;
  } else {
    for (const name of FLATTENED) {
      const v = form.get(name);
      if (v === null) continue;
      try {
        metadata[name] = name === 'issuer' ? v : JSON.parse(v);
      } catch {
        throw new WalletFormError('a wallet metadata field is not JSON');
      }
    }
  }
  const options: ReissueOptions = {};
  const nonce = form.get('wallet_nonce');
  if (nonce !== null) {
    if (nonce === '' || nonce.length > MAX_NONCE) throw new WalletFormError('wallet_nonce is empty or too long');
    options.walletNonce = nonce;
  }
  // OpenID4VP 1.0 §5.8: with dynamic discovery, aud is the wallet's issuer.
  if (typeof metadata.issuer === 'string' && metadata.issuer !== '') options.audience = metadata.issuer;
  const algs = strings(metadata.request_object_signing_alg_values_supported);
  if (algs) options.signingAlgs = algs;
  const jwks = metadata.jwks as { keys?: unknown } | undefined;
  if (isPlainObject(jwks) && Array.isArray(jwks.keys)) {
    const encryptTo = pickWalletKey(jwks.keys, strings(metadata.request_object_encryption_alg_values_supported), strings(metadata.request_object_encryption_enc_values_supported));
    if (!encryptTo) throw new WalletFormError('wallet_metadata.jwks has no usable encryption key');
    options.encryptTo = encryptTo;
  }
  return options;
}

// §5.10: a wallet that gives jwks asks for an encrypted request object. Its key (use enc or
// absent) fixes the alg family; the enc is the first it accepts that jose supports.
function pickWalletKey(keys: unknown[], algs: string[] | undefined, encs: string[] | undefined): { key: JWK; alg: string; enc: string } | undefined {
  const enc = encs === undefined ? 'A128GCM' : ENC_PREFERENCE.find((e) => encs.includes(e)) ?? encs.find(isContentEncryptionAlg);
  if (!enc) return undefined;
  for (const key of keys) {
    if (!isPlainObject(key) || (key.use !== undefined && key.use !== 'enc') || typeof key.d === 'string') continue;
    const candidates = typeof key.alg === 'string' ? [key.alg] : (algs ?? (key.kty === 'RSA' ? ['RSA-OAEP-256'] : ['ECDH-ES']));
    const alg = candidates.find((a) => isKeyManagementAlg(a) && (algs === undefined || algs.includes(a)) && keyMismatch(key as JWK, a, 'encrypt') === undefined);
    if (alg) return { key: key as JWK, alg, enc };
  }
  return undefined;
}

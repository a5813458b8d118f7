// crypto/verify.ts on its own: key resolution, signature verification (time claims are the
// verifier's `time` step, not jose's), unsigned decoding, and the per-verifier key caches.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ClientKeyCache, decodeUnsigned, JwsFailure, resolveKeys, verifyJws } from '../../src/crypto/verify.js';

const sign = (key: CryptoKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'ES256', ...header }).sign(key);

describe('resolveKeys and verifyJws', () => {
  it('without a kid, every registered key that fits is a candidate, and the one that signed verifies', async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const b = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [await exportJWK(a.publicKey), await exportJWK(b.publicKey)] };
    const jws = await sign(b.privateKey, { iss: 'c' });
    const keys = await resolveKeys(jws, new ClientKeyCache().localKeySet(jwks));
    expect(keys).toHaveLength(2);
    expect((await verifyJws(jws, keys, { algorithms: ['ES256'] })).claims).toEqual({ iss: 'c' });
  });

  it('an unknown kid is a key failure', async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(a.publicKey)), kid: 'k1' }] };
    const jws = await sign(a.privateKey, {}, { kid: 'other' });
    const err = await resolveKeys(jws, new ClientKeyCache().localKeySet(jwks)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JwsFailure);
    expect((err as JwsFailure).kind).toBe('key');
  });

  it('a wrong key is a signature failure; an alg outside `algorithms` a header failure', async () => {
    const a = await generateKeyPair('ES256');
    const b = await generateKeyPair('ES256');
    const jws = await sign(a.privateKey, {});
    expect(((await verifyJws(jws, [b.publicKey], { algorithms: ['ES256'] }).catch((e: unknown) => e)) as JwsFailure).kind).toBe('signature');
    expect(((await verifyJws(jws, [a.publicKey], { algorithms: ['PS256'] }).catch((e: unknown) => e)) as JwsFailure).kind).toBe('header');
  });

  it('does not judge exp, nbf or iat: the verifier does, once, with its own clock', async () => {
    const a = await generateKeyPair('ES256');
    const jws = await sign(a.privateKey, { exp: 1, nbf: 4_000_000_000, iat: 'soon' });
    expect((await verifyJws(jws, [a.publicKey], { algorithms: ['ES256'] })).claims).toMatchObject({ exp: 1 });
  });

  it('a payload that is not a JSON object is malformed', async () => {
    const a = await generateKeyPair('ES256');
    const { CompactSign } = await import('jose');
    const jws = await new CompactSign(new TextEncoder().encode('[1]')).setProtectedHeader({ alg: 'ES256' }).sign(a.privateKey);
    expect(((await verifyJws(jws, [a.publicKey], { algorithms: ['ES256'] }).catch((e: unknown) => e)) as JwsFailure).kind).toBe('malformed');
  });
});

describe('decodeUnsigned', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  it('decodes an alg none JWT without judging its time claims', () => {
    expect(decodeUnsigned(`${b64({ alg: 'none' })}.${b64({ exp: 1 })}.`).claims).toEqual({ exp: 1 });
  });
  it('refuses another alg or a signature', () => {
    expect(() => decodeUnsigned(`${b64({ alg: 'ES256' })}.${b64({})}.`)).toThrow(JwsFailure);
    expect(() => decodeUnsigned(`${b64({ alg: 'none' })}.${b64({})}.c2ln`)).toThrow(JwsFailure);
  });
});

describe('ClientKeyCache', () => {
  it('imports a client_secret once per alg, and each cache owns its keys', async () => {
    const cache = new ClientKeyCache();
    const secret = 'a-client-secret-of-at-least-32-bytes!!';
    const k1 = await cache.secretKey(secret, 'HS256');
    expect(await cache.secretKey(secret, 'HS256')).toBe(k1);
    expect(await cache.secretKey(secret, 'HS384')).not.toBe(k1);
    expect(await new ClientKeyCache().secretKey(secret, 'HS256')).not.toBe(k1);
  });

  it('builds one resolver per registered jwks object', async () => {
    const cache = new ClientKeyCache();
    const jwks = { keys: [await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)] };
    expect(cache.localKeySet(jwks)).toBe(cache.localKeySet(jwks));
  });
});

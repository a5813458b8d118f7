import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encryptionKeys,
  FAPI2_SIGNING_ALGS,
  isContentEncryptionAlg,
  isKeyManagementAlg,
  isSigningAlg,
  keyMismatch,
  kidOf,
  sameAlg,
} from '../../src/crypto/algorithms.js';

describe('algorithm lists', () => {
  it('none, RSA1_5 and PBES2 are never accepted (RFC 9101 §5, RFC 8725 §3.2)', () => {
    expect(isSigningAlg('none')).toBe(false);
    expect(isKeyManagementAlg('RSA1_5')).toBe(false);
    expect(isKeyManagementAlg('PBES2-HS256+A128KW')).toBe(false);
    expect(isSigningAlg('PS256')).toBe(true);
    expect(isKeyManagementAlg('ECDH-ES+A256KW')).toBe(true);
    expect(isContentEncryptionAlg('A256GCM')).toBe(true);
    expect(isContentEncryptionAlg('A256KW')).toBe(false);
  });

  it('FAPI 2.0 signs with PS256, ES256 or EdDSA/Ed25519 only', () => {
    expect([...FAPI2_SIGNING_ALGS].sort()).toEqual(['ES256', 'Ed25519', 'EdDSA', 'PS256']);
  });

  it('sameAlg treats EdDSA and Ed25519 as one algorithm, nothing else', () => {
    expect(sameAlg('EdDSA', 'Ed25519')).toBe(true);
    expect(sameAlg('Ed25519', 'EdDSA')).toBe(true);
    expect(sameAlg('ES256', 'ES256')).toBe(true);
    expect(sameAlg('ES256', 'ES384')).toBe(false);
    expect(sameAlg('EdDSA', 'ES256')).toBe(false);
  });
});

describe('keyMismatch: the key fits the algorithm and the use', () => {
  let es: CryptoKeyPair;
  let esJwk: JWK;
  beforeAll(async () => {
    es = await generateKeyPair('ES256', { extractable: true });
    esJwk = await exportJWK(es.privateKey);
  });

  it('CryptoKeys: algorithm name, curve, and the private half for signing', async () => {
    expect(keyMismatch(es.privateKey, 'ES256', 'sign')).toBeUndefined();
    expect(keyMismatch(es.privateKey, 'ES384', 'sign')).toMatch(/curve P-384/);
    expect(keyMismatch(es.privateKey, 'PS256', 'sign')).toMatch(/RSA-PSS/);
    expect(keyMismatch(es.publicKey, 'ES256', 'sign')).toMatch(/private key/);
  });

  it('JWKs: kty, crv, and "d" for signing', () => {
    expect(keyMismatch(esJwk, 'ES256', 'sign')).toBeUndefined();
    const { d: _d, ...pub } = esJwk;
    expect(keyMismatch(pub, 'ES256', 'sign')).toMatch(/no "d"/);
    expect(keyMismatch(esJwk, 'RS256', 'sign')).toMatch(/kty "RSA"/);
    expect(keyMismatch({ kty: 'OKP', crv: 'X25519', x: 'AA' }, 'ECDH-ES', 'encrypt')).toBeUndefined();
  });

  it('Node KeyObjects (duck-typed) and secrets', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(keyMismatch(privateKey, 'ES384', 'sign')).toBeUndefined();
    expect(keyMismatch(privateKey, 'ES256', 'sign')).toMatch(/P-256/);
    expect(keyMismatch(new Uint8Array(32), 'HS256', 'sign')).toBeUndefined();
    expect(keyMismatch(new Uint8Array(0), 'HS256', 'sign')).toMatch(/empty/);
    expect(keyMismatch(new Uint8Array(32), 'ES256', 'sign')).toMatch(/asymmetric/);
    expect(keyMismatch('secret' as never, 'HS256', 'sign')).toMatch(/must be/);
  });
});

describe('kidOf', () => {
  it('is the JWK kid, and nothing for other key forms', async () => {
    expect(kidOf({ kty: 'oct', k: 'AA', kid: 'k1' })).toBe('k1');
    expect(kidOf({ kty: 'oct', k: 'AA' })).toBeUndefined();
    expect(kidOf(new Uint8Array(8))).toBeUndefined();
    expect(kidOf((await generateKeyPair('ES256')).privateKey)).toBeUndefined();
  });
});

describe('encryptionKeys: which keys of a JWK set take part in a JWE', () => {
  const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB' };
  const keys: JWK[] = [
    { ...rsa, kid: 'sig', use: 'sig' },
    { ...rsa, kid: 'oaep', alg: 'RSA-OAEP' },
    { ...rsa, kid: 'enc', use: 'enc', alg: 'RSA-OAEP-256' },
    { ...rsa, kid: 'plain' },
    { ...rsa, kid: 'ops-verify', key_ops: ['verify'] },
    { ...rsa, kid: 'ops-wrap', key_ops: ['wrapKey'] },
    { ...rsa, kid: 'private', d: 'AA' },
    { kty: 'oct', k: 'AAAA', kid: 'secret' },
    { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'ec' },
  ];
  const kids = (list: JWK[]) => list.map((k) => k.kid);

  it('public side (a client encrypting): use enc or none, alg equal or none, public asymmetric keys whose key_ops allow it', () => {
    expect(kids(encryptionKeys(keys, 'RSA-OAEP-256', undefined, 'public'))).toEqual(['enc', 'plain', 'ops-wrap']);
    expect(kids(encryptionKeys(keys, 'ECDH-ES', undefined, 'public'))).toEqual(['ec']);
    expect(kids(encryptionKeys(keys, 'A256KW', undefined, 'public'))).toEqual([]);
  });

  it('private side (a server decrypting): the same filter without the public-key rules', () => {
    expect(kids(encryptionKeys(keys, 'RSA-OAEP-256', undefined, 'private'))).toEqual(['enc', 'plain', 'ops-verify', 'ops-wrap', 'private']);
    expect(kids(encryptionKeys(keys, 'A256KW', undefined, 'private'))).toEqual(['secret']);
  });

  it('a kid narrows the set; a non-string kid is ignored', () => {
    expect(kids(encryptionKeys(keys, 'RSA-OAEP-256', 'enc', 'public'))).toEqual(['enc']);
    expect(kids(encryptionKeys(keys, 'RSA-OAEP-256', 42, 'private'))).toHaveLength(5);
  });
});

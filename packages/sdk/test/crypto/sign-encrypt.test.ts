import { compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptCompact, decryptionCandidates } from '../../src/crypto/decrypt.js';
import { encryptRequestObject } from '../../src/crypto/encrypt.js';
import { KeyImports, usableKey } from '../../src/crypto/keys.js';
import { signRequestObject } from '../../src/crypto/sign.js';
import { failure } from '../helpers/failure.js';

const claims = { iss: 'c', aud: 'https://as.example', client_id: 'c', max_age: 0, claims: { id_token: { acr: null } } };

describe('signRequestObject (verified with jose.jwtVerify)', () => {
  let es: CryptoKeyPair;
  beforeAll(async () => {
    es = await generateKeyPair('ES256', { extractable: true });
  });

  it('signs the claims exactly as given, with alg, kid and typ in the header', async () => {
    const jws = await signRequestObject(claims, { key: es.privateKey, alg: 'ES256', kid: 'k1', typ: 'oauth-authz-req+jwt' });
    const { payload, protectedHeader } = await jwtVerify(jws, es.publicKey, { algorithms: ['ES256'], typ: 'oauth-authz-req+jwt' });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'k1', typ: 'oauth-authz-req+jwt' });
    expect(payload).toEqual(claims); // max_age stays the number 0; claims stays an object
  });

  it('typ false leaves typ out; no kid, no kid header', async () => {
    const jws = await signRequestObject(claims, { key: es.privateKey, alg: 'ES256', kid: undefined, typ: false });
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256' });
  });

  it('a JWK is accepted and imported once per algorithm', async () => {
    const jwk = { ...(await exportJWK(es.privateKey)), kid: 'jwk-1' };
    const jws = await signRequestObject(claims, { key: jwk, alg: 'ES256', kid: 'jwk-1', typ: false });
    await expect(jwtVerify(jws, es.publicKey)).resolves.toBeDefined();
    expect(usableKey(jwk, 'ES256')).toBe(usableKey(jwk, 'ES256'));
  });

  it("jose's failure becomes ERR_SIGN_FAILED with the cause", async () => {
    const err = await failure(signRequestObject(claims, { key: es.publicKey, alg: 'ES256', kid: undefined, typ: false }));
    expect(err.code).toBe('ERR_SIGN_FAILED');
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('KeyImports', () => {
  it('a failed import is not kept: the next call fails afresh, and a fixed key imports', async () => {
    const imports = new KeyImports();
    const bad = { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' };
    const first = imports.usable(bad, 'ES256');
    await expect(first).rejects.toBeDefined();
    const second = imports.usable(bad, 'ES256');
    expect(second).not.toBe(first);
    await expect(second).rejects.toBeDefined();
  });

  it('non-JWK keys are returned as given', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(new KeyImports().usable(privateKey, 'ES256')).toBe(privateKey);
  });
});

describe('encryptRequestObject → decryptCompact round trip', () => {
  it('a nested JWT: cty JWT, no zip, decrypted by jose and by decryptCompact with the server keys', async () => {
    const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const es = await generateKeyPair('ES256');
    const jws = await signRequestObject(claims, { key: es.privateKey, alg: 'ES256', kid: undefined, typ: false });
    const jwe = await encryptRequestObject(jws, { key: enc.publicKey, alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'e1' });
    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'e1' });
    expect(new TextDecoder().decode((await compactDecrypt(jwe, enc.privateKey)).plaintext)).toBe(jws);

    const serverKeys = { keys: [{ ...(await exportJWK(enc.privateKey)), kid: 'e1', use: 'enc' }] };
    expect(decryptionCandidates(serverKeys, 'RSA-OAEP-256', 'e1')).toHaveLength(1);
    const plaintext = await decryptCompact(jwe, serverKeys, { alg: 'RSA-OAEP-256', kid: 'e1' }, {
      keyManagementAlgorithms: ['RSA-OAEP-256'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    expect(plaintext).toBe(jws);
  });

  it("jose's failure becomes ERR_ENCRYPT_FAILED naming the key", async () => {
    const es = await generateKeyPair('ES256');
    const err = await failure(encryptRequestObject('a.b.c', { key: es.publicKey, alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'e9' }));
    expect(err.code).toBe('ERR_ENCRYPT_FAILED');
    expect(err.message).toContain('"e9"');
  });
});

import { CompactEncrypt, CompactSign, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResponseError, verifyAuthorizationResponse, type VerifyAuthorizationResponseOptions } from '../../src/index.js';
import { encryptAuthorizationResponse } from '../../src/wallet.js';
import { failure } from '../helpers/failure.js';

let publicJwk: JWK;
let privateJwk: JWK;
const vpToken = { pid: ['eyJhbGciOiJFUzI1NiJ9.e30.sig~disclosure~kb'] };

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  publicJwk = { ...(await exportJWK(publicKey)), kid: 'resp-1', use: 'enc', alg: 'ECDH-ES' };
  privateJwk = { ...(await exportJWK(privateKey)), kid: 'resp-1', use: 'enc', alg: 'ECDH-ES' };
});

describe('direct_post.jwt responses (OpenID4VP 1.0 §8.3)', () => {
  it('the wallet encrypts to the client_metadata key with ECDH-ES/A128GCM by default; the verifier decrypts and checks state', async () => {
    const clientMetadata = { jwks: { keys: [{ kty: 'RSA', use: 'sig', n: 'x', e: 'AQAB' } as JWK, publicJwk] } };
    const response = await encryptAuthorizationResponse({ vp_token: vpToken, state: 'st-1' }, { clientMetadata });
    expect(decodeProtectedHeader(response)).toMatchObject({ alg: 'ECDH-ES', enc: 'A128GCM', kid: 'resp-1' });
    const form = new URLSearchParams({ response });
    await expect(verifyAuthorizationResponse(form, { decryptionKeys: [privateJwk], clientMetadata, state: 'st-1' })).resolves.toMatchObject({ vp_token: vpToken, state: 'st-1' });
  });

  it('uses an enc the verifier offered, and the verifier refuses an enc it did not offer', async () => {
    const clientMetadata = { jwks: { keys: [publicJwk] }, encrypted_response_enc_values_supported: ['A256GCM'] };
    const response = await encryptAuthorizationResponse({ vp_token: vpToken }, { clientMetadata });
    expect(decodeProtectedHeader(response).enc).toBe('A256GCM');
    await expect(verifyAuthorizationResponse(response, { decryptionKeys: [privateJwk], clientMetadata })).resolves.toMatchObject({ vp_token: vpToken });
    // default A128GCM only: an A256GCM response is refused
    const err = await failure(verifyAuthorizationResponse(response, { decryptionKeys: [privateJwk], clientMetadata: { jwks: { keys: [publicJwk] } } }));
    expect(err.code).toBe('ERR_AUTHORIZATION_RESPONSE');
  });

  it('refuses a state that differs or is missing, and a signed (not encrypted) response', async () => {
    const clientMetadata = { jwks: { keys: [publicJwk] } };
    const response = await encryptAuthorizationResponse({ vp_token: vpToken, state: 'other' }, { clientMetadata });
    expect((await failure(verifyAuthorizationResponse(response, { decryptionKeys: [privateJwk], clientMetadata, state: 'st-1' }))).code).toBe('ERR_AUTHORIZATION_RESPONSE');
    const stateless = await encryptAuthorizationResponse({ vp_token: vpToken }, { clientMetadata });
    expect((await failure(verifyAuthorizationResponse(stateless, { decryptionKeys: [privateJwk], clientMetadata, state: 'st-1' }))).code).toBe('ERR_AUTHORIZATION_RESPONSE');
    const { privateKey } = await generateKeyPair('ES256');
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify({ vp_token: vpToken }))).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expect((await failure(verifyAuthorizationResponse(jws, { decryptionKeys: [privateJwk], clientMetadata }))).code).toBe('ERR_AUTHORIZATION_RESPONSE');
  });

  it('refuses a response encrypted to another key, and reports a plain error response', async () => {
    const other = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const otherPublic = { ...(await exportJWK(other.publicKey)), kid: 'resp-1' };
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ vp_token: vpToken })))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM', kid: 'resp-1' })
      .encrypt(other.publicKey);
    expect(otherPublic.kid).toBe('resp-1');
    expect((await failure(verifyAuthorizationResponse(jwe, { decryptionKeys: [privateJwk], clientMetadata: {} }))).code).toBe('ERR_AUTHORIZATION_RESPONSE');
    const err = await failure(verifyAuthorizationResponse(new URLSearchParams({ error: 'access_denied', state: 'st' }), { decryptionKeys: [privateJwk], clientMetadata: {} }));
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).error).toBe('access_denied');
  });

  it('the wallet refuses client_metadata without a usable encryption key', async () => {
    const err = await failure(encryptAuthorizationResponse({ vp_token: vpToken }, { clientMetadata: { jwks: { keys: [{ ...publicJwk, use: 'sig' }] } } }));
    expect(err.code).toBe('ERR_ENCRYPT_FAILED');
  });
});

describe('one verifyAuthorizationResponse, two forms: the options decide', () => {
  const clientMetadata = () => ({ jwks: { keys: [publicJwk] } });

  it('with clientMetadata and no server: the direct_post.jwt form, whose encrypted-only response needs no iss, aud or exp', async () => {
    const response = await encryptAuthorizationResponse({ vp_token: vpToken, state: 'st-1' }, { clientMetadata: clientMetadata() });
    const verified = await verifyAuthorizationResponse(new URLSearchParams({ response }), { decryptionKeys: { keys: [privateJwk] }, clientMetadata: clientMetadata(), state: 'st-1' });
    expect(verified).toEqual({ vp_token: vpToken, state: 'st-1', parameters: { vp_token: vpToken, state: 'st-1' } });
  });

  it('server and clientMetadata together are refused before anything is read: one form or the other', async () => {
    const response = await encryptAuthorizationResponse({ vp_token: vpToken }, { clientMetadata: clientMetadata() });
    const both = { server: { issuer: 'https://as.example' }, clientId: 'rp-1', decryptionKeys: [privateJwk], clientMetadata: clientMetadata() } as unknown as VerifyAuthorizationResponseOptions;
    const err = await failure(verifyAuthorizationResponse(new URLSearchParams({ response }), both));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.message).toMatch(/exclude each other/);
  });

  it('neither server nor clientMetadata: a caller mistake naming both forms', async () => {
    const err = await failure(verifyAuthorizationResponse('response=x', { decryptionKeys: [privateJwk] } as unknown as VerifyAuthorizationResponseOptions));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
    expect(err.message).toMatch(/options\.server .*options\.clientMetadata/);
  });

  it('the direct_post.jwt form refuses a callback URL: the response arrives as a POSTed form', async () => {
    const err = await failure(verifyAuthorizationResponse(new URL('https://verifier.example/response?response=x') as unknown as string, { decryptionKeys: [privateJwk], clientMetadata: clientMetadata() }));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

// verifyAuthorizationResponse (JARM, RFC 9207) against a loopback jwks_uri, with responses made by
// oauth-jar/server's issueAuthorizationResponse.
import { createServer, type Server } from 'node:http';
import { CompactEncrypt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthorizationResponseError, verifyAuthorizationResponse, type AuthorizationServerMetadata } from '../../src/index.js';
import { issueAuthorizationResponse } from '../../src/server.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';

let server: Server;
let origin: string;
let published: JWK[] = [];
let jwksHits = 0;
let as: AuthorizationServerMetadata;
let asKey: { privateKey: CryptoKey; jwk: JWK };
let rpEnc: { privateJwk: JWK; publicJwk: JWK };
const CB = 'https://rp.example.com/cb';

beforeAll(async () => {
  server = createServer((req, res) => {
    jwksHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  origin = await listen(server);
  const k = await generateKeyPair('ES256');
  asKey = { privateKey: k.privateKey, jwk: { ...(await exportJWK(k.publicKey)), kid: 'as-1', alg: 'ES256', use: 'sig' } };
  const e = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
  rpEnc = { privateJwk: { ...(await exportJWK(e.privateKey)), kid: 'rp-enc', use: 'enc' }, publicJwk: { ...(await exportJWK(e.publicKey)), kid: 'rp-enc', use: 'enc' } };
  published = [asKey.jwk];
});
afterAll(() => close(server));
afterEach(() => vi.useRealTimers());

// A distinct jwks_uri per test (the key cache is per URI) on the same loopback server.
let n = 0;
const server_ = (extra: Partial<AuthorizationServerMetadata> = {}): AuthorizationServerMetadata =>
  (as = { issuer: 'https://as.example.com', jwks_uri: `${origin}/jwks/${++n}`, ...extra });
const respond = (parameters: Record<string, string>, extra: Partial<Parameters<typeof issueAuthorizationResponse>[1]> = {}) =>
  issueAuthorizationResponse(parameters, { issuer: 'https://as.example.com', clientId: 'rp-1', key: asKey.privateKey, alg: 'ES256', kid: 'as-1', ...extra });

describe('verifyAuthorizationResponse: JWT-secured responses', () => {
  it('reads the response from the query, the fragment, a bare query string and a form_post body', async () => {
    const jwt = await respond({ code: 'c1', state: 's1' });
    const opts = () => ({ server: server_(), clientId: 'rp-1', state: 's1' });
    for (const input of [new URL(`${CB}?response=${jwt}`), `${CB}#response=${jwt}`, `?response=${jwt}`, new URLSearchParams({ response: jwt }), `response=${jwt}`]) {
      const { parameters, jwt: got } = await verifyAuthorizationResponse(input, opts());
      expect(parameters).toEqual({ code: 'c1', state: 's1', iss: 'https://as.example.com' });
      expect(got).toBe(jwt);
    }
  });

  it('decrypts a response encrypted to the client (signed, then encrypted)', async () => {
    const jwt = await respond({ code: 'c1', state: 's1' }, { encryption: { key: rpEnc.publicJwk, alg: 'ECDH-ES+A256KW', enc: 'A256GCM' } });
    expect(jwt.split('.')).toHaveLength(5);
    const { parameters } = await verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: server_(), clientId: 'rp-1', state: 's1', decryptionKeys: { keys: [rpEnc.privateJwk] } });
    expect(parameters.code).toBe('c1');
    // Without the client's keys it cannot be read.
    expect((await failure(verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: server_(), clientId: 'rp-1', state: 's1' }))).code).toBe('ERR_RESPONSE_DECRYPT');
  });

  it('refuses an encrypted response whose content is not signed (JARM §2.3)', async () => {
    const unsigned = Buffer.from(JSON.stringify({ iss: 'https://as.example.com', aud: 'rp-1', exp: 2e9, code: 'c' })).toString('base64url');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(unsigned))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'rp-enc' })
      .encrypt(await (await import('jose')).importJWK(rpEnc.publicJwk, 'ECDH-ES+A256KW'));
    const err = await failure(verifyAuthorizationResponse(`${CB}?response=${jwe}`, { server: server_(), clientId: 'rp-1', decryptionKeys: [rpEnc.privateJwk] }));
    expect(err.code).toBe('ERR_RESPONSE_MALFORMED');
  });

  it('fetches the jwks_uri again for an unknown kid (key rollover), at most every 30 s', async () => {
    const meta = server_();
    await verifyAuthorizationResponse(`${CB}?response=${await respond({ code: 'c', state: 's' })}`, { server: meta, clientId: 'rp-1', state: 's' });
    const rolled = await generateKeyPair('ES256');
    const rolledJwk = { ...(await exportJWK(rolled.publicKey)), kid: 'as-2', alg: 'ES256', use: 'sig' };
    const jwt = await respond({ code: 'c', state: 's' }, { key: rolled.privateKey, kid: 'as-2' });
    published = [asKey.jwk, rolledJwk];
    try {
      const hits = jwksHits;
      // Within the cooldown the cached set is used, and the unknown kid is refused.
      expect((await failure(verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: meta, clientId: 'rp-1', state: 's' }))).code).toBe('ERR_RESPONSE_KEY');
      expect(jwksHits).toBe(hits);
      vi.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'] });
      const { parameters } = await verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: meta, clientId: 'rp-1', state: 's' });
      expect(parameters.code).toBe('c');
      expect(jwksHits).toBe(hits + 1);
    } finally {
      published = [asKey.jwk];
    }
  });

  it('an error inside the JWT becomes an AuthorizationResponseError with error, error_description, error_uri', async () => {
    const jwt = await respond({ error: 'access_denied', error_description: 'the user said no', error_uri: 'https://as.example.com/e', state: 's' });
    const err = await failure(verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: server_(), clientId: 'rp-1', state: 's' }));
    expect(err).toBeInstanceOf(AuthorizationResponseError);
    expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_RESPONSE', error: 'access_denied', error_description: 'the user said no', error_uri: 'https://as.example.com/e' });
  });

  it('uses only the JWT: parameters beside "response" are ignored', async () => {
    const jwt = await respond({ code: 'real', state: 's' });
    const { parameters } = await verifyAuthorizationResponse(`${CB}?response=${jwt}&code=injected`, { server: server_(), clientId: 'rp-1', state: 's' });
    expect(parameters.code).toBe('real');
  });

  it('refuses an alg outside the allow-list, and an aud array without the client', async () => {
    const jwt = await respond({ code: 'c', state: 's' });
    const err = await failure(verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: server_({ authorization_signing_alg_values_supported: ['PS256'] }), clientId: 'rp-1', state: 's' }));
    expect(err.code).toBe('ERR_RESPONSE_ALG');
    expect((await failure(verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: server_(), clientId: 'rp-2', state: 's' }))).code).toBe('ERR_RESPONSE_AUDIENCE');
  });

  it('refuses a JWT without exp', async () => {
    const { CompactSign } = await import('jose');
    const claims = { iss: 'https://as.example.com', aud: 'rp-1', code: 'c', state: 's' };
    const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'ES256', kid: 'as-1' }).sign(asKey.privateKey);
    expect((await failure(verifyAuthorizationResponse(`${CB}?response=${jwt}`, { server: server_(), clientId: 'rp-1', state: 's' }))).code).toBe('ERR_RESPONSE_EXPIRED');
  });
});

describe('verifyAuthorizationResponse: plain responses and state', () => {
  const meta = { issuer: 'https://as.example.com', authorization_response_iss_parameter_supported: true };

  it('checks iss when present even if the server does not advertise RFC 9207', async () => {
    const err = await failure(verifyAuthorizationResponse(`${CB}?code=c&state=s&iss=https%3A%2F%2Fevil.example`, { server: { issuer: 'https://as.example.com' }, clientId: 'rp-1', state: 's' }));
    expect(err.code).toBe('ERR_RESPONSE_ISSUER');
    expect((await verifyAuthorizationResponse(`${CB}?code=c&state=s`, { server: { issuer: 'https://as.example.com' }, clientId: 'rp-1', state: 's' })).parameters.code).toBe('c');
  });

  it('refuses a missing, different or unexpected state', async () => {
    const ok = `${CB}?code=c&state=s&iss=https%3A%2F%2Fas.example.com`;
    expect((await failure(verifyAuthorizationResponse(`${CB}?code=c&iss=https%3A%2F%2Fas.example.com`, { server: meta, clientId: 'rp-1', state: 's' }))).code).toBe('ERR_RESPONSE_STATE');
    expect((await failure(verifyAuthorizationResponse(ok, { server: meta, clientId: 'rp-1', state: 'other' }))).code).toBe('ERR_RESPONSE_STATE');
    expect((await failure(verifyAuthorizationResponse(ok, { server: meta, clientId: 'rp-1' }))).code).toBe('ERR_RESPONSE_STATE');
  });

  it('refuses repeated parameters', async () => {
    const err = await failure(verifyAuthorizationResponse(`${CB}?code=a&code=b&state=s&iss=https%3A%2F%2Fas.example.com`, { server: meta, clientId: 'rp-1', state: 's' }));
    expect(err.code).toBe('ERR_RESPONSE_MALFORMED');
  });

  it('a plain error answer becomes an AuthorizationResponseError (after iss and state)', async () => {
    const err = await failure(verifyAuthorizationResponse(`${CB}?error=access_denied&state=s&iss=https%3A%2F%2Fas.example.com`, { server: meta, clientId: 'rp-1', state: 's' }));
    expect(err).toMatchObject({ code: 'ERR_AUTHORIZATION_RESPONSE', error: 'access_denied', error_description: undefined });
  });

  it('refuses malformed JWTs with ERR_RESPONSE_MALFORMED, never a crash', async () => {
    for (const bad of ['x', 'a.b', '!!!.e30.x', 'e30.e30.e30.e30']) {
      const err = await failure(verifyAuthorizationResponse(new URLSearchParams({ response: bad }), { server: server_(), clientId: 'rp-1' }));
      expect(['ERR_RESPONSE_MALFORMED', 'ERR_RESPONSE_ALG'], bad).toContain(err.code);
    }
  });
});

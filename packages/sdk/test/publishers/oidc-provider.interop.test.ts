// Interop: PAR (RFC 9126) with each client authentication method, discovery and
// builder.server(as) against oidc-provider on 127.0.0.1. "Accepted" means the provider moved on
// to its login interaction: it took every parameter of the pushed request object.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationRequestBuilder,
  OAuthJarError,
  PushedAuthorizationRequestPublisher,
  ResponseError,
  discoverAuthorizationServer,
  type ClientAuthentication,
} from '../../src/index.js';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.js';

const REDIRECT = 'https://rp.example.com/cb';
const SECRET = 'a-client-secret-that-is-long-enough-for-hs256!';
let op: TestProvider;
let sig: { key: CryptoKey; jwk: JWK };
let assertionKey: { key: CryptoKey; jwk: JWK };
let jwks: { keys: JWK[] };

function client(id: string, extra: Partial<ClientMetadata>): ClientMetadata {
  return { client_id: id, redirect_uris: [REDIRECT], response_types: ['code'], grant_types: ['authorization_code'], jwks, ...extra };
}

beforeAll(async () => {
  const s = await generateKeyPair('ES256', { extractable: true });
  sig = { key: s.privateKey, jwk: { ...(await exportJWK(s.publicKey)), kid: 'rp-sig', alg: 'ES256', use: 'sig' } };
  const a = await generateKeyPair('PS256', { extractable: true });
  assertionKey = { key: a.privateKey, jwk: { ...(await exportJWK(a.publicKey)), kid: 'rp-auth', alg: 'PS256', use: 'sig' } };
  jwks = { keys: [sig.jwk, assertionKey.jwk] };
  op = await startProvider({
    clients: [
      client('rp-none', { token_endpoint_auth_method: 'none' }),
      client('rp-basic', { token_endpoint_auth_method: 'client_secret_basic', client_secret: SECRET }),
      client('rp-post', { token_endpoint_auth_method: 'client_secret_post', client_secret: SECRET }),
      client('rp-pkjwt', { token_endpoint_auth_method: 'private_key_jwt' }),
    ],
  });
});
afterAll(() => op?.close());

function request(clientId: string) {
  return new AuthorizationRequestBuilder('code', clientId)
    .endpoint(new URL('/auth', op.issuer))
    .audience(op.issuer)
    .redirectUri(REDIRECT)
    .scope('openid', 'profile')
    .state('st-1')
    .nonce('n-1')
    .signWith(sig.key, { alg: 'ES256', kid: 'rp-sig' });
}

const parEndpoint = () => new URL('/request', op.issuer).href;

describe('PAR to oidc-provider: each client authentication method reaches the login interaction', () => {
  const cases: Array<[string, () => ClientAuthentication]> = [
    ['rp-none', () => ({ method: 'none' })],
    ['rp-basic', () => ({ method: 'client_secret_basic', clientSecret: SECRET })],
    ['rp-post', () => ({ method: 'client_secret_post', clientSecret: SECRET })],
    ['rp-pkjwt', () => ({ method: 'private_key_jwt', key: assertionKey.key, alg: 'PS256', kid: 'rp-auth' })],
  ];
  it.each(cases)('%s', async (clientId, auth) => {
    const par = new PushedAuthorizationRequestPublisher({ endpoint: parEndpoint(), clientAuth: auth() });
    const built = await request(clientId).publishWith(par).build();
    expect([...built.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(built.requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(built.expiresIn).toBeGreaterThan(0);
    const outcome = await op.authorize(built.url);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ accepted: true });
    // The control: a request_uri the provider never issued is refused, so acceptance is owed to the push.
    const forged = new URL(built.url);
    forged.searchParams.set('request_uri', `urn:ietf:params:oauth:request_uri:${'x'.repeat(43)}`);
    expect((await op.authorize(forged)).accepted).toBe(false);
  });

  it('a wrong client secret comes back as ResponseError invalid_client', async () => {
    const par = new PushedAuthorizationRequestPublisher({ endpoint: parEndpoint(), clientAuth: { method: 'client_secret_basic', clientSecret: 'wrong' } });
    const err = await request('rp-basic').publishWith(par).build().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'ERR_RESPONSE', status: 401, error: 'invalid_client' });
  });

  it('an assertion signed by an unregistered key comes back as invalid_client', async () => {
    const stranger = (await generateKeyPair('PS256')).privateKey;
    const par = new PushedAuthorizationRequestPublisher({
      endpoint: parEndpoint(),
      clientAuth: { method: 'private_key_jwt', key: stranger, alg: 'PS256', kid: 'rp-auth' },
    });
    await expect(request('rp-pkjwt').publishWith(par).build()).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('a request object the provider refuses (wrong aud) comes back with its error code', async () => {
    const par = new PushedAuthorizationRequestPublisher({ endpoint: parEndpoint(), clientAuth: { method: 'none' } });
    const err = await request('rp-none').audience('https://not-the-issuer.example').publishWith(par).build().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).error).toBe('invalid_request_object');
    expect((err as ResponseError).status).toBe(400);
  });
});

describe('discovery and builder.server(as) against oidc-provider', () => {
  it('discovers the provider (OIDC discovery after RFC 8414) with its PAR endpoint and jwks_uri', async () => {
    const as = await discoverAuthorizationServer(op.issuer, { cache: false });
    expect(as.issuer).toBe(op.issuer);
    expect(as.authorization_endpoint).toBe(`${op.issuer}/auth`);
    expect(as.pushed_authorization_request_endpoint).toBe(`${op.issuer}/request`);
    expect(as.jwks_uri).toBe(`${op.issuer}/jwks`);
    expect(as.request_object_encryption_alg_values_supported).toContain('RSA-OAEP-256');
  });

  it('refuses the provider\'s metadata under another issuer spelling (trailing slash)', async () => {
    const err = await discoverAuthorizationServer(`${op.issuer}/`, { cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthJarError);
    expect((err as OAuthJarError).code).toBe('ERR_DISCOVERY');
  });

  it.each([
    ['RSA-OAEP-256', 'A256GCM', 'rsa'],
    ['ECDH-ES+A256KW', 'A128CBC-HS256', 'ec'],
  ] as const)('server(as) + encryptWith(%s) without a key: picks the provider enc key, accepted by value', async (alg, enc, which) => {
    const as = await discoverAuthorizationServer(op.issuer);
    const built = await new AuthorizationRequestBuilder('code', 'rp-none')
      .server(as)
      .redirectUri(REDIRECT)
      .scope('openid')
      .signWith(sig.key, { alg: 'ES256', kid: 'rp-sig' })
      .encryptWith({ alg, enc })
      .build();
    const header = JSON.parse(Buffer.from(built.requestObject!.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg, enc, kid: op.encryptionKeys[which].publicJwk.kid });
    const outcome = await op.authorize(built.url);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ accepted: true });
  });

  it('server(as) + encrypted + pushed with a publisher that takes the PAR endpoint from the metadata', async () => {
    const as = await discoverAuthorizationServer(op.issuer);
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: assertionKey.key, alg: 'PS256', kid: 'rp-auth' } });
    const built = await new AuthorizationRequestBuilder('code', 'rp-pkjwt')
      .server(as)
      .redirectUri(REDIRECT)
      .scope('openid')
      .signWith(sig.key, { alg: 'ES256', kid: 'rp-sig' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .publishWith(par)
      .build();
    expect(built.url.origin + built.url.pathname).toBe(`${op.issuer}/auth`);
    const outcome = await op.authorize(built.url);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ accepted: true });
  });
});

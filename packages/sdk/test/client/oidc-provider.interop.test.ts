// Interop: what AuthorizationRequestBuilder makes is accepted by oidc-provider, a certified
// OpenID Provider, running on 127.0.0.1: signed with every algorithm family it supports, and
// nested (signed, then encrypted to the provider's own enc keys from its jwks_uri).
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, generateCodeVerifier, type SigningAlg } from '../../src/index.js';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.js';

const REDIRECT = 'https://rp.example.com/cb';
const SECRET = 'a-client-secret-that-is-long-enough-for-hs256!';
let op: TestProvider;
const signers: Record<string, { key: CryptoKey | Uint8Array; jwk?: JWK }> = {};

async function signer(alg: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { key: privateKey, jwk: { ...(await exportJWK(publicKey)), kid: `rp-${alg}`, alg } };
}

function client(id: string, extra: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    client_id: id,
    client_secret: SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [REDIRECT],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    ...extra,
  };
}

beforeAll(async () => {
  for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA']) signers[alg] = await signer(alg);
  signers.HS256 = { key: new TextEncoder().encode(SECRET) };
  const jwks = { keys: Object.values(signers).flatMap((s) => (s.jwk ? [s.jwk] : [])) };
  op = await startProvider({
    clients: [
      client('rp-signed', { jwks }),
      client('rp-required', { jwks, require_signed_request_object: true, request_object_signing_alg: 'ES256' }),
    ],
  });
});
afterAll(() => op?.close());

function request(clientId = 'rp-signed') {
  return new AuthorizationRequestBuilder('code', clientId)
    .endpoint(new URL('/auth', op.issuer))
    .audience(op.issuer)
    .redirectUri(REDIRECT)
    .scope('openid', 'profile')
    .state('81c33d57-59c7-4b41-9a15-80e2ed1482e2')
    .nonce('n-0S6_WzA2Mj')
    .codeChallenge(generateCodeVerifier())
    .maxAge(3600)
    .claims({ userinfo: { email: { essential: true } } });
}

describe('oidc-provider accepts signed request objects by value', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA', 'HS256'] as const)('%s', async (alg) => {
    const s = signers[alg]!;
    const built = await request().signWith(s.key, { alg: alg as SigningAlg, ...(s.jwk ? { kid: s.jwk.kid! } : {}) }).build();
    expect(built.url.searchParams.get('request')).toBe(built.requestObject);
    const outcome = await op.authorize(built.url);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ accepted: true });
  });

  it('a client that requires signed request objects is served only with one', async () => {
    const signed = await request('rp-required').signWith(signers.ES256!.key, { alg: 'ES256', kid: signers.ES256!.jwk!.kid! }).build();
    expect((await op.authorize(signed.url)).accepted).toBe(true);
    // The control: the same parameters as plain query parameters are refused by the provider,
    // so the acceptance above is owed to the request object.
    const plain = await request('rp-required').build();
    const outcome = await op.authorize(plain.url);
    expect(outcome.accepted).toBe(false);
  });

  it('a request object signed by a key the client never registered is refused', async () => {
    const stranger = await signer('ES256');
    const built = await request().signWith(stranger.key, { alg: 'ES256', kid: signers.ES256!.jwk!.kid! }).build();
    const outcome = await op.authorize(built.url);
    expect(outcome.accepted).toBe(false);
    expect(outcome.error).toBe('invalid_request_object');
  });
});

describe('oidc-provider accepts nested (signed, then encrypted) request objects', () => {
  it.each([
    ['RSA-OAEP-256', 'A256GCM', 'rsa'],
    ['ECDH-ES+A256KW', 'A128CBC-HS256', 'ec'],
  ] as const)('%s / %s to the provider enc key', async (alg, enc, which) => {
    const key = op.encryptionKeys[which].publicJwk;
    const built = await request()
      .signWith(signers.PS256!.key, { alg: 'PS256', kid: signers.PS256!.jwk!.kid! })
      .encryptWith(key, { alg, enc, kid: key.kid! })
      .build();
    expect(built.requestObject?.split('.')).toHaveLength(5);
    const outcome = await op.authorize(built.url);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ accepted: true });
  });

  it('a JWE to a key the provider does not hold is refused', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const built = await request()
      .signWith(signers.ES256!.key, { alg: 'ES256', kid: signers.ES256!.jwk!.kid! })
      .encryptWith(publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();
    const outcome = await op.authorize(built.url);
    expect(outcome.accepted).toBe(false);
    expect(outcome.error).toBe('invalid_request_object');
  });
});

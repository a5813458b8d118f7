// Algorithm negotiation (signWith / encryptWith / private_key_jwt without alg) and the fapi2 profile.
import { createServer, type Server } from 'node:http';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationRequestBuilder,
  PushedAuthorizationRequestPublisher,
  generateCodeVerifier,
  type AuthorizationServerMetadata,
} from '../../src/index.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';

let server: Server;
let origin: string;
let es: CryptoKey;
let rsa: CryptoKey;
let rs: CryptoKey;
let encKeys: JWK[];
let pushed: URLSearchParams[] = [];

beforeAll(async () => {
  es = (await generateKeyPair('ES256')).privateKey;
  rsa = (await generateKeyPair('PS256')).privateKey; // RSA-PSS with SHA-256: fits PS256 only
  rs = (await generateKeyPair('RS256')).privateKey;
  const oaep = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  encKeys = [{ ...(await exportJWK(oaep.publicKey)), kid: 'enc-rsa', use: 'enc' }];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/jwks') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: encKeys }));
        return;
      }
      pushed.push(new URLSearchParams(body));
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ request_uri: 'urn:ietf:params:oauth:request_uri:x', expires_in: 60 }));
    });
  });
  origin = await listen(server);
});
afterAll(() => close(server));

const meta = (extra: Partial<AuthorizationServerMetadata> = {}): AuthorizationServerMetadata => ({
  issuer: origin,
  authorization_endpoint: `${origin}/authorize`,
  pushed_authorization_request_endpoint: `${origin}/par`,
  jwks_uri: `${origin}/jwks`,
  ...extra,
});
const builder = (as: AuthorizationServerMetadata) => new AuthorizationRequestBuilder('code', 'rp-1').server(as).redirectUri('https://rp.example.com/cb');
const algOf = (built: { requestObject: string | undefined }) => decodeProtectedHeader(built.requestObject!).alg;

describe('signWith(key) without alg', () => {
  it('takes the first algorithm of the server\'s list that fits the key, in the server\'s order', async () => {
    expect(algOf(await builder(meta({ request_object_signing_alg_values_supported: ['RS256', 'ES384', 'ES256', 'PS256'] })).signWith(es).build())).toBe('ES256');
    // An RSA-PSS CryptoKey is bound to SHA-256: PS512 does not fit it, PS256 does.
    expect(algOf(await builder(meta({ request_object_signing_alg_values_supported: ['RS256', 'PS512', 'PS256'] })).signWith(rsa).build())).toBe('PS256');
  });

  it('no overlap: ERR_ALG_NEGOTIATION naming the server\'s list and what the key can do', async () => {
    const err = await failure(builder(meta({ request_object_signing_alg_values_supported: ['RS256', 'PS256'] })).signWith(es).build());
    expect(err.code).toBe('ERR_ALG_NEGOTIATION');
    expect(err.message).toContain('[RS256, PS256]');
    expect(err.message).toContain('ES256');
  });

  it('without .server(as) or a profile it is a caller mistake, not a guess', async () => {
    const err = await failure(new AuthorizationRequestBuilder('code', 'rp-1').endpoint(`${origin}/a`).audience(origin).signWith(es).build());
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('the fapi2 profile narrows the choice to PS256, ES256 and EdDSA', async () => {
    const as = meta({ request_object_signing_alg_values_supported: ['RS256', 'ES512', 'PS256'] });
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: es }, dpop: await dpopPair(), profile: 'fapi2' });
    const ok = () => builder(as).profile('fapi2').codeChallenge(generateCodeVerifier()).publishWith(par);
    expect(algOf(await ok().signWith(rsa).build())).toBe('PS256');
    const err = await failure(ok().signWith(es).build());
    expect(err.code).toBe('ERR_ALG_NEGOTIATION');
    expect(err.message).toMatch(/PS256, ES256, EdDSA/);
  });
});

describe('encryptWith() without alg and enc', () => {
  it('picks the server\'s first listed alg for which it holds a use=enc key, and its first enc', async () => {
    const as = meta({
      request_object_encryption_alg_values_supported: ['ECDH-ES+A256KW', 'RSA-OAEP-256'],
      request_object_encryption_enc_values_supported: ['A128CBC-HS256', 'A256GCM'],
    });
    const built = await builder(as).signWith(es, { alg: 'ES256' }).encryptWith().build();
    expect(decodeProtectedHeader(built.requestObject!)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256', kid: 'enc-rsa', cty: 'JWT' });
  });

  it('no overlap: ERR_ALG_NEGOTIATION naming the list and the keys held', async () => {
    const err = await failure(builder(meta({ request_object_encryption_alg_values_supported: ['ECDH-ES'] })).signWith(es, { alg: 'ES256' }).encryptWith().build());
    expect(err.code).toBe('ERR_ALG_NEGOTIATION');
    expect(err.message).toContain('[ECDH-ES]');
    expect(err.message).toContain('enc-rsa');
  });
});

describe('private_key_jwt at PAR without alg', () => {
  it('takes token_endpoint_auth_signing_alg_values_supported from the server the builder knows', async () => {
    pushed = [];
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: rsa } });
    await builder(meta({ token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS384', 'PS256'] })).signWith(es, { alg: 'ES256' }).publishWith(par).build();
    expect(decodeProtectedHeader(pushed[0]!.get('client_assertion')!).alg).toBe('PS256');
    expect(decodeJwt(pushed[0]!.get('client_assertion')!).aud).toBe(origin);
  });

  it('no overlap: ERR_ALG_NEGOTIATION before anything is sent', async () => {
    pushed = [];
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: es } });
    const err = await failure(builder(meta({ token_endpoint_auth_signing_alg_values_supported: ['PS256'] })).signWith(es, { alg: 'ES256' }).publishWith(par).build());
    expect(err.code).toBe('ERR_ALG_NEGOTIATION');
    expect(err.message).toContain('token_endpoint_auth_signing_alg_values_supported');
    expect(pushed).toHaveLength(0);
  });
});

describe('profile("fapi2"): FAPI 2.0 rules checked at build', () => {
  const as = () => meta({ request_object_signing_alg_values_supported: ['PS256', 'ES256'] });
  const par = async () => new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: es }, dpop: await dpopPair(), profile: 'fapi2' });

  it('passes with PAR, PKCE S256, redirect_uri and ES256; exp − nbf within 60 minutes', async () => {
    const built = await builder(as()).profile('fapi2').signWith(es).codeChallenge(generateCodeVerifier()).publishWith(await par()).build();
    const claims = decodeJwt(built.requestObject!);
    expect(claims.exp! - claims.nbf!).toBeLessThanOrEqual(3600);
    expect(claims.code_challenge_method).toBe('S256');
  });

  it('refuses each missing piece with ERR_PROFILE', async () => {
    const v = generateCodeVerifier();
    const cases = [
      builder(as()).profile('fapi2').signWith(es).codeChallenge(v), // no PAR
      builder(as()).profile('fapi2').signWith(es).publishWith(await par()), // no PKCE
      builder(as()).profile('fapi2').signWith(es).codeChallenge(v, 'plain').publishWith(await par()),
      new AuthorizationRequestBuilder('code', 'rp-1').server(as()).profile('fapi2').signWith(es).codeChallenge(v).publishWith(await par()), // no redirect_uri
      builder(as()).profile('fapi2').signWith(rs, { alg: 'RS256' }).codeChallenge(v).publishWith(await par()),
      builder(as()).profile('fapi2').codeChallenge(v), // not signed
    ];
    for (const b of cases) expect((await failure(b.build())).code).toBe('ERR_PROFILE');
    expect(() => builder(as()).expiresIn(3601)).toThrow(/3600/);
  });

  it('the PAR publisher refuses client authentication FAPI 2.0 does not allow, and an unconstrained push', async () => {
    expect(() => new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'client_secret_basic', clientSecret: 's' }, profile: 'fapi2' })).toThrow(/private_key_jwt or mTLS/);
    expect(() => new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: es }, profile: 'fapi2' })).toThrow(/sender-constrained/);
    expect(() => new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'tls_client_auth' }, profile: 'fapi2' })).not.toThrow();
  });
});

async function dpopPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
}

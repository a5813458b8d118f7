// Every documented @throws, made true: one test per documented error.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, OAuthJarError, ResponseError, discoverAuthorizationServer } from '../../src/index.js';
import { AuthorizationRequestError, MemoryReplayStore, RequestObjectVerifier } from '../../src/server.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';

let server: Server;
let origin: string;
let closedOrigin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server/slow') return; // never answers
    res.writeHead(404).end();
  });
  origin = await listen(server);
  // A port that was just free on 127.0.0.1: nothing listens there any more.
  const gone = createServer();
  closedOrigin = await listen(gone);
  await close(gone);
});
afterAll(async () => {
  await close(server);
});

const noCache = { cache: false as const, timeout: 1000 };

describe('discoverAuthorizationServer @throws', () => {
  it('ResponseError ERR_DISCOVERY when the server is unreachable: status undefined, the network error as cause', async () => {
    const err = await failure(discoverAuthorizationServer(closedOrigin, noCache));
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'ERR_DISCOVERY', status: undefined });
    expect(err.cause).toBeDefined();
  });

  it('ResponseError ERR_DISCOVERY with the status when no location has a usable document', async () => {
    const err = await failure(discoverAuthorizationServer(origin, noCache));
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'ERR_DISCOVERY', status: 404 });
  });

  it('ResponseError ERR_TIMEOUT when the server does not answer in time', async () => {
    const err = await failure(discoverAuthorizationServer(`${origin}/slow`, { cache: false, timeout: 300 }));
    expect(err).toBeInstanceOf(ResponseError);
    expect(err.code).toBe('ERR_TIMEOUT');
  });

  it('a plain OAuthJarError ERR_INVALID_URL / ERR_INVALID_ARGUMENT for a bad issuer or options, before any fetch', async () => {
    const spy: typeof fetch = () => Promise.reject(new Error('nothing may be fetched'));
    for (const issuer of ['as', 'http://as.example.com', 'https://as.example.com?x=1']) {
      const err = await failure(discoverAuthorizationServer(issuer, { cache: false, fetch: spy }));
      expect(err, issuer).not.toBeInstanceOf(ResponseError);
      expect(err.code, issuer).toBe('ERR_INVALID_URL');
    }
    const err = await failure(discoverAuthorizationServer('https://as.example.com', { cache: false, fetch: spy, cacheMaxAge: -1 }));
    expect(err.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('AuthorizationRequestBuilder.build @throws', () => {
  const base = () => new AuthorizationRequestBuilder('code', 'rp-1').redirectUri('https://rp.example/cb');

  it('ERR_MISSING_ENDPOINT, ERR_MISSING_AUDIENCE, ERR_ENCRYPT_WITHOUT_SIGN', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const enc = await generateKeyPair('RSA-OAEP-256');
    expect((await failure(base().signWith(privateKey, { alg: 'ES256' }).audience('https://as.example').build())).code).toBe('ERR_MISSING_ENDPOINT');
    expect((await failure(base().endpoint('https://as.example/authorize').signWith(privateKey, { alg: 'ES256' }).build())).code).toBe('ERR_MISSING_AUDIENCE');
    const unsignedButEncrypted = base().endpoint('https://as.example/authorize').audience('https://as.example')
      .encryptWith(enc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    expect((await failure(unsignedButEncrypted.build())).code).toBe('ERR_ENCRYPT_WITHOUT_SIGN');
    void publicKey;
  });

  it('ERR_SIGN_FAILED and ERR_ENCRYPT_FAILED when jose cannot use the key', async () => {
    const ready = () => base().endpoint('https://as.example/authorize').audience('https://as.example');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const broken = { ...jwk, d: 'AAAA' }; // the right shape, not a usable key
    expect((await failure(ready().signWith(broken, { alg: 'ES256' }).build())).code).toBe('ERR_SIGN_FAILED');
    const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const pub = { ...(await exportJWK(enc.publicKey)), n: 'AAAA' };
    expect((await failure(ready().signWith(privateKey, { alg: 'ES256' }).encryptWith(pub, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }).build())).code)
      .toBe('ERR_ENCRYPT_FAILED');
  });

  it('ERR_PUBLISH_FAILED when the publisher fails', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const publisher = { publish: () => Promise.reject(new Error('store down')) };
    const err = await failure(
      base().endpoint('https://as.example/authorize').audience('https://as.example').signWith(privateKey, { alg: 'ES256' }).publishWith(publisher).build(),
    );
    expect(err.code).toBe('ERR_PUBLISH_FAILED');
  });
});

describe('RequestObjectVerifier @throws', () => {
  it('the constructor: OAuthJarError ERR_INVALID_ARGUMENT for an invalid option', () => {
    const bad = () => new RequestObjectVerifier({ issuer: 'https://as.example.com', getClient: () => undefined, clockTolerance: -1 });
    expect(bad).toThrow(OAuthJarError);
    try {
      bad();
    } catch (err) {
      expect((err as OAuthJarError).code).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it('verify(): AuthorizationRequestError for every refusal, a throwing getClient and a non-object input included', async () => {
    const verifier = new RequestObjectVerifier({
      issuer: 'https://as.example.com',
      getClient: () => {
        throw new TypeError('database down');
      },
    });
    for (const input of [new URLSearchParams({ client_id: 'c', request: 'a.b.c' }), 42, null, 'client_id=c']) {
      await expect(verifier.verify(input)).rejects.toBeInstanceOf(AuthorizationRequestError);
    }
  });
});

describe('MemoryReplayStore.consume @throws', () => {
  it('OAuthJarError ERR_STORE_FULL when maxEntries unexpired keys are held and the key is new', () => {
    const store = new MemoryReplayStore({ maxEntries: 1, now: () => 0 });
    expect(store.consume('a', 100)).toBe(true);
    expect(() => store.consume('b', 100)).toThrow(expect.objectContaining({ code: 'ERR_STORE_FULL' }));
  });
});

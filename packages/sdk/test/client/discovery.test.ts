import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthorizationRequestBuilder,
  discoverAuthorizationServer,
  type AuthorizationServerMetadata,
} from '../../src/index.js';
import { close, listen } from '../helpers/loopback.js';
import { failure } from '../helpers/failure.js';

let server: Server;
let origin: string;
let routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};
let hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    const route = routes[req.url!];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  origin = await listen(server);
});
afterAll(async () => {
  await close(server);
});
beforeEach(() => {
  routes = {};
  hits = [];
});

const json = (body: unknown, status = 200) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));

const noCache = { cache: false as const, timeout: 1000 };

describe('discoverAuthorizationServer', () => {
  it('reads RFC 8414 /.well-known/oauth-authorization-server first', async () => {
    routes['/.well-known/oauth-authorization-server'] = json({ issuer: origin, authorization_endpoint: `${origin}/auth` });
    routes['/.well-known/openid-configuration'] = json({ issuer: origin, authorization_endpoint: `${origin}/oidc` });
    const as = await discoverAuthorizationServer(origin, noCache);
    expect(as.authorization_endpoint).toBe(`${origin}/auth`);
    expect(hits).toEqual(['/.well-known/oauth-authorization-server']);
  });

  it('an issuer with a path: the well-known segment is inserted before the path (RFC 8414 §3.1), then OIDC appends', async () => {
    const issuer = `${origin}/tenant/a`;
    routes['/tenant/a/.well-known/openid-configuration'] = json({ issuer, authorization_endpoint: `${issuer}/auth` });
    const as = await discoverAuthorizationServer(issuer, noCache);
    expect(as.issuer).toBe(issuer);
    expect(hits).toEqual(['/.well-known/oauth-authorization-server/tenant/a', '/tenant/a/.well-known/openid-configuration']);
  });

  it('falls back to OpenID Connect discovery when RFC 8414 is 404', async () => {
    routes['/.well-known/openid-configuration'] = json({ issuer: origin, jwks_uri: `${origin}/jwks` });
    expect((await discoverAuthorizationServer(origin, noCache)).jwks_uri).toBe(`${origin}/jwks`);
    expect(hits).toEqual(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
  });

  it('a catch-all HTML page at the RFC 8414 location does not stop OIDC discovery', async () => {
    routes['/.well-known/oauth-authorization-server'] = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id=app>');
    routes['/.well-known/openid-configuration'] = json({ issuer: origin });
    await expect(discoverAuthorizationServer(origin, noCache)).resolves.toMatchObject({ issuer: origin });
  });

  it('refuses a document whose issuer differs, even by a trailing slash (RFC 8414 §3.3)', async () => {
    routes['/.well-known/oauth-authorization-server'] = json({ issuer: `${origin}/` });
    const err = await failure(discoverAuthorizationServer(origin, noCache));
    expect(err.code).toBe('ERR_DISCOVERY');
    expect(err.message).toMatch(/RFC 8414 §3\.3/);
    routes['/.well-known/oauth-authorization-server'] = json({ issuer: 'https://evil.example' });
    expect((await failure(discoverAuthorizationServer(origin, noCache))).code).toBe('ERR_DISCOVERY');
    routes['/.well-known/oauth-authorization-server'] = json({ authorization_endpoint: `${origin}/auth` });
    expect((await failure(discoverAuthorizationServer(origin, noCache))).code).toBe('ERR_DISCOVERY');
  });

  it('bad answers are typed errors: non-JSON, a JSON array, 500, a non-URL endpoint, nothing found', async () => {
    const cases: Array<[string, (req: IncomingMessage, res: ServerResponse) => void, number | undefined]> = [
      ['non-JSON', json('<html>hi</html>'), 200],
      ['array', json([origin]), 200],
      ['500', json({ error: 'server_error' }, 500), 500],
      ['bad endpoint', json({ issuer: origin, authorization_endpoint: 'not a url' }), 200],
    ];
    for (const [name, route, status] of cases) {
      routes['/.well-known/oauth-authorization-server'] = route;
      const err = await failure(discoverAuthorizationServer(origin, noCache));
      expect(err, name).toMatchObject({ code: 'ERR_DISCOVERY', status });
    }
    routes = {};
    expect(await failure(discoverAuthorizationServer(origin, noCache))).toMatchObject({ code: 'ERR_DISCOVERY', status: 404 });
  });

  it('a hung server → ERR_TIMEOUT', async () => {
    routes['/.well-known/oauth-authorization-server'] = () => {};
    expect((await failure(discoverAuthorizationServer(origin, { cache: false, timeout: 300 }))).code).toBe('ERR_TIMEOUT');
  });

  it('a redirect is not followed', async () => {
    routes['/.well-known/oauth-authorization-server'] = (_req, res) => res.writeHead(302, { location: 'https://evil.example/' }).end();
    expect(await failure(discoverAuthorizationServer(origin, noCache))).toMatchObject({ code: 'ERR_DISCOVERY', status: 302 });
  });

  it('caches per issuer until cacheMaxAge; failures are not cached', async () => {
    const cache = new Map();
    let now = 0;
    const opts = { cache, now: () => now, cacheMaxAge: 60 };
    expect((await failure(discoverAuthorizationServer(origin, opts))).code).toBe('ERR_DISCOVERY');
    routes['/.well-known/oauth-authorization-server'] = json({ issuer: origin });
    const first = await discoverAuthorizationServer(origin, opts);
    hits = [];
    now = 59_000;
    expect(await discoverAuthorizationServer(origin, opts)).toBe(first);
    expect(hits).toEqual([]);
    now = 60_000;
    await discoverAuthorizationServer(origin, opts);
    expect(hits).toEqual(['/.well-known/oauth-authorization-server']);
  });

  it('concurrent calls for one issuer share one request', async () => {
    routes['/.well-known/oauth-authorization-server'] = json({ issuer: origin });
    const cache = new Map();
    const all = await Promise.all([1, 2, 3].map(() => discoverAuthorizationServer(origin, { cache })));
    expect(new Set(all).size).toBe(1);
    expect(hits).toEqual(['/.well-known/oauth-authorization-server']);
  });

  it('refuses an issuer that is not an absolute http(s) URL or has a query', async () => {
    for (const bad of ['as.example.com', 'ftp://as.example.com', 'https://as.example.com?x=1', 'https://as.example.com#f']) {
      expect((await failure(discoverAuthorizationServer(bad))).code, bad).toBe('ERR_INVALID_URL');
    }
  });

  it('refuses plain http to any host but loopback (RFC 8414 §2), before any request', async () => {
    let calls = 0;
    const counting = (async () => {
      calls++;
      return new Response('{}');
    }) as typeof fetch;
    for (const bad of ['http://as.example.com', 'http://10.0.0.1', 'http://127.example.com']) {
      const err = await failure(discoverAuthorizationServer(bad, { fetch: counting, cache: false }));
      expect(err.code, bad).toBe('ERR_INVALID_URL');
      expect(err.message).toMatch(/https/);
    }
    expect(calls).toBe(0);
  });
});

describe('builder.server(as)', () => {
  let rsaEnc: { privateKey: CryptoKey; publicJwk: JWK };
  let as: AuthorizationServerMetadata;
  beforeAll(async () => {
    const pair = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    rsaEnc = { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'enc-1', use: 'enc', alg: 'RSA-OAEP-256' } };
  });
  beforeEach(() => {
    as = {
      issuer: `${origin}/t/`,
      authorization_endpoint: `${origin}/authorize`,
      jwks_uri: `${origin}/jwks-${Math.random().toString(36).slice(2)}`,
      pushed_authorization_request_endpoint: `${origin}/par`,
    };
  });

  async function signer() {
    return (await generateKeyPair('ES256')).privateKey;
  }

  it('sets the endpoint and the audience (the issuer, exactly)', async () => {
    const built = await new AuthorizationRequestBuilder('code', 'rp-1').server(as).signWith(await signer(), { alg: 'ES256' }).build();
    expect(built.url.origin + built.url.pathname).toBe(`${origin}/authorize`);
    expect(built.parameters.aud).toBe(`${origin}/t/`);
  });

  it('encryptWith without a key picks the use=enc key fitting alg from jwks_uri, fetched once', async () => {
    const sigKey = { ...rsaEnc.publicJwk, kid: 'sig-1', use: 'sig', alg: 'RS256' };
    const wrongAlg = { ...rsaEnc.publicJwk, kid: 'oaep-1', alg: 'RSA-OAEP' };
    routes[new URL(as.jwks_uri!).pathname] = json({ keys: [sigKey, wrongAlg, rsaEnc.publicJwk] });
    const builder = new AuthorizationRequestBuilder('code', 'rp-1')
      .server(as)
      .signWith(await signer(), { alg: 'ES256' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    const first = await builder.build();
    const second = await builder.build();
    for (const built of [first, second]) {
      expect(decodeProtectedHeader(built.requestObject!)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'enc-1', cty: 'JWT' });
      await expect(compactDecrypt(built.requestObject!, rsaEnc.privateKey)).resolves.toBeDefined();
    }
    expect(hits.filter((h) => h.startsWith('/jwks'))).toHaveLength(1);
  });

  it('encryptWith(undefined, options) is the same key-less form', async () => {
    routes[new URL(as.jwks_uri!).pathname] = json({ keys: [rsaEnc.publicJwk] });
    const built = await new AuthorizationRequestBuilder('code', 'rp-1')
      .server(as)
      .signWith(await signer(), { alg: 'ES256' })
      .encryptWith(undefined, { alg: 'RSA-OAEP-256', enc: 'A128GCM' })
      .build();
    expect(decodeProtectedHeader(built.requestObject!).kid).toBe('enc-1');
  });

  it('no fitting key: ERR_KEY_MISMATCH naming the keys found', async () => {
    routes[new URL(as.jwks_uri!).pathname] = json({ keys: [{ ...rsaEnc.publicJwk, use: 'sig' }] });
    const build = new AuthorizationRequestBuilder('code', 'rp-1')
      .server(as)
      .signWith(await signer(), { alg: 'ES256' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();
    const err = await failure(build);
    expect(err.code).toBe('ERR_KEY_MISMATCH');
    expect(err.message).toMatch(/enc-1.*use: sig/);
  });

  it('an algorithm the server does not list is refused before any fetch', async () => {
    const build = new AuthorizationRequestBuilder('code', 'rp-1')
      .server({ ...as, request_object_encryption_alg_values_supported: ['ECDH-ES'] })
      .signWith(await signer(), { alg: 'ES256' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();
    expect((await failure(build)).code).toBe('ERR_UNSUPPORTED_ALG');
    expect(hits).toEqual([]);
  });

  it('a key-less encryptWith without server(as) is a caller error', async () => {
    const build = new AuthorizationRequestBuilder('code', 'rp-1')
      .endpoint(`${origin}/authorize`)
      .audience(origin)
      .signWith(await signer(), { alg: 'ES256' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();
    expect((await failure(build)).code).toBe('ERR_INVALID_ARGUMENT');
  });

  it('the key-ful encryptWith(key, options) still works', async () => {
    const built = await new AuthorizationRequestBuilder('code', 'rp-1')
      .server(as)
      .signWith(await signer(), { alg: 'ES256' })
      .encryptWith(rsaEnc.publicJwk, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();
    expect(decodeProtectedHeader(built.requestObject!).kid).toBe('enc-1');
    expect(hits).toEqual([]);
  });
});

describe('connection settings given to discovery reach the jwks_uri fetch', () => {
  let encJwk: JWK;
  beforeAll(async () => {
    const pair = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    encJwk = { ...(await exportJWK(pair.publicKey)), kid: 'enc-1', use: 'enc', alg: 'RSA-OAEP-256' };
  });

  // A fresh issuer and jwks_uri per test: nothing comes from an earlier test's cache.
  function serve(jwks: (req: IncomingMessage, res: ServerResponse) => void) {
    const id = Math.random().toString(36).slice(2);
    const issuer = `${origin}/i-${id}`;
    routes[`/.well-known/oauth-authorization-server/i-${id}`] = json({ issuer, authorization_endpoint: `${origin}/authorize`, jwks_uri: `${origin}/jwks-${id}` });
    routes[`/jwks-${id}`] = jwks;
    return { issuer, jwksUri: `${origin}/jwks-${id}` };
  }

  const encryptedBuild = async (as: AuthorizationServerMetadata) =>
    new AuthorizationRequestBuilder('code', 'rp-1')
      .server(as)
      .signWith((await generateKeyPair('ES256')).privateKey, { alg: 'ES256' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();

  it('the fetch given to discoverAuthorizationServer is the one that fetches the jwks_uri', async () => {
    const { issuer, jwksUri } = serve(json({ keys: [encJwk] }));
    const seen: string[] = [];
    const spy = ((input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    }) as typeof fetch;
    const as = await discoverAuthorizationServer(issuer, { fetch: spy, cache: false });
    const built = await encryptedBuild(as);
    expect(decodeProtectedHeader(built.requestObject!).kid).toBe('enc-1');
    expect(seen).toContain(jwksUri);
  });

  it('the timeout given to discoverAuthorizationServer bounds the jwks_uri fetch', async () => {
    const { issuer } = serve(() => {}); // never answers
    const as = await discoverAuthorizationServer(issuer, { timeout: 300, cache: false });
    const started = Date.now();
    const err = await failure(encryptedBuild(as));
    expect(err.code).toBe('ERR_TIMEOUT');
    // the default timeout is 5 s: well under it, with room for a loaded machine
    expect(Date.now() - started).toBeLessThan(3500);
  });
});

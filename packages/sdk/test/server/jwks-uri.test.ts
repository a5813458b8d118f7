// A client's jwks_uri is a URL the client names and the server fetches: the same guards as a
// request_uri (RFC 9101 §10.4), one answer whatever the network did, a per-verifier cache that
// picks up a rotated key within its cooldown. Every host here is the loopback test server; the
// tests about other addresses stub every fetch so that nothing can leave the machine.
import { createServer, type Server } from 'node:http';
import type { JWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateClientMetadata } from '../../src/server.js';
import { causes } from '../helpers/causes.js';
import { close, listen } from '../helpers/loopback.js';
import { CLIENT_ID, NOW, claims, clientFor, makeKeys, makeVerifier, query, refusal, sign, type Keys } from '../helpers/verifier-fixtures.js';

let keys: Keys;
let server: Server;
let base: string;
let hits: string[] = [];
let published: JWK[] = [];
let written = 0;
const loopback = { allowHttp: true, allowPrivateNetwork: true };
const KEYS_UNAVAILABLE = 'the client\'s keys could not be fetched';

beforeAll(async () => {
  keys = await makeKeys();
  server = createServer((req, res) => {
    hits.push(req.url!);
    const json = { 'content-type': 'application/json' };
    switch (req.url) {
      case '/jwks':
        return void res.writeHead(200, json).end(JSON.stringify({ keys: published }));
      case '/missing':
        return void res.writeHead(404, json).end('{}');
      case '/html':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      case '/not-json':
        return void res.writeHead(200, json).end('{ nope');
      case '/redirect':
        return void res.writeHead(302, { location: `${base}/jwks` }).end();
      case '/slow':
        return; // never answers
      case '/huge': {
        // 80 MB, streamed: the cap must stop reading long before.
        res.writeHead(200, json);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const write = () => {
          while (written < 80 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          res.end();
        };
        res.on('error', () => undefined);
        return write();
      }
      default:
        return void res.writeHead(500).end();
    }
  });
  base = await listen(server);
});
afterAll(() => close(server));
beforeEach(() => {
  hits = [];
  written = 0;
  published = [keys.es256.publicJwk];
});
afterEach(() => vi.unstubAllGlobals());

const rotated = (): JWK => ({ ...keys.other.publicJwk, kid: 'c2', alg: 'ES256', use: 'sig' });
const clientAt = (jwks_uri: string) => {
  const client = clientFor(keys, { jwks_uri });
  delete client.jwks;
  return client;
};
const signedBy = async (key: 'old' | 'new', extra: Record<string, unknown> = {}) =>
  query({
    client_id: CLIENT_ID,
    request: await sign(
      claims(extra),
      key === 'old' ? keys.es256.privateKey : keys.other.privateKey,
      { alg: 'ES256', kid: key === 'old' ? 'c1' : 'c2', typ: 'oauth-authz-req+jwt' },
    ),
  });

describe('a client\'s jwks_uri: fetched under the request_uri guards', () => {
  it('a loopback IP literal is refused without allowPrivateNetwork, and makes no request', async () => {
    const verifier = makeVerifier(keys, { jwksUri: { allowHttp: true } }, clientAt(`${base}/jwks`));
    const err = await refusal(verifier, await signedBy('old'));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_object', 'key', KEYS_UNAVAILABLE]);
    expect(causes(err)).toMatch(/loopback, private or link-local/);
    expect(hits).toEqual([]);
  });

  it('http is refused without allowHttp, and makes no request', async () => {
    const verifier = makeVerifier(keys, { jwksUri: { allowPrivateNetwork: true } }, clientAt(`${base}/jwks`));
    const err = await refusal(verifier, await signedBy('old'));
    expect(err.error_description).toBe(KEYS_UNAVAILABLE);
    expect(hits).toEqual([]);
  });

  it.each([
    'https://169.254.169.254/latest/meta-data/jwks',
    'https://10.0.0.5/jwks',
    'https://[::ffff:10.0.0.5]/jwks',
    'https://[2002:7f00:1::1]/jwks',
    'https://localhost./jwks',
  ])('%s is refused before any fetch (every fetch stubbed)', async (uri) => {
    const spy = vi.fn(async () => new Response(JSON.stringify({ keys: published }), { headers: { 'content-type': 'application/json' } }));
    vi.stubGlobal('fetch', spy);
    const verifier = makeVerifier(keys, { network: { fetch: spy } }, clientAt(uri));
    const err = await refusal(verifier, await signedBy('old'));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_object', 'key', KEYS_UNAVAILABLE]);
    expect(spy).not.toHaveBeenCalled();
  });

  it('every network failure reads the same to the client; the detail is in cause', async () => {
    const seen = new Map<string, string>();
    for (const path of ['/missing', '/html', '/not-json', '/redirect', '/slow', '/huge']) {
      const verifier = makeVerifier(keys, { jwksUri: { ...loopback, timeout: 500 } }, clientAt(`${base}${path}`));
      const err = await refusal(verifier, await signedBy('old'));
      seen.set(path, causes(err));
      expect([err.error, err.check, err.error_description], path).toEqual(['invalid_request_object', 'key', KEYS_UNAVAILABLE]);
    }
    const closed = makeVerifier(keys, { jwksUri: loopback }, clientAt('http://127.0.0.1:1/jwks'));
    expect((await refusal(closed, await signedBy('old'))).error_description).toBe(KEYS_UNAVAILABLE);
    expect(seen.get('/missing')).toMatch(/HTTP 404/);
    expect(seen.get('/redirect')).toMatch(/HTTP 302/);
    expect(seen.get('/html')).toMatch(/text\/html/);
    expect(seen.get('/slow')).toMatch(/500 ms/);
    expect(seen.get('/huge')).toMatch(/larger than 65536 bytes/);
    expect(hits.filter((h) => h === '/jwks')).toEqual([]); // the redirect was not followed
  });

  it('an 80 MB answer is cut off at the byte cap while streaming', async () => {
    const started = Date.now();
    const err = await refusal(makeVerifier(keys, { jwksUri: loopback }, clientAt(`${base}/huge`)), await signedBy('old'));
    expect(err.error_description).toBe(KEYS_UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('a failure is remembered for the cooldown: 5 requests, 1 fetch', async () => {
    const verifier = makeVerifier(keys, { jwksUri: loopback }, clientAt(`${base}/missing`));
    for (let i = 0; i < 5; i++) expect((await refusal(verifier, await signedBy('old'))).error_description).toBe(KEYS_UNAVAILABLE);
    expect(hits).toEqual(['/missing']);
  });
});

describe('a client\'s jwks_uri: the verifier\'s own key-set cache', () => {
  it('500 concurrent requests for a cold client make one fetch', async () => {
    const verifier = makeVerifier(keys, { jwksUri: loopback }, clientAt(`${base}/jwks`));
    const requests = await Promise.all(Array.from({ length: 500 }, () => signedBy('old')));
    const results = await Promise.all(requests.map((q) => verifier.verify(q)));
    expect(results.every((r) => r.requestObject?.header.kid === 'c1')).toBe(true);
    expect(hits).toEqual(['/jwks']);
  });

  it('each verifier owns its cache and its options', async () => {
    const client = clientAt(`${base}/jwks`);
    const tiny = makeVerifier(keys, { jwksUri: { ...loopback, maxBytes: 16 } }, client);
    const normal = makeVerifier(keys, { jwksUri: loopback }, client);
    expect((await refusal(tiny, await signedBy('old'))).error_description).toBe(KEYS_UNAVAILABLE);
    expect((await normal.verify(await signedBy('old'))).clientId).toBe(CLIENT_ID);
    await normal.verify(await signedBy('old'));
    expect(hits).toEqual(['/jwks', '/jwks']);
  });

  it('a rotated key is fetched for at the cooldown (5 s by default), once however many requests arrive', async () => {
    let now = NOW;
    const verifier = makeVerifier(keys, { jwksUri: loopback, now: () => now }, clientAt(`${base}/jwks`));
    await verifier.verify(await signedBy('old'));
    published = [keys.es256.publicJwk, rotated()];
    now += 1000;
    const early = await Promise.all(Array.from({ length: 50 }, async () => refusal(verifier, await signedBy('new'))));
    expect(early.every((e) => e.check === 'key')).toBe(true);
    expect(hits).toEqual(['/jwks']);
    now = NOW + 5000;
    const requests = await Promise.all(Array.from({ length: 50 }, () => signedBy('new')));
    const results = await Promise.all(requests.map((q) => verifier.verify(q)));
    expect(results.every((r) => r.requestObject?.header.kid === 'c2')).toBe(true);
    expect(hits).toEqual(['/jwks', '/jwks']);
    // An unknown kid within the cooldown of that fetch does not fetch again.
    now += 1000;
    const unknown = query({ client_id: CLIENT_ID, request: await sign(claims(), keys.other.privateKey, { alg: 'ES256', kid: 'c3' }) });
    expect((await refusal(verifier, unknown)).check).toBe('key');
    expect(hits).toEqual(['/jwks', '/jwks']);
  });

  it('measured on the wall clock: the new kid is accepted within the default cooldown plus margin, with 2 fetches', async () => {
    const fresh = () => {
      const s = Math.floor(Date.now() / 1000);
      return { iat: s, nbf: s, exp: s + 300 };
    };
    const verifier = makeVerifier(keys, { jwksUri: loopback, now: Date.now }, clientAt(`${base}/jwks`));
    await verifier.verify(await signedBy('old', fresh()));
    published = [rotated()];
    const rotatedAt = Date.now();
    let acceptedAfter: number | undefined;
    while (acceptedAfter === undefined && Date.now() - rotatedAt < 15_000) {
      try {
        await verifier.verify(await signedBy('new', fresh()));
        acceptedAfter = Date.now() - rotatedAt;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(acceptedAfter).toBeDefined();
    expect(acceptedAfter!).toBeLessThan(5000 + 3000);
    expect(hits).toEqual(['/jwks', '/jwks']);
  }, 20_000);
});

describe('validateClientMetadata: URLs the server would fetch', () => {
  it.each([
    ['jwks_uri', { jwks_uri: 'https://169.254.169.254/jwks' }],
    ['jwks_uri', { jwks_uri: 'https://10.0.0.5/jwks' }],
    ['jwks_uri', { jwks_uri: 'https://user:pw@client.example/jwks' }],
    ['request_uris', { request_uris: ['https://client.example/ro/', 'https://[fd00::1]/ro/'] }],
    ['request_uris', { request_uris: ['https://127.0.0.1:6443/'] }],
  ])('refuses a %s at a special-purpose address or with credentials', (field, metadata) => {
    expect(() => validateClientMetadata(metadata)).toThrow(expect.objectContaining({ field, error: 'invalid_client_metadata' }));
  });

  it('accepts public https URLs, and loopback with allowPrivateNetwork', () => {
    expect(() => validateClientMetadata({ jwks_uri: 'https://client.example/jwks', request_uris: ['https://client.example/ro/'] })).not.toThrow();
    expect(() => validateClientMetadata({ jwks_uri: 'https://127.0.0.1/jwks' }, { allowPrivateNetwork: true })).not.toThrow();
  });
});

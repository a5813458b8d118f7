import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, HostedRequestUriPublisher, MemoryRequestObjectStore, OAuthJarError } from '../../src/index.js';
import { toNodeHandler, type FetchHandler } from '../../src/node.js';
import { CLIENT_ID, ISSUER, NOW, clientFor, makeKeys, makeVerifier, query, refusal, type Keys } from '../helpers/verifier-fixtures.js';
import { close, listen } from '../helpers/loopback.js';

let keys: Keys;
let server: Server;
let origin: string;
let handler: FetchHandler = () => new Response(null, { status: 404 });

beforeAll(async () => {
  keys = await makeKeys();
  server = createServer(toNodeHandler((req) => handler(req)));
  origin = await listen(server);
});
afterAll(async () => {
  await close(server);
});

/** A publisher served by the loopback server, with a store on a clock the test moves. */
function hosted(ttl = 300) {
  const clock = { now: NOW };
  const store = new MemoryRequestObjectStore({ now: () => clock.now });
  const publisher = new HostedRequestUriPublisher({ baseUrl: `${origin}/jar/`, ttl, store });
  handler = publisher.handler;
  return { publisher, clock, store };
}

function builder() {
  return new AuthorizationRequestBuilder('code', CLIENT_ID)
    .endpoint(`${ISSUER}/authorize`)
    .audience(ISSUER)
    .redirectUri('https://client.example.org/cb')
    .scope('openid')
    .state('st')
    .clock(() => NOW)
    .signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' });
}

const loopback = { allowHttp: true, allowPrivateNetwork: true, timeout: 2000 };
const verifier = () => makeVerifier(keys, { requestUri: loopback }, clientFor(keys, { request_uris: [`${origin}/jar/`] }));
const byRef = (url: URL) => query({ client_id: url.searchParams.get('client_id')!, request_uri: url.searchParams.get('request_uri')! });

describe('HostedRequestUriPublisher over real HTTP', () => {
  it('round trip: builder → hosted request_uri → RequestObjectVerifier fetches and accepts it', async () => {
    const { publisher } = hosted();
    const request = await builder().publishWith(publisher).build();
    expect([...request.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(request.requestUri).toMatch(new RegExp(`^${origin}/jar/[A-Za-z0-9_-]{43}$`));
    expect(request.expiresIn).toBe(300);

    const verified = await verifier().verify(byRef(request.url));
    expect(verified.requestObject?.source).toBe('request_uri');
    expect(verified.parameters).toMatchObject({ client_id: CLIENT_ID, redirect_uri: 'https://client.example.org/cb', state: 'st' });
  });

  it('serves the object as application/oauth-authz-req+jwt with cache-control: no-store', async () => {
    const { publisher } = hosted();
    const request = await builder().publishWith(publisher).build();
    const res = await fetch(request.requestUri!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/oauth-authz-req+jwt');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe(request.requestObject);
  });

  it('the object expires after the ttl: 404 over HTTP, invalid_request_uri at the verifier', async () => {
    const { publisher, clock } = hosted(60);
    const request = await builder().publishWith(publisher).build();
    clock.now = NOW + 59_000;
    expect((await fetch(request.requestUri!)).status).toBe(200);
    clock.now = NOW + 60_000;
    expect((await fetch(request.requestUri!)).status).toBe(404);
    const err = await refusal(verifier(), byRef(request.url));
    expect(err.error).toBe('invalid_request_uri');
  });

  it('404 for an unknown id, a malformed id and a path outside baseUrl', async () => {
    const { publisher } = hosted();
    const { requestUri } = await publisher.publish('a.b.c', { clientId: CLIENT_ID });
    const id = requestUri.slice(`${origin}/jar/`.length);
    const other = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [`/jar/${other}`, `/jar/${id}x`, `/jar/`, `/jar/../jar/${other}`, `/other/${id}`]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect((await fetch(requestUri)).status).toBe(200);
  });

  it('405 with Allow for methods other than GET and HEAD', async () => {
    const { publisher } = hosted();
    const { requestUri } = await publisher.publish('a.b.c', { clientId: CLIENT_ID });
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(requestUri, { method, body: method === 'DELETE' ? null : 'x' });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    const head = await fetch(requestUri, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('ids carry 256 random bits and never repeat', async () => {
    const { publisher } = hosted();
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add((await publisher.publish('a.b.c', { clientId: CLIENT_ID })).requestUri);
    expect(ids.size).toBe(200);
    for (const uri of ids) expect(Buffer.from(uri.split('/').pop()!, 'base64url')).toHaveLength(32);
  });

  it('a store failure on publish is ERR_PUBLISH_FAILED; on serve a bare 503', async () => {
    const broken = new HostedRequestUriPublisher({
      baseUrl: `${origin}/jar/`,
      store: { put: () => Promise.reject(new Error('down')), get: () => Promise.reject(new Error('secret detail')) },
    });
    await expect(broken.publish('a.b.c', { clientId: CLIENT_ID })).rejects.toMatchObject({ code: 'ERR_PUBLISH_FAILED' });
    handler = broken.handler;
    const res = await fetch(`${origin}/jar/${'A'.repeat(43)}`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
  });

  it('refuses bad options with typed errors', () => {
    expect(() => new HostedRequestUriPublisher({ baseUrl: '/jar/' })).toThrow(OAuthJarError);
    expect(() => new HostedRequestUriPublisher({ baseUrl: 'https://rp.example/jar/?x=1' })).toThrow(/query/);
    expect(() => new HostedRequestUriPublisher({ baseUrl: 'https://rp.example/jar' })).toThrow(/end with "\/"/);
    expect(() => new HostedRequestUriPublisher({ baseUrl: 'https://rp.example/jar/', ttl: 0 })).toThrow(/ttl/);
    expect(() => new HostedRequestUriPublisher({ baseUrl: 'https://rp.example/jar/', store: {} as never })).toThrow(/store/);
  });
});

describe('MemoryRequestObjectStore', () => {
  it('sweeps expired entries as new ones arrive, without a timer', () => {
    let now = 0;
    const store = new MemoryRequestObjectStore({ now: () => now });
    for (let i = 0; i < 100; i++) store.put(`a${i}`, 'v', 5);
    expect(store.size).toBe(100);
    now = 11_000; // past the ttl and the sweep interval
    store.put('b', 'v', 5);
    expect(store.size).toBe(1);
    expect(store.get('a1')).toBeUndefined();
    expect(store.get('b')).toBe('v');
  });

  it('never holds more than maxEntries: the oldest go first', () => {
    const store = new MemoryRequestObjectStore({ maxEntries: 3 });
    for (const id of ['1', '2', '3', '4']) store.put(id, id, 60);
    expect(store.size).toBe(3);
    expect(store.get('1')).toBeUndefined();
    expect(store.get('4')).toBe('4');
  });
});

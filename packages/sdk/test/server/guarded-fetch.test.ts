// The guarded fetcher as the verifier uses it for request_uri values (RFC 9101 §5.2.3, §10.4), the
// Node build's resolved-address check by default, guardedFetch's outward text, and registered
// request_uri prefixes. Every host is the loopback test server; names are resolved by a stand-in
// for the system resolver, and the global fetch is stubbed wherever a name could be looked up.
import * as dns from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { guardedFetch } from '../../src/node.js';
import * as nodeEntry from '../../src/server-node.js';
import * as webEntry from '../../src/server.js';
import { matchesRegisteredRequestUri, type RequestObjectVerifierOptions } from '../../src/server.js';
import { causes } from '../helpers/causes.js';
import { close, listen } from '../helpers/loopback.js';
import { CLIENT_ID, ISSUER, NOW, claims, clientFor, makeKeys, makeVerifier, query, refusal, sign, type Keys } from '../helpers/verifier-fixtures.js';

let keys: Keys;
let server: Server;
let base: string;
let port: string;
let hits: string[] = [];
let bodies: string[] = [];
const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
const FETCH_FAILED = 'the request_uri could not be fetched';

beforeAll(async () => {
  keys = await makeKeys();
  const jws = await sign(claims(), keys.es256.privateKey);
  server = createServer(async (req, res) => {
    hits.push(req.url!);
    let body = '';
    for await (const chunk of req) body += chunk;
    bodies.push(body);
    const route = routes.get(req.url!.split('?')[0]!);
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  base = await listen(server);
  port = new URL(base).port;
  routes.set('/ro/ok', (_q, r) => r.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jws));
  routes.set('/ro/html', (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
  routes.set('/ro/slow', () => undefined);
  routes.set('/jwks', (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [keys.es256.publicJwk] })));
});
afterAll(() => close(server));
beforeEach(() => {
  hits = [];
  bodies = [];
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const loopback = { allowHttp: true, allowPrivateNetwork: true, timeout: 500 };
const byRef = (uri: string) => query({ client_id: CLIENT_ID, request_uri: uri });
const verifierFor = (registered: string[], opts: Partial<RequestObjectVerifierOptions> = {}) =>
  makeVerifier(keys, { requestUri: loopback, ...opts }, clientFor(keys, { request_uris: registered }));

/** The system resolver replaced: fixed answers, and a record of every name asked. */
function stubResolver(table: Record<string, string>) {
  const asked: string[] = [];
  vi.spyOn(dns.promises, 'lookup').mockImplementation((async (hostname: string) => {
    asked.push(hostname);
    const address = table[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  }) as never);
  // Nothing may reach a real resolver or network through the platform fetch either.
  const platformFetch = vi.fn(async () => {
    throw new TypeError('the platform fetch must not be used here');
  });
  vi.stubGlobal('fetch', platformFetch);
  return { asked, platformFetch };
}

describe('request_uri: one answer whatever the network did', () => {
  it('404, wrong type, timeout, closed port, refused address: the same error_description, the detail in cause', async () => {
    const details: string[] = [];
    for (const uri of [`${base}/ro/missing`, `${base}/ro/html`, `${base}/ro/slow`, 'http://127.0.0.1:1/ro/x']) {
      const err = await refusal(verifierFor([uri]), byRef(uri));
      expect([err.error, err.error_description], uri).toEqual(['invalid_request_uri', FETCH_FAILED]);
      details.push(causes(err));
    }
    const refused = await refusal(verifierFor([`${base}/ro/ok`], { requestUri: { allowHttp: true } }), byRef(`${base}/ro/ok`));
    expect(refused.error_description).toBe(FETCH_FAILED);
    expect(details[0]).toMatch(/HTTP 404/);
    expect(details[1]).toMatch(/text\/html/);
    expect(details[2]).toMatch(/500 ms/);
    expect(details[3]).toMatch(/could not be reached/);
  });

  it('a failed request_uri is remembered for the cooldown: 5 requests, 1 fetch', async () => {
    const verifier = verifierFor([`${base}/ro/`]);
    for (let i = 0; i < 5; i++) expect((await refusal(verifier, byRef(`${base}/ro/missing`))).error_description).toBe(FETCH_FAILED);
    expect(hits).toEqual(['/ro/missing']);
  });
});

describe('registered request_uri prefixes', () => {
  it.each([
    'https://c.example/jar/..%2Fadmin',
    'https://c.example/jar/..%2fadmin',
    'https://c.example/jar/x%2F..%2F..%2Fadmin',
    'https://c.example/jar/..%5Cadmin',
    'https://c.example/jar/%2e%2e%2Fadmin',
    'https://c.example/jar/.%2E/admin',
    'https://c.example/jar/%2E./admin',
    'https://c.example/jar/..\\admin',
  ])('%s is not inside https://c.example/jar/', (uri) => {
    expect(matchesRegisteredRequestUri(uri, ['https://c.example/jar/'])).toBe(false);
  });

  it('ordinary values below the prefix still match, queries included', () => {
    expect(matchesRegisteredRequestUri('https://c.example/jar/abc-123_x.jwt', ['https://c.example/jar/'])).toBe(true);
    expect(matchesRegisteredRequestUri('https://c.example/jar/abc?next=%2Fhome', ['https://c.example/jar/'])).toBe(true);
  });

  it('the verifier refuses an encoded escape from the prefix without fetching', async () => {
    const err = await refusal(verifierFor([`${base}/ro/`]), byRef(`${base}/ro/..%2Fjwks`));
    expect([err.error, err.check]).toEqual(['invalid_request_uri', 'request_uri']);
    expect(hits).toEqual([]);
  });
});

describe('oauth-jar/server on Node: resolved addresses are checked by default', () => {
  const nodeVerifier = (opts: Partial<RequestObjectVerifierOptions>, client: Record<string, unknown>) =>
    new nodeEntry.RequestObjectVerifier({
      issuer: ISSUER,
      getClient: (id) => (id === CLIENT_ID ? { ...clientFor(keys), ...client } : undefined),
      now: () => NOW,
      ...opts,
    });

  it('a request_uri whose name resolves to loopback is refused, with no fetch and no option set', async () => {
    const { asked, platformFetch } = stubResolver({ 'rp.example': '127.0.0.1' });
    const uri = `http://rp.example:${port}/ro/ok`;
    const verifier = nodeVerifier({ requestUri: { allowHttp: true } }, { request_uris: [uri] });
    const err = await refusal(verifier as never, byRef(uri));
    expect([err.error, err.error_description]).toEqual(['invalid_request_uri', FETCH_FAILED]);
    expect(causes(err)).toMatch(/loopback, private or link-local/);
    expect(asked).toEqual(['rp.example']);
    expect(platformFetch).not.toHaveBeenCalled();
    expect(hits).toEqual([]);
  });

  it('a jwks_uri whose name resolves to a private address is refused the same way', async () => {
    const { platformFetch } = stubResolver({ 'keys.example': '10.0.0.5' });
    const client = { jwks: undefined, jwks_uri: `http://keys.example:${port}/jwks` };
    const verifier = nodeVerifier({ network: { allowHttp: true } }, client);
    const err = await refusal(verifier as never, query({ client_id: CLIENT_ID, request: await sign(claims(), keys.es256.privateKey) }));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_object', 'key', 'the client\'s keys could not be fetched']);
    expect(causes(err)).toMatch(/loopback, private or link-local/);
    expect(platformFetch).not.toHaveBeenCalled();
    expect(hits).toEqual([]);
  });

  it('the Node build really connects through the resolver: allowed with allowPrivateNetwork', async () => {
    const { asked, platformFetch } = stubResolver({ 'rp.example': '127.0.0.1', 'keys.example': '127.0.0.1' });
    const uri = `http://rp.example:${port}/ro/ok`;
    const verifier = nodeVerifier({ network: loopback }, { request_uris: [uri], jwks: undefined, jwks_uri: `http://keys.example:${port}/jwks` });
    const { requestObject } = await verifier.verify(byRef(uri));
    expect(requestObject?.source).toBe('request_uri');
    expect(hits).toEqual(['/ro/ok', '/jwks']);
    expect(asked).toEqual(['rp.example', 'keys.example']);
    expect(platformFetch).not.toHaveBeenCalled();
  });

  it('exports the same names as the Web-API build', () => {
    expect(Object.keys(nodeEntry).sort()).toEqual(Object.keys(webEntry).sort());
    expect(new nodeEntry.RequestObjectVerifier({ issuer: ISSUER, getClient: () => undefined })).toBeInstanceOf(webEntry.RequestObjectVerifier);
  });
});

describe('guardedFetch: uniform text, GET and POST under the same guards', () => {
  it('a name resolving to a private address and an unknown name fail with the same message', async () => {
    const lookup = async (hostname: string) => (hostname === 'db.corp.example' ? [{ address: '10.20.30.40', family: 4 }] : []);
    const f = guardedFetch({ lookup });
    const a = await f(`http://db.corp.example:${port}/`).catch((e: Error) => e);
    const b = await f(`http://nowhere.example:${port}/`).catch((e: Error) => e);
    expect([a, b].map((e) => [e.constructor.name, (e as Error).message])).toEqual([['TypeError', 'fetch failed'], ['TypeError', 'fetch failed']]);
    expect(causes(a)).toMatch(/10\.20\.30\.40/);
    expect(causes(b)).toMatch(/no address/);
    expect(hits).toEqual([]);
  });

  it('POSTs a form body, and refuses a private name for POST too', async () => {
    const lookup = async (hostname: string) => [{ address: hostname === 'wallet.example' ? '127.0.0.1' : '192.168.1.1', family: 4 }];
    const body = new URLSearchParams({ wallet_nonce: 'n-1', wallet_metadata: '{"vp_formats_supported":{}}' });
    const allowed = guardedFetch({ lookup, allowPrivateNetwork: true });
    const res = await allowed(`http://wallet.example:${port}/ro/ok`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(bodies).toEqual([body.toString()]);
    const guarded = guardedFetch({ lookup });
    await expect(guarded(`http://rp.example:${port}/ro/ok`, { method: 'POST', body })).rejects.toThrow('fetch failed');
    expect(hits).toEqual(['/ro/ok']);
  });
});

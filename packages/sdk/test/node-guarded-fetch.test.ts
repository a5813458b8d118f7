// oauth-jar/node guardedFetch: the verifier's request_uri fetch refuses host names that resolve to
// loopback, private or link-local addresses (RFC 9101 §10.4), checked at connect
// time. Names are resolved by an injected resolver that points them at the loopback test server,
// which is exactly the attack: a public-looking name with a private address.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guardedFetch, type ResolvedAddress } from '../src/node.js';
import { CLIENT_ID, claims, clientFor, makeKeys, makeVerifier, query, refusal, sign, type Keys } from './helpers/verifier-fixtures.js';
import { causes } from './helpers/causes.js';
import { close, listen } from './helpers/loopback.js';

let keys: Keys;
let server: Server;
let port: string;
let hits = 0;
let jws: string;
let stall = false;

beforeAll(async () => {
  keys = await makeKeys();
  jws = await sign(claims(), keys.es256.privateKey);
  server = createServer((req, res) => {
    hits++;
    if (stall) return; // never answers
    res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jws);
  });
  port = new URL(await listen(server)).port;
});
afterAll(() => close(server));
beforeEach(() => {
  hits = 0;
  stall = false;
});

/** A resolver for tests: fixed answers, no DNS traffic. */
const resolver = (table: Record<string, string[]>) => async (hostname: string): Promise<ResolvedAddress[]> =>
  (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

// The verifier's own guards let these through (http, names): what is left is guardedFetch's.
function verifierWith(fetch: typeof globalThis.fetch, uri: string, timeout = 2000) {
  return makeVerifier(
    keys,
    { requestUri: { allowHttp: true, allowPrivateNetwork: true, timeout, fetch } },
    clientFor(keys, { request_uris: [uri] }),
  );
}
const byRef = (uri: string) => query({ client_id: CLIENT_ID, request_uri: uri });

describe('guardedFetch (oauth-jar/node)', () => {
  it('serves the verifier through ky when the connection is allowed: the adapter really fetches', async () => {
    const uri = `http://rp.test:${port}/jar/1`;
    const fetch = guardedFetch({ lookup: resolver({ 'rp.test': ['127.0.0.1'] }), allowPrivateNetwork: true });
    const { requestObject } = await verifierWith(fetch, uri).verify(byRef(uri));
    expect(requestObject?.source).toBe('request_uri');
    expect(hits).toBe(1);
  });

  it.each([
    ['loopback', ['127.0.0.1']],
    ['private 10/8', ['10.1.2.3']],
    ['link-local metadata address', ['169.254.169.254']],
    ['IPv6 loopback', ['::1']],
    ['IPv4-mapped IPv6 loopback', ['::ffff:127.0.0.1']],
    ['one private address among public ones', ['93.184.216.34', '192.168.1.1']],
  ])('a name resolving to a %s address is refused before connecting', async (_what, addresses) => {
    const uri = `http://rp.test:${port}/jar/1`;
    const fetch = guardedFetch({ lookup: resolver({ 'rp.test': addresses }) });
    const err = await refusal(verifierWith(fetch, uri), byRef(uri));
    expect(err.error).toBe('invalid_request_uri');
    expect(err.error_description).toBe('the request_uri could not be fetched');
    expect(causes(err)).toMatch(/loopback, private or link-local/);
    expect(hits).toBe(0);
  });

  it('a private IP literal is refused without a lookup, and localhost through the system resolver', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const uri = `http://${host}:${port}/jar/1`;
      const err = await refusal(verifierWith(guardedFetch(), uri), byRef(uri));
      expect(err.error, host).toBe('invalid_request_uri');
    }
    expect(hits).toBe(0);
  });

  it('an unknown name is invalid_request_uri, not a crash', async () => {
    const uri = `http://nowhere.test:${port}/jar/1`;
    const err = await refusal(verifierWith(guardedFetch({ lookup: resolver({}) }), uri), byRef(uri));
    expect(err.error).toBe('invalid_request_uri');
  });

  it('the verifier\'s timeout aborts a request through the adapter', async () => {
    stall = true;
    const uri = `http://rp.test:${port}/jar/slow`;
    const fetch = guardedFetch({ lookup: resolver({ 'rp.test': ['127.0.0.1'] }), allowPrivateNetwork: true });
    const err = await refusal(verifierWith(fetch, uri, 300), byRef(uri));
    expect(err.error).toBe('invalid_request_uri');
    expect(err.error_description).toBe('the request_uri could not be fetched');
    expect(causes(err)).toMatch(/300 ms/);
    expect(hits).toBe(1);
  });

  it('makes GET, HEAD and POST requests only', async () => {
    await expect(guardedFetch({ lookup: resolver({}) })(`http://rp.test:${port}/`, { method: 'PUT', body: 'x' })).rejects.toThrow(/GET, HEAD and POST/);
  });
});

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
/** What the server does after the status line, for the response-body tests below. */
let body: 'jws' | 'stall-body' | 'cut' | 'huge' | 'two-cookies' | 'big-declared' | 'burst' | 'status-999' = 'jws';
let sockets = 0;
let socketsClosed = 0;
let hugeWritten = 0;

beforeAll(async () => {
  keys = await makeKeys();
  jws = await sign(claims(), keys.es256.privateKey);
  server = createServer((req, res) => {
    hits++;
    if (stall) return; // never answers
    if (body === 'stall-body') return void res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).write(jws.slice(0, 10));
    if (body === 'cut') {
      // declares the whole object, sends a part, then drops the connection
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt', 'content-length': String(jws.length) }).write(jws.slice(0, 10));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (body === 'huge') {
      // an endless chunked body: only back-pressure and the reader's cap stop it
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' });
      const chunk = 'A'.repeat(64 * 1024);
      const pump = () => {
        while (!res.destroyed && hugeWritten < 256 * 1024 * 1024) {
          hugeWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
      return;
    }
    if (body === 'big-declared') {
      // more than the 64 KiB cap, with its length declared: refused before any read
      const big = 'A'.repeat(70_000);
      return void res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt', 'content-length': String(big.length) }).end(big);
    }
    if (body === 'burst') {
      // several chunks in one go: node:http still holds some when the reader's cap cancels
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' });
      res.write('A'.repeat(40_000));
      setTimeout(() => {
        res.write('B'.repeat(10));
        res.write('C'.repeat(30_000));
        res.end('D'.repeat(10));
      }, 5);
      return;
    }
    if (body === 'status-999') {
      req.socket.once('close', () => socketsClosed++);
      sockets++;
      return void res.writeHead(999, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jws);
    }
    if (body === 'two-cookies') {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      return void res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jws);
    }
    res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jws);
  });
  port = new URL(await listen(server)).port;
});
afterAll(() => close(server));
beforeEach(() => {
  hits = 0;
  stall = false;
  body = 'jws';
  hugeWritten = 0;
  sockets = 0;
  socketsClosed = 0;
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

  describe('the response body', () => {
    const allowed = () => guardedFetch({ lookup: resolver({ 'rp.test': ['127.0.0.1'] }), allowPrivateNetwork: true });

    it('a body that stalls after the headers is cut by the verifier\'s deadline', async () => {
      body = 'stall-body';
      const uri = `http://rp.test:${port}/jar/stall`;
      const started = Date.now();
      const err = await refusal(verifierWith(allowed(), uri, 300), byRef(uri));
      expect(err.error).toBe('invalid_request_uri');
      expect(causes(err)).toMatch(/300 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('a caller\'s abort after the headers ends the body stream', async () => {
      body = 'stall-body';
      const controller = new AbortController();
      const res = await allowed()(`http://rp.test:${port}/jar/stall`, { signal: controller.signal });
      const reading = res.text();
      controller.abort(new Error('caller gave up'));
      await expect(reading).rejects.toThrow();
    });

    it('a connection cut before the declared length is an error, not a short body', async () => {
      body = 'cut';
      const res = await allowed()(`http://rp.test:${port}/jar/cut`);
      await expect(res.text()).rejects.toThrow();
    });

    it('an endless body is cut at the cap', async () => {
      body = 'huge';
      const uri = `http://rp.test:${port}/jar/huge`;
      const err = await refusal(verifierWith(allowed(), uri), byRef(uri));
      expect(err.error).toBe('invalid_request_uri');
      expect(causes(err)).toMatch(/larger than 65536 bytes/);
    });

    it('a reader that does not read holds the server back (back-pressure), and cancelling ends it', async () => {
      body = 'huge';
      const res = await allowed()(`http://rp.test:${port}/jar/huge`);
      const reader = res.body!.getReader();
      await reader.read();
      await new Promise((r) => setTimeout(r, 300));
      // without back-pressure the socket would be drained into memory at loopback speed
      expect(hugeWritten).toBeLessThan(16 * 1024 * 1024);
      await reader.cancel();
    });

    // A cancelled body must drop the data node:http still hands over: a chunk given to a closed
    // web stream throws inside an event handler, which ends the whole process.
    it('a body cancelled with bytes still buffered does not throw in an event handler', async () => {
      for (const mode of ['jws', 'burst'] as const) {
        body = mode;
        const res = await allowed()(`http://rp.test:${port}/jar/${mode}`);
        await res.body!.cancel();
      }
      await new Promise((r) => setTimeout(r, 100)); // an uncaught throw would fail this file
    });

    it.each([
      ['declared over the cap', 'big-declared'],
      ['streamed over the cap in bursts', 'burst'],
    ] as const)('the verifier refuses a body %s, and the process goes on', async (_what, mode) => {
      body = mode;
      const uri = `http://rp.test:${port}/jar/${mode}`;
      const err = await refusal(verifierWith(allowed(), uri), byRef(uri));
      expect(err.error).toBe('invalid_request_uri');
      expect(causes(err)).toMatch(/larger than 65536 bytes/);
      await new Promise((r) => setTimeout(r, 100));
    });

    it('an answer that Response refuses (status 999) is a failure, and its connection is closed', async () => {
      body = 'status-999';
      for (let i = 0; i < 5; i++) {
        await expect(allowed()(`http://rp.test:${port}/jar/999-${i}`)).rejects.toThrow('fetch failed');
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(sockets).toBe(5);
      expect(socketsClosed).toBe(5);
    });

    it('repeated header fields are all kept', async () => {
      body = 'two-cookies';
      const res = await allowed()(`http://rp.test:${port}/jar/cookies`);
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(await res.text()).toBe(jws);
    });
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPrivateHost, matchesRegisteredRequestUri, type RequestObjectVerifierOptions } from '../../src/server.js';
import { CLIENT_ID, claims, clientFor, makeKeys, makeVerifier, query, refusal, sign, type Keys } from '../helpers/verifier-fixtures.js';
import { causes } from '../helpers/causes.js';
import { close, listen } from '../helpers/loopback.js';

let keys: Keys;
let server: Server;
let base: string;
let hits: string[] = [];
const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

beforeAll(async () => {
  keys = await makeKeys();
  server = createServer((req, res) => {
    hits.push(req.url!);
    const route = routes.get(req.url!.split('?')[0]!);
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  base = await listen(server);
});
afterAll(async () => {
  await close(server);
});
beforeEach(() => {
  hits = [];
});

const loopback = { allowHttp: true, allowPrivateNetwork: true, timeout: 1000 };
function verifierFor(registered: string[], opts: Partial<RequestObjectVerifierOptions> = {}) {
  return makeVerifier(keys, { requestUri: loopback, ...opts }, clientFor(keys, { request_uris: registered }));
}
const byRef = (uri: string) => query({ client_id: CLIENT_ID, request_uri: uri });

async function serveObject(path: string, type = 'application/oauth-authz-req+jwt', extra: Record<string, unknown> = {}) {
  const jws = await sign(claims(extra), keys.es256.privateKey);
  routes.set(path, (_req, res) => res.writeHead(200, { 'content-type': type }).end(jws));
  return jws;
}

describe('the request_uri fetcher', () => {
  it('fetches a registered request_uri once and verifies the object', async () => {
    await serveObject('/ro/1');
    const { requestObject } = await verifierFor([`${base}/ro/1`]).verify(byRef(`${base}/ro/1#frag`));
    expect(hits).toEqual(['/ro/1']);
    expect(requestObject?.source).toBe('request_uri');
  });

  it('tolerates application/jwt', async () => {
    await serveObject('/ro/jwt', 'application/jwt');
    await expect(verifierFor([`${base}/ro/jwt`]).verify(byRef(`${base}/ro/jwt`))).resolves.toBeDefined();
  });

  it('a registered prefix ending in "/" matches', async () => {
    await serveObject('/ro/prefix/abc');
    await expect(verifierFor([`${base}/ro/prefix/`]).verify(byRef(`${base}/ro/prefix/abc`))).resolves.toBeDefined();
    expect(hits).toEqual(['/ro/prefix/abc']);
  });

  it('an unregistered request_uri is invalid_request_uri and makes no request', async () => {
    await serveObject('/ro/2');
    const err = await refusal(verifierFor([`${base}/ro/1`]), byRef(`${base}/ro/2`));
    expect(err.error).toBe('invalid_request_uri');
    expect(hits).toEqual([]);
  });

  it('a client with no request_uris registered makes no request', async () => {
    const verifier = makeVerifier(keys, { requestUri: loopback });
    expect((await refusal(verifier, byRef(`${base}/ro/1`))).error).toBe('invalid_request_uri');
    expect(hits).toEqual([]);
  });

  it('"../" cannot climb out of a registered prefix, and makes no request', async () => {
    const err = await refusal(verifierFor([`${base}/ro/prefix/`]), byRef(`${base}/ro/prefix/../secret`));
    expect(err.error).toBe('invalid_request_uri');
    expect(hits).toEqual([]);
  });

  it('a registered value without a trailing "/" is not a prefix', () => {
    expect(matchesRegisteredRequestUri('https://c.example/ro/1x', ['https://c.example/ro/1'])).toBe(false);
    expect(matchesRegisteredRequestUri('https://c.example/ro/1#a', ['https://c.example/ro/1#b'])).toBe(true);
    expect(matchesRegisteredRequestUri('https://c.example.evil/ro', ['https://c.example/'])).toBe(false);
  });

  it('http is refused without allowHttp, and makes no request', async () => {
    await serveObject('/ro/1');
    const verifier = verifierFor([`${base}/ro/1`], { requestUri: { allowPrivateNetwork: true } });
    expect((await refusal(verifier, byRef(`${base}/ro/1`))).error).toBe('invalid_request_uri');
    expect(hits).toEqual([]);
  });

  it('a loopback IP literal is refused without allowPrivateNetwork, and makes no request', async () => {
    await serveObject('/ro/1');
    const verifier = verifierFor([`${base}/ro/1`], { requestUri: { allowHttp: true } });
    const err = await refusal(verifier, byRef(`${base}/ro/1`));
    expect(err.error).toBe('invalid_request_uri');
    expect(err.error_description).toBe('the request_uri could not be fetched');
    expect(causes(err)).toMatch(/loopback, private or link-local/);
    expect(hits).toEqual([]);
  });

  it('with registration not required, an https URL to a private address is still refused', async () => {
    const verifier = makeVerifier(keys, { requireRequestUriRegistration: false });
    for (const uri of ['https://169.254.169.254/latest/meta-data', 'https://[::1]/x', 'https://10.0.0.1/x', 'https://localhost/x', 'https://2130706433/x']) {
      expect((await refusal(verifier, byRef(uri))).error).toBe('invalid_request_uri');
    }
  });

  it('redirects are not followed: one hit, the target is never requested', async () => {
    routes.set('/ro/redirect', (_req, res) => res.writeHead(302, { location: `${base}/ro/target` }).end());
    await serveObject('/ro/target');
    const err = await refusal(verifierFor([`${base}/ro/redirect`]), byRef(`${base}/ro/redirect`));
    expect(err.error).toBe('invalid_request_uri');
    expect(hits).toEqual(['/ro/redirect']);
  });

  it('text/html is refused', async () => {
    await serveObject('/ro/html', 'text/html');
    expect((await refusal(verifierFor([`${base}/ro/html`]), byRef(`${base}/ro/html`))).error).toBe('invalid_request_uri');
  });

  it('a missing content type is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    routes.set('/ro/notype', (_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200).end(jws);
    });
    expect((await refusal(verifierFor([`${base}/ro/notype`]), byRef(`${base}/ro/notype`))).error).toBe('invalid_request_uri');
  });

  it('a non-200 answer is refused', async () => {
    expect((await refusal(verifierFor([`${base}/ro/missing`]), byRef(`${base}/ro/missing`))).error).toBe('invalid_request_uri');
    expect(hits).toEqual(['/ro/missing']);
  });

  it('a 64 MB answer is cut off at the byte cap while streaming, not buffered', async () => {
    let written = 0;
    routes.set('/ro/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const write = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('close', () => undefined);
      write();
    });
    const started = Date.now();
    const err = await refusal(verifierFor([`${base}/ro/huge`]), byRef(`${base}/ro/huge`));
    expect(err.error).toBe('invalid_request_uri');
    expect(err.error_description).toBe('the request_uri could not be fetched');
    expect(causes(err)).toMatch(/larger than 65536 bytes/);
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 50));
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('a declared Content-Length over the cap is refused at once', async () => {
    routes.set('/ro/declared', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt', 'content-length': String(10 * 1024 * 1024) });
      res.write('a');
    });
    const err = await refusal(verifierFor([`${base}/ro/declared`]), byRef(`${base}/ro/declared`));
    expect(err.error).toBe('invalid_request_uri');
  });

  it('a host that never answers is cut off by the timeout', async () => {
    routes.set('/ro/slow', () => undefined);
    const started = Date.now();
    const err = await refusal(verifierFor([`${base}/ro/slow`], { requestUri: { ...loopback, timeout: 300 } }), byRef(`${base}/ro/slow`));
    expect(err.error).toBe('invalid_request_uri');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a request_uri inside the fetched object is never followed', async () => {
    await serveObject('/ro/nested', undefined, { request_uri: `${base}/ro/second` });
    await serveObject('/ro/second');
    const err = await refusal(verifierFor([`${base}/ro/nested`, `${base}/ro/second`]), byRef(`${base}/ro/nested`));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'forbidden_claim']);
    expect(hits).toEqual(['/ro/nested']);
  });

  it.each([
    ['an unknown client', { client_id: 'nobody' }],
    ['request and request_uri together', { request: 'a.b.c' }],
    ['a repeated request_uri', { request_uri: ['x', 'y'] }],
  ])('%s makes no request', async (_, extra) => {
    await serveObject('/ro/1');
    await refusal(verifierFor([`${base}/ro/1`]), query({ client_id: CLIENT_ID, request_uri: `${base}/ro/1`, ...extra }));
    expect(hits).toEqual([]);
  });

  it('fetching switched off makes no request', async () => {
    await serveObject('/ro/1');
    const err = await refusal(verifierFor([`${base}/ro/1`], { requestUri: false }), byRef(`${base}/ro/1`));
    expect(err.error).toBe('request_uri_not_supported');
    expect(hits).toEqual([]);
  });
});

describe('isPrivateHost', () => {
  it.each([
    '127.0.0.1', '127.1.2.3', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0',
    '100.64.0.1', '224.0.0.1', '255.255.255.255', '[::1]', '[::]', '[fe80::1]', '[fc00::1]', '[fd12:3456::1]',
    '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:a9fe:a9fe]', 'localhost', 'foo.localhost', 'LOCALHOST.',
  ])('%s is private', (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '93.184.216.34', '[2606:4700::1111]', 'example.com', '[::ffff:808:808]'])('%s is public', (host) => {
    expect(isPrivateHost(host)).toBe(false);
  });

  it('URL parsing normalizes odd IPv4 forms before the check', () => {
    for (const h of ['http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://[::ffff:127.0.0.1]/']) {
      expect(isPrivateHost(new URL(h).hostname)).toBe(true);
    }
  });
});

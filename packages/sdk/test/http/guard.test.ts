// http/guard.ts, request-uri.ts and jwks.ts on their own: the one guarded fetcher for every URL a
// client or a request names (RFC 9101 §10.4), against a loopback server. Refused hosts are checked
// with a fetch spy, so nothing could leave the machine even if the guard were wrong.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetcher, type GuardedFetcher, type GuardedRequest } from '../../src/http/guard.js';
import type { HttpResponse } from '../../src/http/client.js';
import { fetchJwks } from '../../src/http/jwks.js';
import { fetchRequestObject } from '../../src/http/request-uri.js';
import { OAuthJarError } from '../../src/errors.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';

let server: Server;
let origin: string;
const hits: string[] = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/ok': (_req, res) => res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end('a.b.c'),
  '/accept': (req, res) => res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(String(req.headers.accept)),
  '/redirect': (_req, res) => res.writeHead(302, { location: '/ok' }).end(),
  '/html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
  '/big': (_req, res) => res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end('x'.repeat(4096)),
  '/slow': () => {}, // never answers
  '/later': (_req, res) => {
    // the headers now, the body 50 ms later
    res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).flushHeaders();
    setTimeout(() => res.end('a.b.c'), 50);
  },
  '/fail': (_req, res) => res.writeHead(500).end(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url!);
    (routes[req.url!] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  origin = await listen(server);
});
afterAll(() => close(server));

const GET = (url: string): GuardedRequest => ({ method: 'GET', url, what: 'the request_uri', accept: ['application/oauth-authz-req+jwt'] });
// The loopback server is on 127.0.0.1 over http: the policy has to allow both to reach it.
const local = { allowHttp: true, allowPrivateNetwork: true } as const;

describe('createGuardedFetcher: what is never fetched', () => {
  it.each([
    ['http without allowHttp', 'http://client.example.com/ro'],
    ['credentials in the URL', 'https://user:pw@client.example.com/ro'],
    ['a private address', 'https://10.0.0.7/ro'],
    ['cloud metadata (link-local)', 'https://169.254.169.254/latest/meta-data/'],
    ['a home network address', 'https://192.168.1.1/ro'],
    ['loopback', 'https://127.0.0.1/ro'],
    ['localhost', 'https://localhost/ro'],
    ['IPv6 loopback', 'https://[::1]/ro'],
    ['not a URL', 'client.example.com/ro'],
  ])('%s is refused before any request', async (_name, url) => {
    const calls: unknown[] = [];
    const spy = (async (input: unknown) => {
      calls.push(input);
      return new Response('a.b.c', { headers: { 'content-type': 'application/oauth-authz-req+jwt' } });
    }) as typeof fetch;
    const err = await failure(createGuardedFetcher({ fetch: spy }).fetch(GET(url)));
    expect(err.code).toBe('ERR_INVALID_URL');
    expect(calls).toEqual([]);
  });

  it('rejects invalid policy values', () => {
    expect(() => createGuardedFetcher({ timeout: -1 })).toThrow(OAuthJarError);
    expect(() => createGuardedFetcher({ maxBytes: Number.NaN })).toThrow(OAuthJarError);
    expect(() => createGuardedFetcher({ fetch: 'fetch' as unknown as typeof fetch })).toThrow(OAuthJarError);
  });
});

describe('createGuardedFetcher: what comes back', () => {
  it('a 200 of an accepted type is returned; the fragment is not sent', async () => {
    const res = await createGuardedFetcher(local).fetch(GET(`${origin}/ok#frag`));
    expect([res.status, res.text()]).toEqual([200, 'a.b.c']);
  });

  it('sends the accepted types in order, with decreasing q-values', async () => {
    const res = await createGuardedFetcher(local).fetch({ ...GET(`${origin}/accept`), accept: ['application/oauth-authz-req+jwt', 'application/jwt'] });
    expect(res.text()).toBe('application/oauth-authz-req+jwt, application/jwt;q=0.8');
  });

  it('a redirect is an answer, not followed', async () => {
    const before = hits.filter((h) => h === '/ok').length;
    const err = await failure(createGuardedFetcher(local).fetch(GET(`${origin}/redirect`)));
    expect(err.message).toContain('HTTP 302');
    expect(hits.filter((h) => h === '/ok').length).toBe(before);
  });

  it('another content type (text/html) is refused', async () => {
    expect((await failure(createGuardedFetcher(local).fetch(GET(`${origin}/html`)))).message).toContain('text/html');
  });

  it('a body over maxBytes is refused', async () => {
    await failure(createGuardedFetcher({ ...local, maxBytes: 1024 }).fetch(GET(`${origin}/big`)));
  });

  // A custom fetch that keeps a copy of the body (a tee) makes a cancel that never settles: the
  // refusal must not wait for it.
  it.each([
    ['declared over the cap', { 'content-length': '4096' }],
    ['streamed over the cap', {}],
  ])('a body %s is refused at once even when cancelling it never settles', async (_what, headers) => {
    let kept: ReadableStream<Uint8Array> | undefined;
    const teeing: typeof fetch = async () => {
      const [mine, theirs] = new Response('x'.repeat(4096)).body!.tee();
      kept = theirs; // held and never read: cancelling `mine` alone does not settle
      return new Response(mine, { status: 200, headers: { 'content-type': 'application/oauth-authz-req+jwt', ...headers } });
    };
    const started = Date.now();
    const err = await failure(createGuardedFetcher({ ...local, maxBytes: 1024, timeout: 20_000, fetch: teeing }).fetch(GET('https://rp.example.org/ro')));
    expect(err.message).toContain('larger than 1024 bytes');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(kept).toBeDefined();
  });

  it('a timeout above the largest timer delay still reads the body (no overflow to 1 ms)', async () => {
    const res = await createGuardedFetcher({ ...local, timeout: 3e9 }).fetch(GET(`${origin}/later`));
    expect(res.text()).toBe('a.b.c');
  });

  it('a server that does not answer is given up at the deadline', async () => {
    const started = Date.now();
    await failure(createGuardedFetcher({ ...local, timeout: 300 }).fetch(GET(`${origin}/slow`)));
    // generous: the machine is shared
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a failure is remembered for the cooldown: no second request until it has passed', async () => {
    let clock = 1_000_000;
    const fetcher = createGuardedFetcher({ ...local, cooldown: 5000 }, () => clock);
    const count = () => hits.filter((h) => h === '/fail').length;
    const before = count();
    await failure(fetcher.fetch(GET(`${origin}/fail`)));
    const again = await failure(fetcher.fetch(GET(`${origin}/fail`)));
    expect(again.message).toContain('not fetched again yet');
    expect(count()).toBe(before + 1);
    clock += 5001;
    await failure(fetcher.fetch(GET(`${origin}/fail`)));
    expect(count()).toBe(before + 2);
  });
});

/** A fetcher that answers with `body` and records what it was asked. */
function answering(body: Uint8Array | string, type: string): GuardedFetcher & { asked: GuardedRequest[] } {
  const asked: GuardedRequest[] = [];
  return {
    asked,
    async fetch(req): Promise<HttpResponse> {
      asked.push(req);
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      return { status: 200, headers: new Headers({ 'content-type': type }), body: bytes, text: () => new TextDecoder().decode(bytes) };
    },
  };
}

describe('fetchRequestObject (RFC 9101 §5.2.3)', () => {
  it('returns the trimmed compact JWT and asks for application/oauth-authz-req+jwt first', async () => {
    const fetcher = answering(' a.b.c\n', 'application/oauth-authz-req+jwt');
    expect(await fetchRequestObject('https://client.example.com/ro', fetcher)).toBe('a.b.c');
    expect(fetcher.asked[0]).toMatchObject({ method: 'GET', url: 'https://client.example.com/ro' });
    expect(fetcher.asked[0]!.accept[0]).toBe('application/oauth-authz-req+jwt');
  });

  it('a body that is not UTF-8 is ERR_RESPONSE', async () => {
    const err = await failure(fetchRequestObject('https://client.example.com/ro', answering(new Uint8Array([0xff, 0xfe]), 'application/jwt')));
    expect(err.code).toBe('ERR_RESPONSE');
  });
});

describe('fetchJwks', () => {
  it('returns a JWK set', async () => {
    expect(await fetchJwks('https://client.example.com/jwks', answering('{"keys":[]}', 'application/json'))).toEqual({ keys: [] });
  });

  it.each([
    ['not JSON', 'not json'],
    ['JSON without keys', '{"key":1}'],
    ['keys not an array', '{"keys":{}}'],
    ['null', 'null'],
  ])('%s is ERR_RESPONSE', async (_name, body) => {
    const err = await failure(fetchJwks('https://client.example.com/jwks', answering(body, 'application/json')));
    expect(err.code).toBe('ERR_RESPONSE');
  });
});

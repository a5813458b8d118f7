import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNodeHandler, type FetchHandler } from '../src/node.js';
import { close, listen } from './helpers/loopback.js';

let server: Server;
let origin: string;
let handler: FetchHandler;

beforeAll(async () => {
  server = createServer(toNodeHandler((req) => handler(req)));
  origin = await listen(server);
});
afterAll(async () => {
  await close(server);
});

describe('toNodeHandler (oauth-jar/node)', () => {
  it('passes method, URL, headers and a streamed body to the handler', async () => {
    handler = async (req) =>
      Response.json({ method: req.method, url: req.url, h: req.headers.get('x-test'), body: await req.text() });
    const res = await fetch(`${origin}/a/b?c=d`, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'x'.repeat(100_000) });
    const got = (await res.json()) as Record<string, unknown>;
    expect(got).toEqual({ method: 'POST', url: `${origin}/a/b?c=d`, h: 'yes', body: 'x'.repeat(100_000) });
  });

  it('writes status, headers, several set-cookie values and a large body', async () => {
    handler = () => {
      const headers = new Headers({ 'content-type': 'text/plain', 'x-a': '1' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response('y'.repeat(1_000_000), { status: 202, headers });
    };
    const res = await fetch(origin);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-a')).toBe('1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect((await res.text()).length).toBe(1_000_000);
  });

  it('a handler that throws answers 500 without details', async () => {
    handler = () => {
      throw new Error('secret detail');
    };
    const res = await fetch(origin);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('');
  });

  it('refuses a non-function', () => {
    expect(() => toNodeHandler('x' as never)).toThrow(TypeError);
  });
});

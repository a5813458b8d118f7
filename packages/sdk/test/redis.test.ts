// oauth-jar/redis against a real Debian redis-server on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, HostedRequestUriPublisher } from '../src/index.js';
import { toNodeHandler } from '../src/node.js';
import { RedisReplayStore, RedisRequestObjectStore } from '../src/redis.js';
import { CLIENT_ID, ISSUER, clientFor, makeKeys, makeVerifier, query, refusal, type Keys } from './helpers/verifier-fixtures.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { close, listen } from './helpers/loopback.js';

let redis: TestRedis;
let keys: Keys;
let server: Server;
let origin: string;
let serving: HostedRequestUriPublisher;

beforeAll(async () => {
  [redis, keys] = await Promise.all([startRedis(), makeKeys()]);
  server = createServer(toNodeHandler((req) => serving.handler(req)));
  origin = await listen(server);
});
afterAll(async () => {
  await close(server);
  await redis?.stop();
});

function builder() {
  return new AuthorizationRequestBuilder('code', CLIENT_ID)
    .endpoint(`${ISSUER}/authorize`)
    .audience(ISSUER)
    .redirectUri('https://client.example.org/cb')
    .scope('openid')
    .signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' });
}

const verifier = (opts = {}) =>
  makeVerifier(
    keys,
    { requestUri: { allowHttp: true, allowPrivateNetwork: true, timeout: 2000 }, now: Date.now, ...opts },
    clientFor(keys, { request_uris: [`${origin}/jar/`] }),
  );

/** Two relying-party instances: each its own Redis connection and its own publisher. */
async function twoInstances(ttl: number, prefix = `t${Math.random()}:`) {
  const [a, b] = await Promise.all([redis.client(), redis.client()]);
  const mk = (c: typeof a) => new HostedRequestUriPublisher({ baseUrl: `${origin}/jar/`, ttl, store: new RedisRequestObjectStore(c, { prefix }) });
  return { publishing: mk(a), serving: mk(b) };
}

describe('RedisRequestObjectStore', () => {
  it('two publisher instances share one Redis: one publishes, the other serves, the verifier accepts', async () => {
    const instances = await twoInstances(60);
    serving = instances.serving;
    const request = await builder().publishWith(instances.publishing).build();
    const res = await fetch(request.requestUri!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/oauth-authz-req+jwt');
    expect(await res.text()).toBe(request.requestObject);

    const verified = await verifier().verify(query({ client_id: CLIENT_ID, request_uri: request.requestUri! }));
    expect(verified.requestObject?.source).toBe('request_uri');
  });

  it('the entry expires with the ttl (Redis EX)', async () => {
    const instances = await twoInstances(1);
    serving = instances.serving;
    const request = await builder().publishWith(instances.publishing).build();
    expect((await fetch(request.requestUri!)).status).toBe(200);
    const c = await redis.client();
    const ttl = await c.pTTL(`${(await keyOf(c, request.requestUri!))}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await fetch(request.requestUri!)).status).toBe(404);
  });

  it('an unknown id is 404', async () => {
    serving = (await twoInstances(60)).serving;
    expect((await fetch(`${origin}/jar/${'A'.repeat(43)}`)).status).toBe(404);
  });

  it('refuses something that is not a client', () => {
    expect(() => new RedisRequestObjectStore({} as never)).toThrow(/node-redis/);
  });
});

/** The Redis key holding a published request_uri's object. */
async function keyOf(c: Awaited<ReturnType<TestRedis['client']>>, requestUri: string): Promise<string> {
  const id = requestUri.split('/').pop()!;
  const found = await c.keys(`*${id}`);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('RedisReplayStore', () => {
  it('a jti accepted by one verifier instance is refused by another', async () => {
    const [a, b] = await Promise.all([redis.client(), redis.client()]);
    const one = verifier({ replayStore: new RedisReplayStore(a) });
    const two = verifier({ replayStore: new RedisReplayStore(b) });
    const request = await builder().build();
    const q = query({ client_id: CLIENT_ID, request: request.requestObject! });
    await expect(one.verify(q)).resolves.toBeDefined();
    const err = await refusal(two, q);
    expect(err.error).toBe('invalid_request_object');
    expect(err.message).toMatch(/jti/);
    // and by the first one too
    expect((await refusal(one, q)).error).toBe('invalid_request_object');
    // a fresh object (new jti) is accepted by the second
    const next = await builder().build();
    await expect(two.verify(query({ client_id: CLIENT_ID, request: next.requestObject! }))).resolves.toBeDefined();
  });

  it('PAR: the object verified at the PAR endpoint is accepted once from the PAR store (RFC 9126 §4), never by value again', async () => {
    const request = await builder().build();
    const urn = 'urn:ietf:params:oauth:request_uri:redis-par-test';
    // a PAR store that does not delete: the replay store still allows one use of the request_uri
    const v = verifier({ replayStore: new RedisReplayStore(await redis.client()), pushedAuthorizationRequests: async () => ({ request: request.requestObject! }) });
    await v.verify(query({ client_id: CLIENT_ID, request: request.requestObject! })); // the PAR endpoint
    expect((await v.verify(query({ client_id: CLIENT_ID, request_uri: urn }))).requestObject?.source).toBe('par');
    expect((await refusal(v, query({ client_id: CLIENT_ID, request_uri: urn }))).check).toBe('replay');
    expect((await refusal(v, query({ client_id: CLIENT_ID, request: request.requestObject! }))).check).toBe('replay');
  });

  it('the key expires with the object (EXAT = exp + tolerance) and is a hash, not the jti', async () => {
    const c = await redis.client();
    const store = new RedisReplayStore(c, { prefix: 'replay-test:' });
    const exp = Math.floor(Date.now() / 1000) + 120;
    expect(await store.consume(JSON.stringify(['c', 'j'.repeat(5000)]), exp)).toBe(true);
    expect(await store.consume(JSON.stringify(['c', 'j'.repeat(5000)]), exp)).toBe(false);
    expect(await store.consume(JSON.stringify(['other-client', 'j'.repeat(5000)]), exp)).toBe(true);
    const [key] = await c.keys('replay-test:*');
    expect(key!.length).toBeLessThan(64);
    expect(await c.expireTime(key!)).toBe(exp);
  });
});

/** A client set up as the README recommends for a fail-closed store. */
async function productionClient() {
  const c = createClient({
    url: redis.url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  });
  c.on('error', () => {});
  await c.connect();
  outageClients.push(c);
  return c;
}
const outageClients: Array<ReturnType<typeof createClient>> = [];
afterAll(async () => {
  for (const c of outageClients) await c.close().catch(() => {});
});

async function timed<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { value, ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

async function until(condition: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

// The deadline (storeTimeout, default 1000 ms) plus a generous margin for a loaded machine.
const BOUND = 4000;

describe('a Redis outage: every store call fails closed within the deadline, and recovers', () => {
  it('verify answers 503, the handler 503, publish rejects; after a restart everything works with the same objects', async () => {
    // The hosted store on a default client (offline queue on: commands wait), the replay store on
    // the recommended one (offline queue off): the deadline bounds both.
    const queued = await redis.client();
    const prod = await productionClient();
    const hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/jar/`, ttl: 60, store: new RedisRequestObjectStore(queued, { prefix: 'outage:' }) });
    serving = hosted;
    const v = verifier({ replayStore: new RedisReplayStore(prod, { prefix: 'outage-jti:' }) });
    const vQueued = verifier({ replayStore: new RedisReplayStore(queued, { prefix: 'outage-jti:' }) });

    const before = await builder().publishWith(hosted).build();
    expect((await fetch(before.requestUri!)).status).toBe(200);
    const objects = await Promise.all(Array.from({ length: 50 }, () => builder().build()));

    await redis.kill();
    try {
      // 50 verifies during the outage: each a 503 within the bound, none accepted
      const t0 = performance.now();
      const verifies = await Promise.all(objects.map((o) => timed(v.verify(query({ client_id: CLIENT_ID, request: o.requestObject! }))).then((r) => r.error)));
      const verifyMs = performance.now() - t0;
      for (const err of verifies) expect([(err as { error?: string }).error, (err as { status?: number }).status]).toEqual(['temporarily_unavailable', 503]);
      // on the queueing client the command waits: the deadline answers
      const queuedVerify = await timed(vQueued.verify(query({ client_id: CLIENT_ID, request: (await builder().build()).requestObject! })));
      expect(queuedVerify.error).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
      expect(queuedVerify.ms).toBeLessThan(BOUND);
      const served = await timed(fetch(before.requestUri!));
      const published = await timed(builder().publishWith(hosted).build());
      console.log(
        `Redis down: 50 verifies (no offline queue) answered in ${verifyMs.toFixed(0)} ms, a verify on a queueing client ${queuedVerify.ms.toFixed(0)} ms, handler ${served.ms.toFixed(0)} ms, publish ${published.ms.toFixed(0)} ms`,
      );
      expect(verifyMs).toBeLessThan(BOUND);
      expect(served.value?.status).toBe(503);
      expect(served.ms).toBeLessThan(BOUND);
      expect(published.error).toMatchObject({ code: 'ERR_PUBLISH_FAILED' });
      expect(published.ms).toBeLessThan(BOUND);
    } finally {
      await redis.restart();
    }

    // Back: the same clients reconnect, the same publisher and verifier work.
    await until(async () => queued.isReady && prod.isReady);
    const after = await builder().publishWith(hosted).build();
    expect((await fetch(after.requestUri!)).status).toBe(200);
    await expect(v.verify(query({ client_id: CLIENT_ID, request_uri: after.requestUri! }))).resolves.toBeDefined();
    const fresh = await builder().build();
    const q = query({ client_id: CLIENT_ID, request: fresh.requestObject! });
    await expect(v.verify(q)).resolves.toBeDefined();
    expect((await refusal(v, q)).check).toBe('replay');
    await expect(vQueued.verify(query({ client_id: CLIENT_ID, request: (await builder().build()).requestObject! }))).resolves.toBeDefined();
    // Redis without persistence lost what it held: the object published before the outage is gone.
    expect((await fetch(before.requestUri!)).status).toBe(404);
  }, 60_000);
});

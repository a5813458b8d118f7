// HostedRequestUriPublisher with a store that hangs or fails: publish rejects and the handler
// answers 503 within storeTimeout, and neither ever serves or accepts without the store.
import { describe, expect, it } from 'vitest';
import { HostedRequestUriPublisher, type RequestObjectStore } from '../../src/index.js';
import { failure } from '../helpers/failure.js';

const BASE = 'https://rp.example.com/jar/';
const ID = 'A'.repeat(43);
const hung: RequestObjectStore = { put: () => new Promise<void>(() => {}), get: () => new Promise<string>(() => {}) };
const failing: RequestObjectStore = { put: () => Promise.reject(new Error('down')), get: () => Promise.reject(new Error('down')) };

async function timed<T>(p: Promise<T>): Promise<[T | undefined, number]> {
  const t0 = performance.now();
  const value = await p.catch(() => undefined);
  return [value, performance.now() - t0];
}

describe('HostedRequestUriPublisher store deadline', () => {
  it('a store that never answers: publish rejects (ERR_PUBLISH_FAILED) and the handler answers 503, within storeTimeout', async () => {
    const hosted = new HostedRequestUriPublisher({ baseUrl: BASE, store: hung, storeTimeout: 200 });
    const t0 = performance.now();
    const err = await failure(hosted.publish('h.p.s'));
    const publishMs = performance.now() - t0;
    expect(err.code).toBe('ERR_PUBLISH_FAILED');
    expect(publishMs).toBeGreaterThanOrEqual(190);
    expect(publishMs).toBeLessThan(2000);
    const [res, ms] = await timed(hosted.handler(new Request(`${BASE}${ID}`)));
    expect(res?.status).toBe(503);
    expect(ms).toBeLessThan(2000);
  });

  it('the default storeTimeout is one second', async () => {
    const hosted = new HostedRequestUriPublisher({ baseUrl: BASE, store: hung });
    const [res, ms] = await timed(hosted.handler(new Request(`${BASE}${ID}`)));
    expect(res?.status).toBe(503);
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(4000);
  });

  it('a store that throws: publish rejects, the handler answers 503 with no body', async () => {
    const hosted = new HostedRequestUriPublisher({ baseUrl: BASE, store: failing });
    expect((await failure(hosted.publish('h.p.s'))).code).toBe('ERR_PUBLISH_FAILED');
    const res = await hosted.handler(new Request(`${BASE}${ID}`));
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
  });

  it('storeTimeout: 1 and 60000 accepted; 0, 60001 and 1.5 refused', () => {
    for (const ok of [1, 60_000]) expect(() => new HostedRequestUriPublisher({ baseUrl: BASE, storeTimeout: ok })).not.toThrow();
    for (const bad of [0, 60_001, 1.5]) expect(() => new HostedRequestUriPublisher({ baseUrl: BASE, storeTimeout: bad })).toThrow(/storeTimeout/);
  });
});

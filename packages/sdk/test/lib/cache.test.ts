import { describe, expect, it } from 'vitest';
import { Cache } from '../../src/lib/cache.js';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('Cache', () => {
  it('keeps a value until its TTL has passed, on its own clock', () => {
    const c = clock();
    const cache = new Cache<string, number>({ max: 10, ttl: 100, now: c.now });
    cache.set('a', 1);
    c.advance(99);
    expect(cache.get('a')).toBe(1);
    c.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('a per-entry TTL overrides the default', () => {
    const c = clock();
    const cache = new Cache<string, number>({ max: 10, ttl: 100, now: c.now });
    cache.set('a', 1, 1000);
    c.advance(500);
    expect(cache.get('a')).toBe(1);
  });

  it('is bounded: the oldest entry goes first, and a re-set entry counts as new', () => {
    const cache = new Cache<string, number>({ max: 2, ttl: Infinity });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10); // now the newest
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(10);
    expect(cache.get('c')).toBe(3);
  });

  it('load: concurrent calls share one loader call, and the result is kept', async () => {
    const cache = new Cache<string, number>({ max: 10, ttl: 1000 });
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    const all = await Promise.all([cache.load('k', loader), cache.load('k', loader), cache.load('k', loader)]);
    expect(all).toEqual([42, 42, 42]);
    expect(await cache.load('k', loader)).toBe(42);
    expect(calls).toBe(1);
  });

  it('load: a failure is not kept; the next call loads again', async () => {
    const cache = new Cache<string, number>({ max: 10, ttl: 1000 });
    let calls = 0;
    const loader = async () => {
      if (++calls === 1) throw new Error('down');
      return 7;
    };
    await expect(cache.load('k', loader)).rejects.toThrow('down');
    expect(await cache.load('k', loader)).toBe(7);
    expect(calls).toBe(2);
  });

  it('load: an expired value is loaded again; the call may bring its own clock and TTL', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ max: 10, ttl: 1_000_000 });
    let n = 0;
    const loader = async () => ++n;
    expect(await cache.load('k', loader, { ttl: 50, now: c.now })).toBe(1);
    c.advance(49);
    expect(await cache.load('k', loader, { now: c.now })).toBe(1);
    c.advance(1);
    expect(await cache.load('k', loader, { now: c.now })).toBe(2);
  });

  it('lru: a hit makes its entry the newest, so the least recently used is evicted first', () => {
    const cache = new Cache<string, number>({ max: 2, ttl: Infinity, lru: true });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('load with reload: a live value it refuses is loaded again, sharing one call, and served meanwhile', async () => {
    const cache = new Cache<string, { v: number; old: boolean }>({ max: 10, ttl: Infinity });
    let calls = 0;
    let release!: () => void;
    const loader = async () => {
      calls++;
      await new Promise<void>((r) => (release = r));
      return { v: calls, old: false };
    };
    cache.set('k', { v: 0, old: true });
    const keep = () => false;
    const refresh = (held: { old: boolean }) => held.old;
    expect((await cache.load('k', loader, { reload: keep })).v).toBe(0);
    const jobs = [cache.load('k', loader, { reload: refresh }), cache.load('k', loader, { reload: refresh })];
    expect(cache.get('k')?.v).toBe(0); // the held value stays until the new one arrives
    expect((await cache.load('k', loader, { reload: keep })).v).toBe(0);
    release();
    expect((await Promise.all(jobs)).map((x) => x.v)).toEqual([1, 1]);
    expect(calls).toBe(1);
    expect((await cache.load('k', loader, { reload: refresh })).v).toBe(1); // no longer refused
    expect(calls).toBe(1);
  });

  it('works over another store (any Map-like with { value, expiresAt } entries)', () => {
    const store = new Map<string, { value: string; expiresAt: number }>();
    const cache = new Cache<string, string>({ max: 10, ttl: 100, now: () => 0, store });
    cache.set('x', 'y');
    expect(store.get('x')).toEqual({ value: 'y', expiresAt: 100 });
    cache.delete('x');
    expect(store.size).toBe(0);
  });
});

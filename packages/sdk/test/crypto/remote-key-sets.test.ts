// RemoteKeySets on its own, with a frozen clock and a counting loader: the jwks_uri key-set cache
// of one verifier (cacheMaxAge, cooldown, maxEntries, shared fetches). The verifier-level tests in
// test/server/jwks-uri.test.ts drive the same cache through real loopback fetches.
import { errors, exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeySetUnavailable, RemoteKeySets } from '../../src/crypto/verify.js';

const URI = 'https://client.example/jwks';
const token = { payload: '', signature: '' } as never;
let k1: JWK;
let k2: JWK;

beforeAll(async () => {
  const jwk = async (kid: string) => ({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)), kid, alg: 'ES256' });
  [k1, k2] = await Promise.all([jwk('k1'), jwk('k2')]);
});

/** A RemoteKeySets whose loader serves `published` (or throws `failing`) and counts its calls per URI. */
function setup(options: { cacheMaxAge?: number; cooldown?: number; maxEntries?: number } = {}) {
  const state = { now: 1_000_000, published: [] as JWK[], failing: undefined as Error | undefined, loads: [] as string[] };
  const sets = new RemoteKeySets({
    load: async (uri) => {
      state.loads.push(uri);
      await new Promise((r) => setTimeout(r, 5));
      if (state.failing) throw state.failing;
      return { keys: state.published };
    },
    cacheMaxAge: options.cacheMaxAge ?? 60_000,
    cooldown: options.cooldown ?? 5_000,
    maxEntries: options.maxEntries ?? 10,
    now: () => state.now,
  });
  const resolve = async (kid: string, uri = URI) => sets.resolver(uri)({ alg: 'ES256', kid }, token);
  return { state, resolve };
}

describe('RemoteKeySets', () => {
  it('concurrent cold requests share one fetch; the set is then used for cacheMaxAge', async () => {
    const { state, resolve } = setup();
    state.published = [k1];
    const keys = await Promise.all(Array.from({ length: 100 }, () => resolve('k1')));
    expect(keys.every((k) => (k as CryptoKey).type === 'public')).toBe(true);
    state.now += 59_999;
    await resolve('k1');
    expect(state.loads).toHaveLength(1);
    state.now += 1;
    await resolve('k1');
    expect(state.loads).toHaveLength(2);
  });

  it('an unknown kid is fetched for once per cooldown, by one fetch however many requests ask', async () => {
    const { state, resolve } = setup();
    state.published = [k1];
    await resolve('k1');
    state.published = [k1, k2];
    state.now += 4_999;
    await expect(resolve('k2')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(state.loads).toHaveLength(1);
    state.now += 1;
    await Promise.all(Array.from({ length: 20 }, () => resolve('k2')));
    expect(state.loads).toHaveLength(2);
    state.now += 1_000;
    await expect(resolve('k3')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(state.loads).toHaveLength(2);
  });

  it('a failure is remembered for the cooldown, then fetched again', async () => {
    const { state, resolve } = setup();
    state.failing = new Error('HTTP 500');
    const first = await resolve('k1').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(KeySetUnavailable);
    expect((first as Error).cause).toBe(state.failing);
    state.now += 4_999;
    const again = await resolve('k1').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(KeySetUnavailable);
    expect((again as Error).cause).toBe(state.failing);
    expect(state.loads).toHaveLength(1);
    state.failing = undefined;
    state.published = [k1];
    state.now += 1;
    await expect(resolve('k1')).resolves.toBeDefined();
    expect(state.loads).toHaveLength(2);
  });

  it('a failed refetch fails its own requests; the last keys serve the rest of the cooldown', async () => {
    const { state, resolve } = setup({ cacheMaxAge: 10_000 });
    state.published = [k1];
    await resolve('k1');
    state.now += 10_000;
    state.failing = new Error('down');
    await expect(resolve('k1')).rejects.toBeInstanceOf(KeySetUnavailable);
    state.now += 4_999;
    await expect(resolve('k1')).resolves.toBeDefined();
    expect(state.loads).toHaveLength(2);
    state.now += 1;
    await expect(resolve('k1')).rejects.toBeInstanceOf(KeySetUnavailable);
    expect(state.loads).toHaveLength(3);
  });

  it('keeps at most maxEntries URIs and drops the least recently used', async () => {
    const { state, resolve } = setup({ maxEntries: 2 });
    state.published = [k1];
    const uri = (name: string) => `https://${name}.example/jwks`;
    await resolve('k1', uri('a'));
    await resolve('k1', uri('b'));
    await resolve('k1', uri('a')); // a is now the most recently used
    await resolve('k1', uri('c')); // drops b
    expect(state.loads).toEqual([uri('a'), uri('b'), uri('c')]);
    await resolve('k1', uri('a'));
    await resolve('k1', uri('b'));
    expect(state.loads).toEqual([uri('a'), uri('b'), uri('c'), uri('b')]);
  });
});

// The verifier's stores: the replay store and the PAR store hook. Bounded memory, fail-closed
// answers (RFC 6749 §4.1.2.1 temporarily_unavailable), deadlines, and the signing requirement on
// stored PAR parameters (RFC 9101 §10.5).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OAuthJarError } from '../../src/errors.js';
import { MemoryReplayStore, authorizationErrorResponse, type ReplayStore } from '../../src/server.js';
import { CLIENT_ID, NOW, NOW_S, claims, clientFor, makeVerifier, query, refusal, req, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

const URN = 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c';
const byUrn = () => query({ client_id: CLIENT_ID, request_uri: URN });
const elapsed = async (p: Promise<unknown>) => {
  const t0 = performance.now();
  await p.catch(() => {});
  return performance.now() - t0;
};

describe('PAR and a replay store (RFC 9126 §4, RFC 9101 §10.3)', () => {
  it('an object verified at the PAR endpoint is accepted once from the PAR store, then refused', async () => {
    const replayStore = new MemoryReplayStore({ now: () => NOW });
    const jws = await sign(claims(), keys.es256.privateKey);
    // A store that forgets to delete: the verifier still allows one use of the request_uri.
    const verifier = makeVerifier(keys, { replayStore, pushedAuthorizationRequests: async () => ({ request: jws }) });
    await verifier.verify(req(jws)); // the PAR endpoint
    const { requestObject } = await verifier.verify(byUrn()); // the authorization endpoint
    expect(requestObject?.source).toBe('par');
    const again = await refusal(verifier, byUrn());
    expect([again.error, again.check]).toEqual(['invalid_request_object', 'replay']);
    const replay = await refusal(verifier, req(jws));
    expect([replay.error, replay.check]).toEqual(['invalid_request_object', 'replay']);
  });

  it('a pushed object that never went through the PAR endpoint is recorded: sent by value later, it is a replay', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const verifier = makeVerifier(keys, { replayStore: new MemoryReplayStore({ now: () => NOW }), pushedAuthorizationRequests: async () => ({ request: jws }) });
    await verifier.verify(byUrn());
    expect((await refusal(verifier, req(jws))).check).toBe('replay');
  });
});

describe('stored PAR parameters and the signing requirement (RFC 9101 §10.5)', () => {
  const stored = (extra: Record<string, unknown> = {}) => async () => ({ parameters: { scope: 'openid' }, ...extra });
  it.each([
    ['requireSignedRequestObject', { requireSignedRequestObject: true }, {}],
    ["profile: 'fapi2'", { profile: 'fapi2' as const }, {}],
    ["the client's require_signed_request_object", {}, { require_signed_request_object: true }],
  ])('unsigned stored parameters are invalid_request under %s', async (_, opts, client) => {
    const verifier = makeVerifier(keys, { ...opts, pushedAuthorizationRequests: stored() }, clientFor(keys, client));
    const err = await refusal(verifier, byUrn());
    expect([err.error, err.check, err.status]).toEqual(['invalid_request', 'signed_request_object_required', 400]);
  });

  it.each([
    ['requireSignedRequestObject', { requireSignedRequestObject: true }, {}],
    ["profile: 'fapi2'", { profile: 'fapi2' as const }, {}],
    ["the client's require_signed_request_object", {}, { require_signed_request_object: true }],
  ])('parameters the store marks fromSignedRequestObject are accepted under %s', async (_, opts, client) => {
    const verifier = makeVerifier(keys, { ...opts, pushedAuthorizationRequests: stored({ fromSignedRequestObject: true }) }, clientFor(keys, client));
    expect((await verifier.verify(byUrn())).parameters).toEqual({ scope: 'openid' });
  });

  it('only the literal true counts', async () => {
    const verifier = makeVerifier(keys, { requireSignedRequestObject: true, pushedAuthorizationRequests: stored({ fromSignedRequestObject: 'yes' }) });
    expect((await refusal(verifier, byUrn())).error).toBe('invalid_request');
  });
});

describe('maxExpiresIn: how far ahead exp may lie', () => {
  it('default 3600 s plus the 10 s clock tolerance: equal accepted, one second more refused', async () => {
    const ok = await sign(claims({ exp: NOW_S + 3610 }), keys.es256.privateKey);
    await expect(makeVerifier(keys).verify(req(ok))).resolves.toBeDefined();
    const far = await sign(claims({ exp: NOW_S + 3611 }), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys), req(far));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'time']);
  });

  it('a configured limit: equal accepted, one second more refused; exp = 10^12 refused', async () => {
    const verifier = makeVerifier(keys, { maxExpiresIn: 60, clockTolerance: 0, replayStore: new MemoryReplayStore({ now: () => NOW }) });
    await expect(verifier.verify(req(await sign(claims({ exp: NOW_S + 60 }), keys.es256.privateKey)))).resolves.toBeDefined();
    expect((await refusal(verifier, req(await sign(claims({ exp: NOW_S + 61 }), keys.es256.privateKey)))).check).toBe('time');
    expect((await refusal(verifier, req(await sign(claims({ exp: 1e12 }), keys.es256.privateKey)))).check).toBe('time');
  });

  it.each([0, -1, 1.5, '60'])('refuses maxExpiresIn %j', (value) => {
    expect(() => makeVerifier(keys, { maxExpiresIn: value as number })).toThrow(/maxExpiresIn/);
  });
});

describe('the jti length cap (with a replay store)', () => {
  it('256 characters accepted, 257 refused', async () => {
    const verifier = makeVerifier(keys, { replayStore: new MemoryReplayStore({ now: () => NOW }) });
    await expect(verifier.verify(req(await sign(claims({ jti: 'j'.repeat(256) }), keys.es256.privateKey)))).resolves.toBeDefined();
    const err = await refusal(verifier, req(await sign(claims({ jti: 'j'.repeat(257) }), keys.es256.privateKey)));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'replay']);
  });

  it('without a replay store the jti is not looked at', async () => {
    await expect(makeVerifier(keys).verify(req(await sign(claims({ jti: 'j'.repeat(40_000) }), keys.es256.privateKey)))).resolves.toBeDefined();
  });
});

describe('MemoryReplayStore is bounded and fails closed', () => {
  it('maxEntries keys are held; one more is refused (ERR_STORE_FULL), a held key is never evicted', () => {
    let now = NOW;
    const store = new MemoryReplayStore({ maxEntries: 3, now: () => now });
    for (const k of ['a', 'b', 'c']) expect(store.consume(k, NOW_S + 100)).toBe(true);
    expect(() => store.consume('d', NOW_S + 100)).toThrow(expect.objectContaining({ code: 'ERR_STORE_FULL' }));
    // full or not, a replay is a replay
    for (const k of ['a', 'b', 'c']) expect(store.consume(k, NOW_S + 100)).toBe(false);
    expect(store.size).toBe(3);
    // room again once keys expire
    now = NOW + 101_000;
    expect(store.consume('d', NOW_S + 200)).toBe(true);
    expect(store.size).toBe(1);
  });

  it.each([0, -1, 1.5])('refuses maxEntries %j', (value) => {
    expect(() => new MemoryReplayStore({ maxEntries: value })).toThrow(OAuthJarError);
  });

  it('the verifier answers temporarily_unavailable (503) when the store is full, and still refuses replays', async () => {
    const verifier = makeVerifier(keys, { replayStore: new MemoryReplayStore({ maxEntries: 2, maxEntriesPerClient: 2, now: () => NOW }) });
    const objects = await Promise.all([1, 2, 3].map(() => sign(claims(), keys.es256.privateKey)));
    await verifier.verify(req(objects[0]!));
    await verifier.verify(req(objects[1]!));
    const full = await refusal(verifier, req(objects[2]!));
    expect([full.error, full.status]).toEqual(['temporarily_unavailable', 503]);
    expect(full.error_description).toBe('the replay store is unavailable');
    const replay = await refusal(verifier, req(objects[0]!));
    expect([replay.error, replay.check]).toEqual(['invalid_request_object', 'replay']);
  });

  it('heap stays bounded under a flood of unique maximal keys with exp = 10^12', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // one client with the whole store as its share: the global bound is what is measured
    const store = new MemoryReplayStore({ maxEntriesPerClient: 100_000 });
    gc();
    const before = process.memoryUsage().heapUsed;
    let refused = 0;
    const pad = 'j'.repeat(240);
    for (let i = 0; i < 150_000; i++) {
      // the largest key the verifier passes: a client_id and a 256-character jti
      try {
        store.consume(JSON.stringify([CLIENT_ID, `${pad}${String(i).padStart(16, '0')}`]), 1e12);
      } catch {
        refused++;
      }
    }
    gc();
    const after = process.memoryUsage().heapUsed;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`MemoryReplayStore flood: 150000 keys offered, ${store.size} held, ${refused} refused; heap ${mb(before)} MB -> ${mb(after)} MB (+${mb(after - before)} MB)`);
    expect(store.size).toBe(100_000);
    expect(refused).toBe(50_000);
    expect(after - before).toBeLessThan(96 * 1024 * 1024);
  });
});

describe('store deadlines and failures: fail closed at once', () => {
  const hung: ReplayStore = { consume: () => new Promise<boolean>(() => {}) };

  it('a replay store that never answers: temporarily_unavailable (503) within storeTimeout', async () => {
    const verifier = makeVerifier(keys, { replayStore: hung, storeTimeout: 200 });
    const jws = await sign(claims(), keys.es256.privateKey);
    const t0 = performance.now();
    const err = await refusal(verifier, req(jws));
    const ms = performance.now() - t0;
    expect([err.error, err.status, err.redirectable]).toEqual(['temporarily_unavailable', 503, false]);
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(2000);
  });

  it('a replay store that throws: temporarily_unavailable (503), the store message not shown', async () => {
    const verifier = makeVerifier(keys, { replayStore: { consume: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379')) } });
    const err = await refusal(verifier, req(await sign(claims(), keys.es256.privateKey)));
    expect([err.error, err.status]).toEqual(['temporarily_unavailable', 503]);
    expect(err.error_description).not.toMatch(/ECONNREFUSED|10\.0/);
  });

  it('the answer to the user agent is a direct 503 with fixed text, never a redirect', async () => {
    const verifier = makeVerifier(keys, { replayStore: { consume: () => Promise.reject(new Error('down')) } });
    const err = await refusal(verifier, req(await sign(claims(), keys.es256.privateKey)));
    const res = authorizationErrorResponse(err, { redirectUri: 'https://client.example.org/cb', state: 'st' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'the replay store is unavailable' });
  });

  it('a PAR store that never answers or throws: temporarily_unavailable (503) within storeTimeout', async () => {
    const slow = makeVerifier(keys, { storeTimeout: 200, pushedAuthorizationRequests: () => new Promise(() => {}) });
    expect(await elapsed(slow.verify(byUrn()))).toBeLessThan(2000);
    const err = await refusal(slow, byUrn());
    expect([err.error, err.status]).toEqual(['temporarily_unavailable', 503]);
    const failing = makeVerifier(keys, { pushedAuthorizationRequests: () => Promise.reject(new Error('down')) });
    expect((await refusal(failing, byUrn())).status).toBe(503);
  });

  it('the default storeTimeout is one second', async () => {
    const verifier = makeVerifier(keys, { replayStore: hung });
    const jws = await sign(claims(), keys.es256.privateKey);
    const ms = await elapsed(verifier.verify(req(jws)));
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(4000);
  });

  it('storeTimeout: 1 and 60000 accepted; 0, 60001 and 1.5 refused', () => {
    for (const ok of [1, 60_000]) expect(() => makeVerifier(keys, { storeTimeout: ok })).not.toThrow();
    for (const bad of [0, 60_001, 1.5]) expect(() => makeVerifier(keys, { storeTimeout: bad })).toThrow(/storeTimeout/);
  });
});

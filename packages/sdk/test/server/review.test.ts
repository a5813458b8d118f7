// Regression tests for an attacker review of the built verifier: the cost of a forged request
// against a crafted key set, the replay store's per-client share, exp required, parameter checks
// before any store or fetch, the getClient deadline, request_uris prefixes, isPrivateHost, stored
// PAR parameters and the error-redirect scheme deny-list. Each case asserts the OAuth error and check.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { clientKeyIssue, MAX_CLIENT_KEYS, MAX_KEY_CANDIDATES } from '../../src/crypto/algorithms.js';
import { KeySetUnavailable, RemoteKeySets } from '../../src/crypto/verify.js';
import { isPrivateHost } from '../../src/http/address.js';
import { OAuthJarError } from '../../src/errors.js';
import { AuthorizationRequestError, authorizationErrorResponse, ClientMetadataError, matchesRegisteredRequestUri, MAX_JSON_DEPTH, MemoryReplayStore, PAR_URN_PREFIX, RequestObjectVerifier, validateClientMetadata } from '../../src/server.js';
import { CLIENT_ID, ISSUER, NOW, NOW_S, claims, clientFor, makeVerifier, query, refusal, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
/** An ES256 key pair whose public JWK has no kid (so that several keys fit a header without kid). */
async function esKey() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  return { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
}

describe('a crafted client key set cannot make a forged request expensive', () => {
  it(`tries at most ${MAX_KEY_CANDIDATES} keys when the header names no kid, then requires a kid`, async () => {
    const pairs = await Promise.all(Array.from({ length: MAX_KEY_CANDIDATES + 2 }, esKey));
    const client = { client_id: CLIENT_ID, jwks: { keys: pairs.map((p) => p.jwk) } };
    const verifier = makeVerifier(keys, {}, client);
    // signed by the last key, without kid
    const jws = await sign(claims(), pairs.at(-1)!.privateKey, { alg: 'ES256', typ: 'oauth-authz-req+jwt' });
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: jws }));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'key']);
    expect(err.error_description).toBe('several registered keys of the client fit the alg: the JWS header must name one with kid');
  });

  it(`still finds the key among ${MAX_KEY_CANDIDATES} candidates without a kid`, async () => {
    const pairs = await Promise.all(Array.from({ length: MAX_KEY_CANDIDATES }, esKey));
    const verifier = makeVerifier(keys, {}, { client_id: CLIENT_ID, jwks: { keys: pairs.map((p) => p.jwk) } });
    const jws = await sign(claims(), pairs.at(-1)!.privateKey, { alg: 'ES256', typ: 'oauth-authz-req+jwt' });
    await expect(verifier.verify(query({ client_id: CLIENT_ID, request: jws }))).resolves.toMatchObject({ clientId: CLIENT_ID });
  });

  it('refuses an RSA key with a huge public exponent in a registered jwks before any verification', async () => {
    const base = await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey);
    const bigE = b64u(Uint8Array.from({ length: 256 }, (_, i) => (i === 255 ? 1 : i === 0 ? 0x7f : 0xab)));
    const client = { client_id: CLIENT_ID, jwks: { keys: [{ kty: 'RSA', n: base.n!, e: bigE }] } };
    const enc = (o: unknown) => b64u(new TextEncoder().encode(JSON.stringify(o)));
    const forged = `${enc({ alg: 'RS256' })}.${enc(claims())}.${b64u(new Uint8Array(256).fill(7))}`;
    const err = await refusal(makeVerifier(keys, {}, client), query({ client_id: CLIENT_ID, request: forged }));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_object', 'key', "the client's registered key set is malformed"]);
    expect(() => validateClientMetadata(client)).toThrow(ClientMetadataError);
  });

  it('accepts e = 65537 with 2048 to 4096-bit moduli and refuses other exponents and sizes', () => {
    // Only the shape is judged (no import), so moduli of a given bit length can be made up.
    const n = (bits: number) => b64u(Uint8Array.from({ length: Math.ceil(bits / 8) }, (_, i) => (i === 0 ? 0x80 >> ((8 - (bits % 8)) % 8) : 0xa5)));
    const rsa = (bits: number, e = 'AQAB') => ({ kty: 'RSA', n: n(bits), e });
    expect(clientKeyIssue(rsa(2048))).toBeUndefined();
    expect(clientKeyIssue(rsa(4096))).toBeUndefined();
    expect(clientKeyIssue(rsa(2048, 'AAEAAQ'))).toBeUndefined(); // 65537 with a leading zero octet
    expect(clientKeyIssue(rsa(2048, 'Aw'))).toMatch(/exponent/); // 3
    expect(clientKeyIssue(rsa(2048, 'AQAD'))).toMatch(/exponent/);
    expect(clientKeyIssue(rsa(2047))).toMatch(/modulus/);
    expect(clientKeyIssue(rsa(4097))).toMatch(/modulus/);
    expect(clientKeyIssue({ kty: 'RSA', n: n(2048) })).toMatch(/"e"/);
  });

  it(`refuses a key set of more than ${MAX_CLIENT_KEYS} keys, in jwks and in validateClientMetadata`, async () => {
    const { jwk } = await esKey();
    const many = (n: number) => ({ client_id: CLIENT_ID, jwks: { keys: Array.from({ length: n }, (_, i) => ({ ...jwk, kid: `k${i}` })) } });
    expect(() => validateClientMetadata(many(MAX_CLIENT_KEYS))).not.toThrow();
    expect(() => validateClientMetadata(many(MAX_CLIENT_KEYS + 1))).toThrow(ClientMetadataError);
    const jws = await sign(claims(), keys.es256.privateKey, { alg: 'ES256', kid: 'k0', typ: 'oauth-authz-req+jwt' });
    const err = await refusal(makeVerifier(keys, {}, many(MAX_CLIENT_KEYS + 1)), query({ client_id: CLIENT_ID, request: jws }));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_object', 'key', "the client's registered key set is malformed"]);
  });

  it('applies the same rules to a fetched jwks_uri key set', async () => {
    const { jwk } = await esKey();
    const sets = new RemoteKeySets({
      load: async () => ({ keys: Array.from({ length: MAX_CLIENT_KEYS + 1 }, (_, i): JWK => ({ ...jwk, kid: `k${i}` })) }),
      cacheMaxAge: 60_000,
      cooldown: 5_000,
      maxEntries: 10,
      now: () => NOW,
    });
    await expect(sets.resolver('https://c.example/jwks')({ alg: 'ES256', kid: 'k0' }, { payload: '', signature: '' } as never)).rejects.toBeInstanceOf(KeySetUnavailable);
  });
});

describe('MemoryReplayStore: one client cannot fill the store for every client', () => {
  const key = (client: string, jti: string) => JSON.stringify([client, jti]);

  it('holds maxEntriesPerClient keys of one client, refuses one more for that client alone', () => {
    const store = new MemoryReplayStore({ maxEntries: 100, maxEntriesPerClient: 3, now: () => NOW });
    for (const j of ['a', 'b', 'c']) expect(store.consume(key('greedy', j), NOW_S + 100)).toBe(true);
    expect(() => store.consume(key('greedy', 'd'), NOW_S + 100)).toThrow(expect.objectContaining({ code: 'ERR_STORE_FULL' }));
    // another client still passes, a replay is still a replay, nothing live was evicted
    expect(store.consume(key('other', 'a'), NOW_S + 100)).toBe(true);
    expect(store.consume(key('greedy', 'a'), NOW_S + 100)).toBe(false);
    expect(store.size).toBe(4);
  });

  it('gives a client room again once its keys expire', () => {
    let now = NOW;
    const store = new MemoryReplayStore({ maxEntries: 100, maxEntriesPerClient: 2, now: () => now });
    store.consume(key('c', '1'), NOW_S + 10);
    store.consume(key('c', '2'), NOW_S + 10);
    expect(() => store.consume(key('c', '3'), NOW_S + 10)).toThrow(expect.objectContaining({ code: 'ERR_STORE_FULL' }));
    now = NOW + 11_000;
    expect(store.consume(key('c', '3'), NOW_S + 100)).toBe(true);
  });

  it('defaults to a tenth of maxEntries', () => {
    const store = new MemoryReplayStore({ maxEntries: 50, now: () => NOW });
    for (let i = 0; i < 5; i++) expect(store.consume(key('c', String(i)), NOW_S + 100)).toBe(true);
    expect(() => store.consume(key('c', '5'), NOW_S + 100)).toThrow(expect.objectContaining({ code: 'ERR_STORE_FULL' }));
    expect(() => new MemoryReplayStore({ maxEntriesPerClient: 0 })).toThrow(OAuthJarError);
  });

  it('through the verifier: the flooding client gets 503, another client is still served', async () => {
    const store = new MemoryReplayStore({ maxEntries: 100, maxEntriesPerClient: 2, now: () => NOW });
    const other = { client_id: 'client-2', jwks: { keys: [keys.es256.publicJwk] } };
    const verifier = makeVerifier(keys, { replayStore: store }, (id) => (id === CLIENT_ID ? clientFor(keys) : id === 'client-2' ? other : undefined));
    const byValue = (request: string, clientId = CLIENT_ID) => query({ client_id: clientId, request });
    await verifier.verify(byValue(await sign(claims(), keys.es256.privateKey)));
    await verifier.verify(byValue(await sign(claims(), keys.es256.privateKey)));
    const full = await refusal(verifier, byValue(await sign(claims(), keys.es256.privateKey)));
    expect([full.error, full.status, full.check]).toEqual(['temporarily_unavailable', 503, 'internal']);
    const c2 = claims({ iss: 'client-2', client_id: 'client-2' });
    await expect(verifier.verify(byValue(await sign(c2, keys.es256.privateKey), 'client-2'))).resolves.toMatchObject({ clientId: 'client-2' });
  });
});

describe('a request object without exp is refused', () => {
  it('by default, without a replay store: invalid_request_object (time)', async () => {
    const { exp: _, ...noExp } = claims();
    const err = await refusal(makeVerifier(keys), query({ client_id: CLIENT_ID, request: await sign(noExp, keys.es256.privateKey) }));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_object', 'time', 'the request object has no exp claim']);
  });

  it('an object with exp still passes', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    await expect(makeVerifier(keys).verify(query({ client_id: CLIENT_ID, request: jws }))).resolves.toMatchObject({ clientId: CLIENT_ID });
  });
});

const withProto = (q: URLSearchParams) => (q.append('__proto__', 'x'), q);

describe('repeated and __proto__ parameters are refused before any store, lookup or fetch', () => {
  const spies = () => {
    const calls = { getClient: 0, par: 0, fetch: 0 };
    const verifier = new RequestObjectVerifier({
      issuer: ISSUER,
      getClient: (id) => {
        calls.getClient++;
        return id === CLIENT_ID ? clientFor(keys, { request_uris: ['https://c.example/ro/'] }) : undefined;
      },
      pushedAuthorizationRequests: async () => {
        calls.par++;
        return { parameters: { response_type: 'code' } };
      },
      // a spy: nothing can leave the machine even if the check were missing
      requestUri: {
        fetch: async () => {
          calls.fetch++;
          return new Response('x', { status: 500 });
        },
      },
      now: () => NOW,
    });
    return { calls, verifier };
  };

  it.each([
    ['a repeated parameter with a PAR request_uri', query({ client_id: CLIENT_ID, request_uri: `${PAR_URN_PREFIX}abc`, scope: ['a', 'b'] })],
    ['a __proto__ parameter with a PAR request_uri', withProto(query({ client_id: CLIENT_ID, request_uri: `${PAR_URN_PREFIX}abc` }))],
    ['a repeated parameter with a fetched request_uri', query({ client_id: CLIENT_ID, request_uri: 'https://c.example/ro/1', state: ['a', 'b'] })],
    ['a __proto__ parameter with a fetched request_uri', withProto(query({ client_id: CLIENT_ID, request_uri: 'https://c.example/ro/1' }))],
  ])('%s: invalid_request, nothing consulted', async (_, q) => {
    const { calls, verifier } = spies();
    const err = await refusal(verifier, q);
    expect([err.error, err.check, err.redirectable]).toEqual(['invalid_request', 'repeated_parameter', false]);
    expect(calls).toEqual({ getClient: 0, par: 0, fetch: 0 });
  });
});

describe('getClient has a deadline', () => {
  it('a getClient that never answers: temporarily_unavailable (503), internal, within storeTimeout', async () => {
    const verifier = new RequestObjectVerifier({ issuer: ISSUER, getClient: () => new Promise(() => {}), storeTimeout: 200, now: () => NOW });
    const t0 = performance.now();
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: await sign(claims(), keys.es256.privateKey) }));
    expect([err.error, err.status, err.check, err.redirectable]).toEqual(['temporarily_unavailable', 503, 'internal', false]);
    expect(err.error_description).toBe('the client could not be looked up');
    // generous margin on a loaded machine; without a deadline the call never settles at all
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('a getClient that throws stays server_error (500)', async () => {
    const verifier = new RequestObjectVerifier({ issuer: ISSUER, getClient: async () => { throw new Error('db down'); }, now: () => NOW });
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: 'x.y.z' }));
    expect([err.error, err.status, err.check]).toEqual(['server_error', 500, 'internal']);
  });
});

describe('registered request_uris prefixes: the rest of the path stays below the prefix', () => {
  const reg = ['https://c.example/ro/'];
  it.each([
    'https://c.example/ro/..;/admin',
    'https://c.example/ro/%252e%252e%252fadmin',
    'https://c.example/ro/%c0%ae%c0%ae/admin',
    'https://c.example/ro/%E2%80%A5/admin',
    'https://c.example/ro/x/..%00/',
    'https://c.example/ro/%2e%2e/admin',
    'https://c.example/ro/..%5cadmin',
    'https://c.example/ro/%41',
  ])('%s does not match', (uri) => {
    expect(matchesRegisteredRequestUri(uri, reg)).toBe(false);
  });
  it.each([
    'https://c.example/ro/x',
    'https://c.example/ro/a/b-c_d.e~f',
    'https://c.example/ro/x?y=%2e%2e',
    'https://c.example/ro/x#frag',
    'https://C.EXAMPLE/ro/x',
  ])('%s matches', (uri) => {
    expect(matchesRegisteredRequestUri(uri, reg)).toBe(true);
  });
});

describe('isPrivateHost: trailing dots, empty labels, SRv6', () => {
  it.each(['localhost.', 'localhost..', 'a.localhost...', 'example..com', '.example.com', '[5f00::1]', '5f00:1234::1'])('%s is refused', (host) => {
    expect(isPrivateHost(host)).toBe(true);
  });
  it.each(['example.com', 'example.com.', '[2606:4700::1]'])('%s is not', (host) => {
    expect(isPrivateHost(host)).toBe(false);
  });
});

describe('stored PAR parameters get the request object checks', () => {
  const verifierWith = (parameters: Record<string, unknown>) =>
    makeVerifier(keys, { pushedAuthorizationRequests: async () => ({ parameters }) });
  const par = query({ client_id: CLIENT_ID, request_uri: `${PAR_URN_PREFIX}abc` });
  const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);

  it('nested deeper than MAX_JSON_DEPTH: invalid_request', async () => {
    const err = await refusal(verifierWith({ client_id: CLIENT_ID, claims: deep(MAX_JSON_DEPTH + 1) }), par);
    expect([err.error, err.check]).toEqual(['invalid_request', 'claim_type']);
  });

  it('a nested __proto__ member: invalid_request', async () => {
    const err = await refusal(verifierWith(JSON.parse(`{"client_id":"${CLIENT_ID}","claims":{"__proto__":{"x":1}}}`)), par);
    expect([err.error, err.check]).toEqual(['invalid_request', 'claim_type']);
  });

  it('a stored client_id of another client: invalid_request_uri', async () => {
    const err = await refusal(verifierWith({ client_id: 'client-2', response_type: 'code' }), par);
    expect([err.error, err.check]).toEqual(['invalid_request_uri', 'request_uri']);
  });

  it('the presenting client\'s own parameters pass', async () => {
    await expect(verifierWith({ client_id: CLIENT_ID, response_type: 'code' }).verify(par)).resolves.toMatchObject({ clientId: CLIENT_ID });
  });
});

describe('error redirects: browser-handled schemes', () => {
  const err = () => new AuthorizationRequestError('invalid_request_object', 'signature', 'the signature does not verify with the client keys');
  it.each([
    'intent://cb#Intent;scheme=https;package=com.evil;S.browser_fallback_url=https%3A%2F%2Fevil.example;end',
    'INTENT://cb',
    'chrome-extension://abcdef/cb',
    'moz-extension://abcdef/cb',
    'jar:https://c.example/a.jar!/cb',
  ])('%s → the direct 400, no Location', async (redirectUri) => {
    const res = authorizationErrorResponse(err(), { redirectUri, state: 's' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
  it('a custom scheme with an authority is still redirected to', () => {
    expect(authorizationErrorResponse(err(), { redirectUri: 'myapp://callback' }).headers.get('location')).toMatch(/^myapp:\/\/callback\?/);
  });
});

// How an RP's own test suite checks its authorization requests with oauth-jar:
//   1. a fixed clock and jti make the request object's claims exact, so a test can compare them
//      whole (the ES256 signature itself still differs on every run: compare claims, not strings);
//   2. decodeAuthorizationRequest reads the URL back (it verifies nothing: a test helper);
//   3. RequestObjectVerifier from oauth-jar/server, on the same fixed clock, plays the AS;
//   4. a throwaway HostedRequestUriPublisher tests the by-reference path, with or without a server.
// Run it: pnpm --filter @oauth-jar/examples test:integration-testing
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { HostedRequestUriPublisher, MemoryRequestObjectStore, decodeAuthorizationRequest } from 'oauth-jar';
import { toNodeHandler } from 'oauth-jar/node';
import { AuthorizationRequestError, MemoryReplayStore, RequestObjectVerifier } from 'oauth-jar/server';
import { close, generateJwkPair, listen } from '../shared/util.mjs';
import { createLoginRequests } from './login-request.mjs';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const T = NOW / 1000;
const AS = 'https://as.example.com';
const CB = 'https://rp.example.com/cb';
// The PKCE pair of RFC 7636 appendix B: a known verifier and its S256 challenge.
const login = { state: 'state-1', nonce: 'nonce-1', codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' };
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const key = await generateJwkPair('ES256', 'rp-key-1');
const config = {
  issuer: AS,
  authorizationEndpoint: `${AS}/authorize`,
  clientId: 'rp-1',
  signingKey: key.privateJwk,
  redirectUri: CB,
  clock: () => new Date(NOW),
  jti: 'jti-1',
};

/** The AS, as far as a test needs one: oauth-jar/server's verifier on the same clock. */
const verifierAt = (now, options = {}) =>
  new RequestObjectVerifier({
    issuer: AS,
    getClient: (id) => (id === 'rp-1' ? { client_id: 'rp-1', jwks: { keys: [key.publicJwk] }, ...options.client } : undefined),
    now: () => now,
    ...options.verifier,
  });

test('the request object: exact header and claims, thanks to the fixed clock and jti', async () => {
  const request = await createLoginRequests(config)(login);
  const { clientId, header, claims, encrypted } = decodeAuthorizationRequest(request.url);
  assert.equal(clientId, 'rp-1');
  assert.equal(encrypted, false);
  assert.deepEqual(header, { alg: 'ES256', kid: 'rp-key-1', typ: 'oauth-authz-req+jwt' });
  assert.deepEqual(claims, {
    iss: 'rp-1',
    aud: AS,
    response_type: 'code',
    client_id: 'rp-1',
    redirect_uri: CB,
    scope: 'openid email',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    iat: T,
    nbf: T,
    exp: T + 120,
    jti: 'jti-1',
  });
});

test('the URL: the authorization endpoint with client_id and request, nothing else in the clear', async () => {
  const { url, codeVerifier } = await createLoginRequests(config)(login);
  assert.equal(`${url.origin}${url.pathname}`, `${AS}/authorize`);
  assert.deepEqual([...url.searchParams.keys()], ['client_id', 'request']);
  assert.equal(codeVerifier, login.codeVerifier); // kept for the token request, never sent here
  assert.ok(!url.href.includes(login.codeVerifier));
});

test('an AS accepts it at the fixed time, and refuses it once expired (exp + its 10 s tolerance)', async () => {
  const { url } = await createLoginRequests(config)(login);
  const accepted = await verifierAt(NOW).verify(url.searchParams);
  assert.equal(accepted.parameters.redirect_uri, CB);
  assert.equal(accepted.parameters.code_challenge, CHALLENGE);

  assert.ok(await verifierAt(NOW + 125_000).verify(url.searchParams)); // within the clock tolerance
  await assert.rejects(verifierAt(NOW + 131_000).verify(url.searchParams), (err) => {
    assert.ok(err instanceof AuthorizationRequestError);
    assert.equal(err.error, 'invalid_request_object');
    assert.equal(err.check, 'time');
    return true;
  });
});

test('a fixed jti is a replay for an AS with a replay store: give each build its own', async () => {
  const as = verifierAt(NOW, { verifier: { replayStore: new MemoryReplayStore({ now: () => NOW }) } });
  const fixed = createLoginRequests(config);
  await as.verify((await fixed(login)).url.searchParams);
  await assert.rejects(as.verify((await fixed(login)).url.searchParams), { check: 'replay' });

  let n = 0;
  const counted = createLoginRequests({ ...config, jti: () => `counted-${++n}` });
  await as.verify((await counted(login)).url.searchParams);
  await as.verify((await counted(login)).url.searchParams);
  assert.equal(n, 2);
});

test('by reference, no server: a throwaway hosted publisher answers through its handler', async () => {
  const hosted = new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/', ttl: 60 });
  const request = await createLoginRequests({ ...config, publisher: hosted })(login);
  assert.deepEqual([...request.url.searchParams.keys()], ['client_id', 'request_uri']);
  assert.equal(request.url.searchParams.get('request_uri'), request.requestUri);
  assert.ok(request.requestUri.startsWith('https://rp.example.com/jar/'));

  const res = await hosted.handler(new Request(request.requestUri));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/oauth-authz-req+jwt');
  const served = await res.text();
  assert.equal(served, request.requestObject);
  assert.equal(decodeAuthorizationRequest(served).claims.jti, 'jti-1');
  assert.equal((await hosted.handler(new Request('https://rp.example.com/jar/unknown'))).status, 404);
});

test('by reference over loopback: the verifier fetches the request_uri; it expires with the ttl', async () => {
  let now = NOW;
  const store = new MemoryRequestObjectStore({ now: () => now });
  const server = createServer();
  const origin = await listen(server);
  const hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/jar/`, ttl: 60, store });
  server.on('request', toNodeHandler(hosted.handler));
  try {
    const as = verifierAt(NOW, {
      client: { request_uris: [`${origin}/jar/`] },
      // Only for tests on 127.0.0.1: production keeps https-only and no private addresses.
      verifier: { requestUri: { allowHttp: true, allowPrivateNetwork: true } },
    });
    const request = await createLoginRequests({ ...config, publisher: hosted })(login);
    const { requestObject, parameters } = await as.verify(request.url.searchParams);
    assert.equal(requestObject.source, 'request_uri');
    assert.equal(requestObject.requestUri, request.requestUri);
    assert.equal(parameters.state, 'state-1');

    now += 61_000; // past the hosted ttl
    assert.equal((await fetch(request.requestUri)).status, 404);
    await assert.rejects(as.verify(request.url.searchParams), { error: 'invalid_request_uri' });
  } finally {
    await close(server);
  }
});

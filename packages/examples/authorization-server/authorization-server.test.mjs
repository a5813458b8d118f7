// The minimal oauth-jar/server authorization endpoint, over HTTP on 127.0.0.1: its discovery
// metadata, and when it redirects an error to the client versus answering 400 itself.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { AuthorizationRequestBuilder, AuthorizationResponseError, generateCodeVerifier, verifyAuthorizationResponse } from 'oauth-jar';
import { toNodeHandler } from 'oauth-jar/node';
import { close, generateJwkPair, listen } from '../shared/util.mjs';
import { createAuthorizationServer } from './server.mjs';

const CB = 'https://rp.example/cb';
const server = createServer();
let issuer, asKey, clientKey, otherKey, responseKey;

before(async () => {
  issuer = await listen(server);
  asKey = await generateJwkPair('RSA-OAEP-256', 'as-enc-1');
  clientKey = await generateJwkPair('ES256', 'rp-1-sig');
  otherKey = await generateJwkPair('ES256', 'rp-1-sig');
  responseKey = await generateJwkPair('ES256', 'as-sig-1');
  const jwks = { keys: [clientKey.publicJwk] };
  server.on(
    'request',
    toNodeHandler(
      createAuthorizationServer({
        issuer,
        clients: {
          'rp-1': { client_id: 'rp-1', redirect_uris: [CB], jwks },
          'rp-many': { client_id: 'rp-many', redirect_uris: [CB, 'https://rp.example/other'], jwks },
        },
        decryptionKeys: { keys: [asKey.privateJwk] },
        jwks: { keys: [asKey.publicJwk] },
        responseSigningKey: responseKey,
      }),
    ),
  );
});
after(() => close(server));

const builder = (clientId = 'rp-1', key = clientKey.privateJwk) =>
  new AuthorizationRequestBuilder('code', clientId)
    .endpoint(`${issuer}/authorize`)
    .audience(issuer)
    .redirectUri(CB)
    .scope('openid')
    .state('st-1')
    .codeChallenge(generateCodeVerifier())
    .signWith(key, { alg: 'ES256' });

async function get(url) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type'), body: await res.text() };
}

test('discovery: RFC 8414 metadata with the request-object fields of verifier.metadata()', async () => {
  const res = await get(new URL('/.well-known/oauth-authorization-server', issuer));
  assert.equal(res.status, 200);
  const md = JSON.parse(res.body);
  assert.equal(md.issuer, issuer);
  assert.equal(md.authorization_endpoint, `${issuer}/authorize`);
  assert.equal(md.require_signed_request_object, true);
  assert.equal(md.request_parameter_supported, true);
  assert.ok(md.request_object_signing_alg_values_supported.includes('ES256'));
  assert.ok(!md.request_object_signing_alg_values_supported.includes('none'));
  assert.deepEqual(md.request_object_encryption_alg_values_supported, ['RSA-OAEP-256']);
  assert.ok(md.request_object_encryption_enc_values_supported.includes('A256GCM'));
  const jwks = JSON.parse((await get(md.jwks_uri)).body);
  assert.deepEqual(jwks.keys.map((k) => [k.kid, k.use, 'd' in k]), [['as-enc-1', 'enc', false], ['as-sig-1', 'sig', false]]);
  assert.ok(md.response_modes_supported.includes('query.jwt'));
});

test('JARM: prompt=none with response_mode query.jwt comes back as a signed response the client verifies', async () => {
  const { url } = await builder().prompt('none').responseMode('query.jwt').build();
  const res = await get(url);
  assert.equal(res.status, 303);
  const callback = new URL(res.location);
  assert.deepEqual([...callback.searchParams.keys()], ['response']);
  const server = JSON.parse((await get(new URL('/.well-known/oauth-authorization-server', issuer))).body);
  await assert.rejects(verifyAuthorizationResponse(callback, { server, clientId: 'rp-1', state: 'st-1', jarm: true }), (err) => {
    assert.ok(err instanceof AuthorizationResponseError);
    assert.equal(err.error, 'login_required');
    return true;
  });
  // The same response for another client is refused: the JWT names its audience.
  await assert.rejects(verifyAuthorizationResponse(callback, { server, clientId: 'rp-many', state: 'st-1' }), { code: 'ERR_RESPONSE_AUDIENCE' });
});

test('JARM: form_post.jwt is a self-submitting page under a strict CSP', async () => {
  const { url } = await builder().prompt('none').responseMode('form_post.jwt').build();
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy'), /default-src 'none'; script-src 'sha256-/);
  const body = await res.text();
  assert.match(body, /<form method="post" action="https:\/\/rp\.example\/cb"><input type="hidden" name="response" value="ey/);
});

test('prompt=none without a jwt mode: a plain redirect with error, state and iss', async () => {
  const res = await get((await builder().prompt('none').build()).url);
  const location = new URL(res.location);
  assert.deepEqual(Object.fromEntries(location.searchParams), { error: 'login_required', error_description: 'no user is signed in', state: 'st-1', iss: issuer });
});

test('a valid request object, signed then encrypted, is accepted', async () => {
  const { url } = await builder().encryptWith(asKey.publicJwk, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }).build();
  const res = await get(url);
  assert.equal(res.status, 200, res.body);
  assert.match(res.body, /rp-1 asks for "openid"/);
});

test('known client, bad signature: 303 to its registered redirect_uri with the error and iss', async () => {
  const { url } = await builder('rp-1', otherKey.privateJwk).build();
  const res = await get(url);
  assert.equal(res.status, 303);
  const location = new URL(res.location);
  assert.equal(`${location.origin}${location.pathname}`, CB);
  assert.equal(location.searchParams.get('error'), 'invalid_request_object');
  assert.equal(location.searchParams.get('iss'), issuer);
});

test('a replayed request object: the second use is redirected back as invalid_request_object', async () => {
  const { url } = await builder().build();
  assert.equal((await get(url)).status, 200);
  const again = await get(url);
  assert.equal(again.status, 303);
  assert.equal(new URL(again.location).searchParams.get('error'), 'invalid_request_object');
});

test('no request object although one is required: redirected as invalid_request, the query state echoed', async () => {
  const res = await get(new URL(`/authorize?client_id=rp-1&response_type=code&state=xyz&redirect_uri=${encodeURIComponent(CB)}`, issuer));
  assert.equal(res.status, 303);
  const location = new URL(res.location);
  assert.equal(location.searchParams.get('error'), 'invalid_request');
  assert.equal(location.searchParams.get('state'), 'xyz');
});

test('unknown client: a direct 400 page, never a redirect', async () => {
  const { url } = await builder('rp-2').build();
  const res = await get(url);
  assert.equal(res.status, 400);
  assert.equal(res.location, null);
  assert.match(res.type, /^text\/html/);
  assert.match(res.body, /invalid_client/);
});

test('missing client_id: 400, never a redirect', async () => {
  const res = await get(new URL(`/authorize?response_type=code&redirect_uri=${encodeURIComponent(CB)}`, issuer));
  assert.equal(res.status, 400);
  assert.equal(res.location, null);
});

test('a failed request from a client with several redirect_uris and none in the query: 400, no guess', async () => {
  const { url } = await builder('rp-many', otherKey.privateJwk).build();
  const res = await get(url);
  assert.equal(res.status, 400);
  assert.equal(res.location, null);
  assert.match(res.body, /invalid_request_object/);
});

test('a verified request whose redirect_uri is not registered: 400, not a redirect to it', async () => {
  const { url } = await builder().redirectUri('https://attacker.example/cb').build();
  const res = await get(url);
  assert.equal(res.status, 400);
  assert.equal(res.location, null);
  // The verifier refuses it (RFC 6749 §3.1.2.3) before the endpoint's own check: the HTML 400.
  assert.match(res.body, /invalid_request/);
  assert.doesNotMatch(res.body, /attacker\.example/);
});

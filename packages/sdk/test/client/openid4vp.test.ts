import { createServer, type Server } from 'node:http';
import { SignJWT, decodeProtectedHeader, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, HostedRequestUriPublisher, OAuthJarError, x509Hash } from '../../src/index.js';
import { toNodeHandler, type FetchHandler } from '../../src/node.js';
import { WalletRequestVerifier } from '../../src/wallet.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';
import { makePki, type Pki } from '../helpers/pki.js';

const CLIENT_ID = 'x509_san_dns:verifier.example';
const dcqlQuery = { credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] } }] };
let pki: Pki;
let encJwk: JWK;

beforeAll(async () => {
  pki = await makePki('verifier.example');
  const { publicKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  encJwk = { ...(await exportJWK(publicKey)), kid: 'resp-enc', use: 'enc', alg: 'ECDH-ES' };
});

function vpRequest(clientId = CLIENT_ID) {
  return new AuthorizationRequestBuilder('vp_token', clientId)
    .endpoint('openid4vp://')
    .nonce('n-0S6_WzA2Mj')
    .state('st-1')
    .responseMode('direct_post.jwt')
    .param('response_uri', 'https://verifier.example/response')
    .param('dcql_query', dcqlQuery)
    .param('client_metadata', { jwks: { keys: [encJwk] }, vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'] } } });
}

describe('AuthorizationRequestBuilder for OpenID4VP verifiers', () => {
  it('signs with the x5c chain in the header, typ oauth-authz-req+jwt and aud https://self-issued.me/v2 by default', async () => {
    const request = await vpRequest().signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c }).build();
    expect(request.url.protocol).toBe('openid4vp:');
    const header = decodeProtectedHeader(request.requestObject!);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c: pki.x5c });
    expect(decodeJwt(request.requestObject!)).toMatchObject({ aud: 'https://self-issued.me/v2', client_id: CLIENT_ID, dcql_query: dcqlQuery });
    // and a wallet accepts it
    const wallet = new WalletRequestVerifier({ trustAnchors: [pki.root.pem] });
    await expect(wallet.verify(request.url)).resolves.toMatchObject({ clientIdPrefix: 'x509_san_dns' });
  });

  it('accepts wallet custom schemes as the endpoint, and still refuses javascript: and data:', () => {
    for (const e of ['openid4vp://', 'haip-vp://', 'eudi-openid4vp://authorize']) expect(() => vpRequest().endpoint(e)).not.toThrow();
    for (const e of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd']) {
      expect(() => vpRequest().endpoint(e)).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_URL' }));
    }
  });

  it('x509_san_dns: refuses at build a leaf whose SAN does not match, and a missing x5c', async () => {
    let err = await failure(vpRequest('x509_san_dns:other.example').signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c }).build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
    expect(err.message).toContain('verifier.example');
    err = await failure(vpRequest().signWith(pki.leaf.privateJwk, { alg: 'ES256' }).build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
    err = await failure(vpRequest().param('response_uri', 'https://elsewhere.example/r').signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c }).build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
  });

  it('x509_hash: builds with the leaf hash and refuses another one', async () => {
    const clientId = `x509_hash:${await x509Hash(pki.leaf.b64)}`;
    await expect(vpRequest(clientId).signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c }).build()).resolves.toBeDefined();
    const err = await failure(vpRequest(`x509_hash:${await x509Hash(pki.intermediate.b64)}`).signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c }).build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
  });

  it('redirect_uri: refuses signWith, checks the response_uri, and builds a plain request', async () => {
    const clientId = 'redirect_uri:https://verifier.example/response';
    expect(() => vpRequest(clientId).signWith(pki.leaf.privateJwk, { alg: 'ES256' })).toThrowError(expect.objectContaining({ code: 'ERR_CLIENT_ID_PREFIX' }));
    const err = await failure(vpRequest(clientId).param('response_uri', 'https://verifier.example/other').build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
    const plain = await vpRequest(clientId).build();
    expect(plain.requestObject).toBeUndefined();
    expect(JSON.parse(plain.url.searchParams.get('dcql_query')!)).toEqual(dcqlQuery);
    await expect(new WalletRequestVerifier().verify(plain.url)).resolves.toMatchObject({ clientIdPrefix: 'redirect_uri' });
  });

  it('decentralized_identifier: needs a kid that is a DID URL of the DID', async () => {
    const did = 'did:example:123';
    const { privateKey } = await generateKeyPair('ES256');
    const err = await failure(vpRequest(`decentralized_identifier:${did}`).param('response_uri', 'https://v.example/r').signWith(privateKey, { alg: 'ES256', kid: 'did:example:456#k1' }).build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
    const ok = await vpRequest(`decentralized_identifier:${did}`).signWith(privateKey, { alg: 'ES256', kid: `${did}#k1` }).build();
    expect(decodeProtectedHeader(ok.requestObject!).kid).toBe(`${did}#k1`);
  });

  it('verifier_attestation: puts the attestation in the jwt header and checks its sub', async () => {
    const issuer = await generateKeyPair('ES256');
    const verifierKey = await generateKeyPair('ES256', { extractable: true });
    const attestation = await new SignJWT({ sub: 'verifier.example', cnf: { jwk: await exportJWK(verifierKey.publicKey) } })
      .setProtectedHeader({ alg: 'ES256', typ: 'verifier-attestation+jwt' })
      .setIssuer('https://attester.example').setExpirationTime('1h').sign(issuer.privateKey);
    const request = await vpRequest('verifier_attestation:verifier.example').signWith(verifierKey.privateKey, { alg: 'ES256', jwt: attestation }).build();
    expect(decodeProtectedHeader(request.requestObject!).jwt).toBe(attestation);
    const wallet = new WalletRequestVerifier({
      verifierAttestationKey: async (iss) => (iss === 'https://attester.example' ? issuer.publicKey : undefined),
    });
    await expect(wallet.verify(request.url)).resolves.toMatchObject({ clientIdPrefix: 'verifier_attestation' });
    const err = await failure(vpRequest('verifier_attestation:other.example').signWith(verifierKey.privateKey, { alg: 'ES256', jwt: attestation }).build());
    expect(err.code).toBe('ERR_CLIENT_ID_PREFIX');
  });
});

describe('HostedRequestUriPublisher method: post (OpenID4VP 1.0 §5.10) with WalletRequestVerifier over loopback HTTP', () => {
  let server: Server;
  let origin: string;
  let handler: FetchHandler = () => new Response(null, { status: 404 });
  const loopback = { allowHttp: true, allowPrivateNetwork: true, timeout: 5000 };

  beforeAll(async () => {
    server = createServer(toNodeHandler((req) => handler(req)));
    origin = await listen(server);
  });
  afterAll(() => close(server));

  async function published(options: { maxFetches?: number } = {}) {
    const hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/request/`, ttl: 120, method: 'post', ...options });
    handler = hosted.handler;
    return vpRequest().signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c }).publishWith(hosted).build();
  }

  it('emits client_id, request_uri and request_uri_method=post, and answers a POST with the wallet_nonce and the wallet issuer as aud', async () => {
    const request = await published();
    expect(request.url.href).toMatch(/^openid4vp:\/\/\?client_id=x509_san_dns%3Averifier\.example&request_uri=.+&request_uri_method=post$/);
    const wallet = new WalletRequestVerifier({
      trustAnchors: [pki.root.pem],
      walletMetadata: { issuer: 'https://wallet.example', request_object_signing_alg_values_supported: ['ES256'] },
      requestUri: loopback,
    });
    const verified = await wallet.verify(request.url);
    expect(verified.walletNonce).toBeDefined();
    expect(verified.parameters).toMatchObject({ wallet_nonce: verified.walletNonce, aud: 'https://wallet.example', dcql_query: dcqlQuery });
  });

  it('a wallet POST is signed with the alg negotiated at build when signWith names none', async () => {
    const hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/request/`, ttl: 120, method: 'post' });
    handler = hosted.handler;
    // Static wallet metadata as the "server": its request_object_signing_alg_values_supported is negotiated.
    const walletAs = { issuer: 'https://wallet.example', request_object_signing_alg_values_supported: ['PS256', 'ES256'] };
    const request = await vpRequest().server(walletAs).signWith(pki.leaf.privateJwk, { x5c: pki.x5c }).publishWith(hosted).build();
    expect(decodeProtectedHeader(request.requestObject!).alg).toBe('ES256');
    const wallet = new WalletRequestVerifier({
      trustAnchors: [pki.root.pem],
      walletMetadata: { issuer: 'https://wallet.example', request_object_signing_alg_values_supported: ['ES256'] },
      requestUri: loopback,
    });
    const verified = await wallet.verify(request.url);
    expect(verified.parameters).toMatchObject({ wallet_nonce: verified.walletNonce, aud: 'https://wallet.example' });
  });

  it('puts no wallet_nonce in the object when the wallet sent none, and answers GET with the object as built', async () => {
    const request = await published();
    const requestUri = request.requestUri!;
    const post = await fetch(requestUri, { method: 'POST', body: new URLSearchParams({}) });
    expect(post.status).toBe(200);
    expect(post.headers.get('content-type')).toBe('application/oauth-authz-req+jwt');
    expect(decodeJwt(await post.text())).not.toHaveProperty('wallet_nonce');
    const get = await fetch(requestUri);
    expect(await get.text()).toBe(request.requestObject);
  });

  it('answers a bounded number of times', async () => {
    const request = await published({ maxFetches: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(request.requestUri!, { method: 'POST', body: new URLSearchParams({ wallet_nonce: `n${i}` }) })).status);
    expect(statuses).toEqual([200, 200, 404]);
  });

  it('answers 400 when the wallet lists no alg of the signing key, or sends metadata that is not JSON', async () => {
    const request = await published();
    let res = await fetch(request.requestUri!, { method: 'POST', body: new URLSearchParams({ wallet_metadata: JSON.stringify({ request_object_signing_alg_values_supported: ['PS256'] }) }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    res = await fetch(request.requestUri!, { method: 'POST', body: new URLSearchParams({ wallet_metadata: '{not json' }) });
    expect(res.status).toBe(400);
  });

  it('encrypts the object to the wallet jwks when the wallet gives one, and the wallet decrypts it', async () => {
    const request = await published();
    const walletEnc = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const pub = { ...(await exportJWK(walletEnc.publicKey)), kid: 'w1', use: 'enc' };
    const priv = { ...(await exportJWK(walletEnc.privateKey)), kid: 'w1', use: 'enc' };
    const wallet = new WalletRequestVerifier({
      trustAnchors: [pki.root.pem],
      walletMetadata: { jwks: { keys: [pub] }, request_object_encryption_alg_values_supported: ['ECDH-ES'], request_object_encryption_enc_values_supported: ['A256GCM'] },
      decryptionKeys: { keys: [priv] },
      requestUri: loopback,
    });
    const verified = await wallet.verify(request.url);
    expect(verified.parameters.wallet_nonce).toBe(verified.walletNonce);
    // what went over the wire was a JWE
    const raw = await fetch(request.requestUri!, { method: 'POST', body: new URLSearchParams({ wallet_metadata: JSON.stringify({ jwks: { keys: [pub] } }) }) });
    const text = await raw.text();
    expect(text.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(text)).toMatchObject({ alg: 'ECDH-ES', enc: 'A128GCM', kid: 'w1', cty: 'JWT' });
  });

  it('a publisher with method post refuses objects not published by the builder', async () => {
    const hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/request/`, method: 'post' });
    const err = await failure(hosted.publish('a.b.c'));
    expect(err).toBeInstanceOf(OAuthJarError);
    expect(err.code).toBe('ERR_PUBLISH_FAILED');
  });
});

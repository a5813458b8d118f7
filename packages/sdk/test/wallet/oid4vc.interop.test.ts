// Interop with the oid4vc-ts libraries (@openid4vc/openid4vp), the TypeScript reference for
// OpenID4VP: its verifier's requests are accepted by WalletRequestVerifier, oauth-jar's requests by
// its holder, request_uri_method=post both ways (over loopback HTTP), and direct_post.jwt
// responses made by either side are read by the other. The callbacks it needs are jose's.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { setGlobalConfig, type CallbackContext, type Jwk } from '@openid4vc/oauth2';
import { Openid4vpClient, Openid4vpVerifier, parseOpenid4vpAuthorizationResponse } from '@openid4vc/openid4vp';
import { CompactEncrypt, SignJWT, compactDecrypt, exportJWK, generateKeyPair, importJWK, importX509, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, HostedRequestUriPublisher, verifyAuthorizationResponse } from '../../src/index.js';
import { toNodeHandler, type FetchHandler } from '../../src/node.js';
import { WalletRequestVerifier, encryptAuthorizationResponse } from '../../src/wallet.js';
import { close, listen } from '../helpers/loopback.js';
import { makePki, type Pki } from '../helpers/pki.js';

const CLIENT_ID = 'x509_san_dns:verifier.example';
const RESPONSE_URI = 'https://verifier.example/response';
const dcqlQuery = { credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] }, claims: [{ path: ['family_name'] }] }] };
const vpToken = { pid: ['eyJhbGciOiJFUzI1NiJ9.eyJ2Y3QiOiJ1cm46ZXVkaTpwaWQ6MSJ9.c2ln~'] };

let pki: Pki;
let leafPublicJwk: JWK;
let responseKeys: { publicJwk: JWK; privateJwk: JWK };
let clientMetadata: Record<string, unknown>;
let server: Server;
let origin: string;
let handler: FetchHandler = () => new Response(null, { status: 404 });

const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----`;

// The callbacks oid4vc-ts delegates its crypto to, written with jose and @peculiar/x509.
function callbacks(): Omit<CallbackContext, 'generateRandom' | 'clientAuthentication'> {
  return {
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    fetch: (input, init) => fetch(input, init),
    getX509CertificateMetadata: (certificate) => {
      const cert = new x509.X509Certificate(certificate);
      const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
      return { sanDnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value), sanUriNames: names.filter((n) => n.type === 'url').map((n) => n.value) };
    },
    signJwt: async (signer, { header, payload }) => {
      if (signer.method !== 'x5c') throw new Error(`test signer: ${signer.method}`);
      const jwt = await new SignJWT(payload as JWTPayload).setProtectedHeader(header as { alg: string }).sign(await importJWK(pki.leaf.privateJwk, signer.alg));
      return { jwt, signerJwk: leafPublicJwk as Jwk };
    },
    verifyJwt: async (signer, { compact }) => {
      try {
        if (signer.method !== 'x5c') throw new Error(`test verifier: ${signer.method}`);
        const key = await importX509(pem(signer.x5c[0]!), signer.alg, { extractable: true });
        await jwtVerify(compact, key);
        return { verified: true, signerJwk: (await exportJWK(key)) as Jwk };
      } catch {
        return { verified: false };
      }
    },
    encryptJwe: async (encryptor, data) => {
      const header = { alg: encryptor.alg, enc: encryptor.enc, ...(encryptor.kid ? { kid: encryptor.kid } : {}) };
      const jwe = await new CompactEncrypt(new TextEncoder().encode(data)).setProtectedHeader(header).encrypt(await importJWK(encryptor.publicJwk as JWK, encryptor.alg));
      return { jwe, encryptionJwk: encryptor.publicJwk };
    },
    decryptJwe: async (jwe) => {
      try {
        const { plaintext } = await compactDecrypt(jwe, await importJWK(responseKeys.privateJwk, 'ECDH-ES'));
        return { decrypted: true, decryptionJwk: responseKeys.publicJwk as Jwk, payload: new TextDecoder().decode(plaintext) };
      } catch {
        return { decrypted: false };
      }
    },
  };
}

beforeAll(async () => {
  setGlobalConfig({ allowInsecureUrls: true }); // the loopback request_uri is http
  pki = await makePki('verifier.example');
  const { d: _d, ...pub } = pki.leaf.privateJwk;
  leafPublicJwk = pub;
  const pair = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  responseKeys = {
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'resp-enc', use: 'enc', alg: 'ECDH-ES' },
    privateJwk: { ...(await exportJWK(pair.privateKey)), kid: 'resp-enc', use: 'enc', alg: 'ECDH-ES' },
  };
  clientMetadata = {
    jwks: { keys: [responseKeys.publicJwk] },
    encrypted_response_enc_values_supported: ['A128GCM'],
    vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
  };
  server = createServer(toNodeHandler((req) => handler(req)));
  origin = await listen(server);
});
afterAll(() => close(server));

function payload(extra: Record<string, unknown> = {}) {
  return {
    response_type: 'vp_token' as const,
    client_id: CLIENT_ID,
    response_mode: 'direct_post.jwt' as const,
    response_uri: RESPONSE_URI,
    nonce: 'n-0S6_WzA2Mj',
    state: 'st-1',
    dcql_query: dcqlQuery,
    client_metadata: clientMetadata,
    ...extra,
  };
}

const ourWallet = () =>
  new WalletRequestVerifier({
    trustAnchors: [pki.root.pem],
    walletMetadata: { vp_formats_supported: { 'dc+sd-jwt': {} }, request_object_signing_alg_values_supported: ['ES256'] },
    requestUri: { allowHttp: true, allowPrivateNetwork: true, timeout: 5000 },
  });

describe('@openid4vc/openid4vp verifier → WalletRequestVerifier', () => {
  it('accepts its x509_san_dns request object by value', async () => {
    const verifier = new Openid4vpVerifier({ callbacks: callbacks() });
    const { authorizationRequest } = await verifier.createOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: payload(),
      jar: { jwtSigner: { method: 'x5c', x5c: pki.x5c, alg: 'ES256' }, expiresInSeconds: 120, additionalJwtPayload: { aud: 'https://self-issued.me/v2' } },
    });
    const verified = await ourWallet().verify(authorizationRequest);
    expect(verified).toMatchObject({ clientId: CLIENT_ID, clientIdPrefix: 'x509_san_dns', certificateChain: pki.x5c });
    expect(verified.parameters).toMatchObject({ dcql_query: dcqlQuery, response_uri: RESPONSE_URI });
  });

  it('request_uri_method=post: the wallet POSTs, its verifier makes the object with the wallet_nonce (aud = request_uri tolerated)', async () => {
    const verifier = new Openid4vpVerifier({ callbacks: callbacks() });
    const requestUri = `${origin}/oid4vc/request`;
    let posted: URLSearchParams | undefined;
    handler = async (req) => {
      posted = new URLSearchParams(await req.text());
      const { jar } = await verifier.createOpenId4vpAuthorizationRequest({
        authorizationRequestPayload: payload({ wallet_nonce: posted.get('wallet_nonce')! }),
        jar: { jwtSigner: { method: 'x5c', x5c: pki.x5c, alg: 'ES256' }, expiresInSeconds: 120, requestUri },
        wallet: { expectedNonce: posted.get('wallet_nonce')! },
      });
      return new Response(jar!.authorizationRequestJwt, { headers: { 'content-type': 'application/oauth-authz-req+jwt' } });
    };

    const { authorizationRequest } = await verifier.createOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: payload(),
      jar: { jwtSigner: { method: 'x5c', x5c: pki.x5c, alg: 'ES256' }, expiresInSeconds: 120, requestUri },
    });
    // the library does not put request_uri_method in the URL (and refuses it in the payload
    // without a request_uri there); its app adds it to the URL
    const url = new URL(authorizationRequest);
    expect(url.searchParams.has('request_uri_method')).toBe(false);
    url.searchParams.set('request_uri_method', 'post');
    const verified = await ourWallet().verify(url);
    expect(posted?.get('wallet_nonce')).toBe(verified.walletNonce);
    expect(verified.parameters).toMatchObject({ wallet_nonce: verified.walletNonce, aud: requestUri });
  });
});

describe('AuthorizationRequestBuilder → @openid4vc/openid4vp holder', () => {
  const builder = () =>
    new AuthorizationRequestBuilder('vp_token', CLIENT_ID)
      .endpoint('openid4vp://')
      .nonce('n-0S6_WzA2Mj')
      .state('st-1')
      .responseMode('direct_post.jwt')
      .param('response_uri', RESPONSE_URI)
      .param('dcql_query', dcqlQuery)
      .param('client_metadata', clientMetadata)
      .signWith(pki.leaf.privateJwk, { alg: 'ES256', x5c: pki.x5c });

  it('accepts a request object by value', async () => {
    const request = await builder().build();
    const holder = new Openid4vpClient({ callbacks: callbacks() });
    const parsed = holder.parseOpenid4vpAuthorizationRequest({ authorizationRequest: request.url.href });
    const resolved = await holder.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params });
    expect(resolved.client).toMatchObject({ prefix: 'x509_san_dns', identifier: 'verifier.example' });
    expect(resolved.dcql?.query).toEqual(dcqlQuery);
  });

  it('request_uri_method=post: the holder POSTs its (flattened) wallet metadata to the hosted publisher', async () => {
    const hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/jar/`, ttl: 120, method: 'post' });
    let method: string | undefined;
    handler = (req) => ((method = req.method), hosted.handler(req));
    const request = await builder().publishWith(hosted).build();
    expect(request.url.searchParams.get('request_uri_method')).toBe('post');
    const holder = new Openid4vpClient({ callbacks: callbacks() });
    const parsed = holder.parseOpenid4vpAuthorizationRequest({ authorizationRequest: request.url.href });
    const resolved = await holder.resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params,
      wallet: { metadata: { vp_formats_supported: { 'dc+sd-jwt': {} }, request_object_signing_alg_values_supported: ['ES256'] } as never },
    });
    expect(method).toBe('POST');
    expect(resolved.client.prefix).toBe('x509_san_dns');
    expect(resolved.jar?.authorizationRequestPayload).not.toHaveProperty('wallet_nonce');
  });
});

describe('direct_post.jwt responses, both ways', () => {
  it('a response the holder encrypts is read by verifyAuthorizationResponse', async () => {
    const holder = new Openid4vpClient({ callbacks: callbacks() });
    const result = await holder.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: payload(),
      authorizationResponsePayload: { vp_token: vpToken },
      jarm: {
        encryption: { nonce: 'n-0S6_WzA2Mj' },
        serverMetadata: { authorization_signing_alg_values_supported: ['ES256'], authorization_encryption_alg_values_supported: ['ECDH-ES'], authorization_encryption_enc_values_supported: ['A128GCM'] },
      },
    });
    const verified = await verifyAuthorizationResponse(new URLSearchParams({ response: result.jarm!.responseJwt }), {
      decryptionKeys: [responseKeys.privateJwk],
      clientMetadata,
      state: 'st-1',
    });
    expect(verified.vp_token).toEqual(vpToken);
    expect(verified.state).toBe('st-1');
  });

  it('a response encryptAuthorizationResponse makes is read by its verifier', async () => {
    const response = await encryptAuthorizationResponse({ vp_token: vpToken, state: 'st-1' }, { clientMetadata });
    // the standalone function: Openid4vpVerifier#parseOpenid4vpAuthorizationResponse 0.4.6 drops its callbacks
    const parsed = await parseOpenid4vpAuthorizationResponse({
      authorizationResponse: { response },
      authorizationRequestPayload: payload(),
      callbacks: callbacks(),
    });
    expect(parsed.authorizationResponsePayload).toMatchObject({ vp_token: vpToken, state: 'st-1' });
    expect(parsed.jarm?.type).toBe('Encrypted');
  });
});

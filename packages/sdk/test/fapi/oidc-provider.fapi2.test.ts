// FAPI 2.0 Message Signing end to end against oidc-provider on 127.0.0.1 (its `fapi` profile 2.0,
// DPoP nonces demanded, mTLS, JARM, PAR required): PAR with DPoP or mTLS → authorize → login and
// consent → callback with a JARM `response` → verifyAuthorizationResponse → token request
// (oauth4webapi) → a sender-constrained access token.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import type { ClientMetadata } from 'oidc-provider';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationRequestBuilder,
  PushedAuthorizationRequestPublisher,
  discoverAuthorizationServer,
  generateCodeVerifier,
  verifyAuthorizationResponse,
  type AuthorizationServerMetadata,
} from '../../src/index.js';
import { mtlsFetch } from '../../src/node.js';
import { issueAuthorizationResponse } from '../../src/server.js';
import { browser, startProvider, type FapiProvider } from '../helpers/oidc-provider.js';
import { failure } from '../helpers/failure.js';

const REDIRECT = 'https://rp.example.com/cb';
let op: FapiProvider;
let as: AuthorizationServerMetadata;
let clientKey: CryptoKey;
let clientJwk: JWK;

const base = (id: string, extra: Partial<ClientMetadata>): ClientMetadata => ({
  client_id: id,
  redirect_uris: [REDIRECT],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  jwks: { keys: [clientJwk] },
  authorization_signed_response_alg: 'PS256',
  id_token_signed_response_alg: 'ES256',
  ...extra,
});

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  clientKey = pair.privateKey;
  clientJwk = { ...(await exportJWK(pair.publicKey)), kid: 'rp-1', use: 'sig' };
  op = await startProvider({ profile: 'fapi2' });
  op.addClient(base('rp-dpop', { token_endpoint_auth_method: 'private_key_jwt', dpop_bound_access_tokens: true }));
  op.addClient(
    base('rp-mtls', {
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: op.certs.client.subject,
      tls_client_certificate_bound_access_tokens: true,
    }),
  );
  as = await discoverAuthorizationServer(op.issuer, { cache: false });
}, 30_000);
afterAll(() => op?.close());

/** The FAPI 2.0 request every test sends: PAR, signed, PKCE S256, JARM. */
function fapiRequest(clientId: string, par: PushedAuthorizationRequestPublisher, state: string, verifier: string) {
  return new AuthorizationRequestBuilder('code', clientId)
    .profile('fapi2')
    .server(as)
    .redirectUri(REDIRECT)
    .scope('openid', 'accounts')
    .responseMode('query.jwt')
    .state(state)
    .codeChallenge(verifier)
    .signWith(clientKey, { kid: 'rp-1' }) // alg negotiated: ES256 is the first listed that fits
    .publishWith(par);
}

/** A new DPoP key and a PAR publisher bound to it, a fresh state and verifier, and the push count so far. */
async function dpopLogin() {
  const dpop = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: clientKey, kid: 'rp-1' }, dpop, profile: 'fapi2' });
  return { par, state: oauth.generateRandomState(), verifier: generateCodeVerifier(), pushesBefore: op.hits.get('POST /request') ?? 0 };
}

describe('FAPI 2.0 with DPoP', () => {
  it('PAR with DPoP (nonce retry) → login → JARM → verified code → DPoP-bound access token', async () => {
    const { par, state, verifier, pushesBefore } = await dpopLogin();

    const request = await fapiRequest('rp-dpop', par, state, verifier).build();
    expect([...request.url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // The provider demanded a nonce: the first push was refused with use_dpop_nonce, the retry passed.
    expect((op.hits.get('POST /request') ?? 0) - pushesBefore).toBe(2);
    expect(par.dpopNonce()).toMatch(/^[\w-]+$/);
    expect(par.dpopNonce(as.token_endpoint!)).toBe(par.dpopNonce());

    const callback = await browser(op.issuer).login(request.url);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect([...callback.searchParams.keys()]).toEqual(['response']);
    const { parameters } = await verifyAuthorizationResponse(callback, { server: as, clientId: 'rp-dpop', state, jarm: true });
    expect(parameters).toMatchObject({ iss: op.issuer, state });
    expect(parameters.code).toBeTruthy();

    // The token request with the same DPoP key (oauth4webapi), which the pushed request bound the code to.
    const as4 = await oauth.processDiscoveryResponse(new URL(op.issuer), await oauth.discoveryRequest(new URL(op.issuer), { [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: 'rp-dpop' };
    const DPoP = oauth.DPoP(client, par.dpop!);
    const tokenRequest = () =>
      oauth.genericTokenEndpointRequest(as4, client, oauth.PrivateKeyJwt(clientKey, { [oauth.modifyAssertion]: (h) => void (h.kid = 'rp-1') }), 'authorization_code', {
        code: parameters.code!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }, { DPoP, [oauth.allowInsecureRequests]: true });
    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await oauth.processGenericTokenEndpointResponse(as4, client, await tokenRequest());
    } catch (err) {
      if (!oauth.isDPoPNonceError(err)) throw err;
      tokens = await oauth.processGenericTokenEndpointResponse(as4, client, await tokenRequest());
    }
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(tokens.access_token).toBeTruthy();
  }, 30_000);

  it('the code is bound to the pushed DPoP key: a token request with another key is refused', async () => {
    const { par, state, verifier, pushesBefore } = await dpopLogin();
    const request = await fapiRequest('rp-dpop', par, state, verifier).build();
    // The nonce of the previous login is still fresh for this server... but this is a new publisher:
    // it learns the nonce once, then the next push from it needs no retry.
    expect((op.hits.get('POST /request') ?? 0) - pushesBefore).toBe(2);
    await fapiRequest('rp-dpop', par, state, verifier).build();
    expect((op.hits.get('POST /request') ?? 0) - pushesBefore).toBe(3);

    const callback = await browser(op.issuer).login(request.url);
    const { parameters } = await verifyAuthorizationResponse(callback, { server: as, clientId: 'rp-dpop', state, jarm: true });
    const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const as4 = await oauth.processDiscoveryResponse(new URL(op.issuer), await oauth.discoveryRequest(new URL(op.issuer), { [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: 'rp-dpop' };
    const DPoP = oauth.DPoP(client, other);
    const send = async () =>
      oauth.processGenericTokenEndpointResponse(as4, client, await oauth.genericTokenEndpointRequest(as4, client, oauth.PrivateKeyJwt(clientKey), 'authorization_code', {
        code: parameters.code!, redirect_uri: REDIRECT, code_verifier: verifier,
      }, { DPoP, [oauth.allowInsecureRequests]: true }));
    const err = await send().catch(async (e: unknown) => (oauth.isDPoPNonceError(e) ? send().catch((e2: unknown) => e2) : e));
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_grant');
  }, 30_000);
});

describe('FAPI 2.0 with mTLS', () => {
  it('PAR to the mtls_endpoint_aliases with tls_client_auth → login → JARM → certificate-bound access token', async () => {
    const fetchWithCert = mtlsFetch({ cert: op.certs.client.cert, key: op.certs.client.key, ca: op.certs.ca });
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'tls_client_auth' }, fetch: fetchWithCert, profile: 'fapi2' });
    const state = oauth.generateRandomState();
    const verifier = generateCodeVerifier();
    const before = { plain: op.hits.get('POST /request') ?? 0, mtls: op.hits.get('mtls POST /request') ?? 0 };
    const request = await fapiRequest('rp-mtls', par, state, verifier).build();
    expect(request.requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    // RFC 8705 §5: the push went to the alias on the https listener, not to the plain endpoint.
    expect((op.hits.get('mtls POST /request') ?? 0) - before.mtls).toBe(1);
    expect((op.hits.get('POST /request') ?? 0) - before.plain).toBe(0);

    const callback = await browser(op.issuer).login(request.url);
    const { parameters } = await verifyAuthorizationResponse(callback, { server: as, clientId: 'rp-mtls', state, jarm: true });

    // Token request with the same certificate at the alias (oauth4webapi uses the aliases when told to).
    const as4 = await oauth.processDiscoveryResponse(new URL(op.issuer), await oauth.discoveryRequest(new URL(op.issuer), { [oauth.allowInsecureRequests]: true }));
    const client = { client_id: 'rp-mtls', use_mtls_endpoint_aliases: true };
    const res = await oauth.genericTokenEndpointRequest(as4, client, oauth.TlsClientAuth(), 'authorization_code', {
      code: parameters.code!, redirect_uri: REDIRECT, code_verifier: verifier,
    }, { [oauth.customFetch]: fetchWithCert as never, [oauth.allowInsecureRequests]: true });
    const tokens = await oauth.processGenericTokenEndpointResponse(as4, client, res);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    // RFC 8705 §3.1: the token is bound to the certificate's thumbprint (cnf.x5t#S256).
    const introspected = await op.provider.AccessToken.find(tokens.access_token);
    expect(introspected?.['x5t#S256']).toBeTruthy();
  }, 30_000);

  it('without the alias the same push goes to the plain endpoint and is refused (no certificate there)', async () => {
    const agent = new Agent({ connect: { ca: op.certs.ca } });
    const plainFetch = ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, dispatcher: agent } as RequestInit)) as typeof fetch;
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'tls_client_auth' }, fetch: plainFetch, endpoint: `${op.issuer}/request` });
    const err = await failure(fapiRequest('rp-mtls', par, 's', generateCodeVerifier()).profile('fapi2').build());
    expect(err).toMatchObject({ code: 'ERR_RESPONSE', error: 'invalid_client' });
    await agent.close();
  });
});

describe('JARM responses that must be refused', () => {
  let good: { jwt: string; state: string };
  const sign = (claims: Record<string, string>, opts: Partial<Parameters<typeof issueAuthorizationResponse>[1]> = {}) =>
    issueAuthorizationResponse(claims, { issuer: op.issuer, clientId: 'rp-dpop', key: op.privateJwks.keys[0]!, alg: 'PS256', ...opts });
  const verify = (jwt: string, state = 'st') => verifyAuthorizationResponse(`${REDIRECT}?response=${jwt}`, { server: as, clientId: 'rp-dpop', state, jarm: true });

  beforeAll(async () => {
    good = { jwt: await sign({ code: 'c', state: 'st' }), state: 'st' };
  });

  it('the baseline, signed with the provider\'s key, passes', async () => {
    expect((await verify(good.jwt)).parameters).toMatchObject({ code: 'c', state: 'st', iss: op.issuer });
  });

  it('from another issuer: ERR_RESPONSE_ISSUER', async () => {
    expect((await failure(verify(await sign({ code: 'c', state: 'st' }, { issuer: 'https://other.example' })))).code).toBe('ERR_RESPONSE_ISSUER');
  });

  it('for another client: ERR_RESPONSE_AUDIENCE', async () => {
    expect((await failure(verify(await sign({ code: 'c', state: 'st' }, { clientId: 'rp-other' })))).code).toBe('ERR_RESPONSE_AUDIENCE');
  });

  it('expired: ERR_RESPONSE_EXPIRED', async () => {
    const old = await sign({ code: 'c', state: 'st' }, { now: () => Date.now() - 3_600_000 });
    expect((await failure(verify(old))).code).toBe('ERR_RESPONSE_EXPIRED');
  });

  it('signed with an unknown key: ERR_RESPONSE_KEY', async () => {
    const stranger = await generateKeyPair('PS256');
    const jwt = await sign({ code: 'c', state: 'st' }, { key: stranger.privateKey, kid: 'as-rolled-2' });
    expect((await failure(verify(jwt))).code).toBe('ERR_RESPONSE_KEY');
  });

  it('signed with an unknown key under a known kid: ERR_RESPONSE_SIGNATURE', async () => {
    const stranger = await generateKeyPair('PS256');
    const jwt = await sign({ code: 'c', state: 'st' }, { key: stranger.privateKey, kid: op.privateJwks.keys[0]!.kid! });
    expect((await failure(verify(jwt))).code).toBe('ERR_RESPONSE_SIGNATURE');
  });

  it('alg none: ERR_RESPONSE_ALG', async () => {
    const [, payload] = good.jwt.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect((await failure(verify(none))).code).toBe('ERR_RESPONSE_ALG');
  });

  it('tampered (a changed code under the original signature): ERR_RESPONSE_SIGNATURE', async () => {
    const [h, p, s] = good.jwt.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, code: 'attacker' })).toString('base64url')}.${s}`;
    expect((await failure(verify(forged))).code).toBe('ERR_RESPONSE_SIGNATURE');
  });

  it('another state: ERR_RESPONSE_STATE', async () => {
    expect((await failure(verify(good.jwt, 'mine')).then((e) => e.code))).toBe('ERR_RESPONSE_STATE');
  });

  it('a plain response without iss, where the provider advertises RFC 9207: ERR_RESPONSE_ISSUER', async () => {
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    const err = await failure(verifyAuthorizationResponse(`${REDIRECT}?code=c&state=st`, { server: as, clientId: 'rp-dpop', state: 'st' }));
    expect(err.code).toBe('ERR_RESPONSE_ISSUER');
    // …and with the right iss it passes, so the refusal is owed to the missing iss.
    const ok = await verifyAuthorizationResponse(`${REDIRECT}?code=c&state=st&iss=${encodeURIComponent(op.issuer)}`, { server: as, clientId: 'rp-dpop', state: 'st' });
    expect(ok.parameters.code).toBe('c');
  });

  it('a plain response where JARM was asked for: ERR_RESPONSE_MALFORMED', async () => {
    const err = await failure(verifyAuthorizationResponse(`${REDIRECT}?code=c&state=st&iss=${encodeURIComponent(op.issuer)}`, { server: as, clientId: 'rp-dpop', state: 'st', jarm: true }));
    expect(err.code).toBe('ERR_RESPONSE_MALFORMED');
  });
});

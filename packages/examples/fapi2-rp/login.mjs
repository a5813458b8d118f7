// The whole FAPI 2.0 Message Signing login of a relying party, step by step, with oauth-jar for
// everything up to the verified code and oauth4webapi for the token request.
import * as oauth from 'oauth4webapi';
import {
  AuthorizationRequestBuilder,
  PushedAuthorizationRequestPublisher,
  discoverAuthorizationServer,
  generateCodeVerifier,
  verifyAuthorizationResponse,
} from 'oauth-jar';
import { generateJwkPair } from '../shared/util.mjs';
import { startFapiProvider } from './provider.mjs';

const REDIRECT = 'https://rp.example/cb'; // the RP's callback: the "browser" stops there

/**
 * Runs one login against a fresh AS and returns what happened; `log` receives each step.
 * @param {{ log?: (step: string, detail?: unknown) => void }} [options]
 */
export async function fapi2Login({ log = () => {} } = {}) {
  const clientKey = await generateJwkPair('ES256', 'rp-sig-1');
  const op = await startFapiProvider({
    clients: () => [
      {
        client_id: 'fapi2-rp',
        token_endpoint_auth_method: 'private_key_jwt',
        redirect_uris: [REDIRECT],
        jwks: { keys: [clientKey.publicJwk] },
        authorization_signed_response_alg: 'ES256',
        id_token_signed_response_alg: 'ES256',
        dpop_bound_access_tokens: true,
      },
    ],
  });
  try {
    const as = await discoverAuthorizationServer(op.issuer);
    log('discovered', { issuer: as.issuer, par: as.pushed_authorization_request_endpoint });

    // The DPoP key: its private half never leaves WebCrypto (non-extractable).
    const dpop = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const par = new PushedAuthorizationRequestPublisher({
      clientAuth: { method: 'private_key_jwt', key: clientKey.privateJwk }, // alg negotiated
      dpop, // DPoP proof on the push (RFC 9449 §10.1)
      profile: 'fapi2',
    });
    const state = oauth.generateRandomState();
    const verifier = generateCodeVerifier();
    const request = await new AuthorizationRequestBuilder('code', 'fapi2-rp')
      .profile('fapi2')
      .server(as)
      .redirectUri(REDIRECT)
      .scope('openid', 'accounts')
      .responseMode('query.jwt') // JARM
      .state(state)
      .codeChallenge(verifier)
      .signWith(clientKey.privateJwk) // alg from request_object_signing_alg_values_supported
      .publishWith(par)
      .build();
    log('pushed', { requestUri: request.requestUri, pushes: op.pushes.count, dpopNonce: par.dpopNonce() });

    const callback = await signIn(op.issuer, request.url, 'alice');
    log('callback', callback.href.slice(0, 80) + '…');

    const { parameters } = await verifyAuthorizationResponse(callback, { server: as, clientId: 'fapi2-rp', state, jarm: true });
    log('verified response', { iss: parameters.iss, code: `${parameters.code.slice(0, 8)}…` });

    // Token request with the same DPoP key (oauth4webapi); a nonce demand is answered once.
    const as4 = await oauth.processDiscoveryResponse(new URL(op.issuer), await oauth.discoveryRequest(new URL(op.issuer), { [oauth.allowInsecureRequests]: true }));
    const client = { client_id: 'fapi2-rp' };
    const DPoP = oauth.DPoP(client, par.dpop);
    const key = await crypto.subtle.importKey('jwk', clientKey.privateJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const redeem = async () =>
      oauth.processGenericTokenEndpointResponse(
        as4,
        client,
        await oauth.genericTokenEndpointRequest(as4, client, oauth.PrivateKeyJwt({ key, kid: 'rp-sig-1' }), 'authorization_code', {
          code: parameters.code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        }, { DPoP, [oauth.allowInsecureRequests]: true }),
      );
    const tokens = await redeem().catch((err) => (oauth.isDPoPNonceError(err) ? redeem() : Promise.reject(err)));
    log('tokens', { token_type: tokens.token_type, expires_in: tokens.expires_in });
    return { issuer: op.issuer, request, parameters, tokens, pushes: op.pushes.count };
  } finally {
    await op.close();
  }
}

// Just enough browser: a cookie jar, redirects followed by hand, oidc-provider's login and consent
// forms filled in; stops at the RP's redirect_uri and returns it.
async function signIn(issuer, url, user) {
  const jar = new Map();
  async function go(target, init = {}) {
    if (new URL(target).origin !== issuer) return { url: new URL(target) };
    const res = await fetch(target, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) return go(new URL(location, target));
    return { url: new URL(target), body: await res.text(), status: res.status };
  }
  async function submit(page, fields) {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.body ?? '')?.[1];
    if (!action) throw new Error(`expected a form at ${page.url} (HTTP ${page.status})`);
    const form = new URLSearchParams();
    for (const [, name, value] of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(name, value);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return go(new URL(action, page.url), { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  const login = await go(url);
  const consent = await submit(login, { login: user, password: 'any' });
  const done = consent.body === undefined ? consent : await submit(consent, {});
  return done.url;
}

// The SPA: keeps a non-extractable ES256 key in IndexedDB, has its public key registered with the
// authorization server, then builds a signed (optionally signed-then-encrypted) request object
// with oauth-jar and sends the browser to the authorize URL. Back on /callback it redeems the code
// (PKCE, public client) at the token endpoint.
import { AuthorizationRequestBuilder, decodeAuthorizationRequest, discoverAuthorizationServer, generateCodeVerifier } from 'oauth-jar';
import { loadOrCreateKeyPair, publicJwk } from './keys.js';

const $ = (id) => document.getElementById(id);
const PENDING = 'oauth-jar-spa:pending';

function status(text, state) {
  const el = $('status');
  el.textContent = text;
  el.dataset.status = state;
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${body?.error ?? ''} ${body?.error_description ?? ''}`.trim());
  return body;
}

/**
 * The request object encryption the AS accepts (OIDC Discovery metadata). The builder then takes
 * the AS's matching `use: enc` key from its jwks_uri.
 */
function pickEncryption(as) {
  const algs = as.request_object_encryption_alg_values_supported ?? [];
  const encs = as.request_object_encryption_enc_values_supported ?? [];
  const alg = ['ECDH-ES', 'RSA-OAEP-256'].find((a) => algs.includes(a));
  const enc = ['A256GCM', 'A128GCM'].find((e) => encs.includes(e));
  return alg && enc ? { alg, enc } : undefined;
}

async function start() {
  const { issuer } = await getJson('/config.json');
  $('issuer').textContent = issuer;
  // RFC 8414 / OIDC Discovery, with the issuer check of RFC 8414 §3.3 (CORS-enabled on oidc-provider).
  const as = await discoverAuthorizationServer(issuer);
  const keyPair = await loadOrCreateKeyPair();
  const jwk = await publicJwk(keyPair.publicKey);
  $('kid').textContent = jwk.kid;
  $('key-source').textContent = keyPair.source === 'reused' ? 'reused from IndexedDB' : 'generated now, stored in IndexedDB';
  $('key-source').dataset.source = keyPair.source;
  $('public-jwk').textContent = JSON.stringify(jwk, null, 2);

  // The page's host registers the public key with the AS and returns the client_id (see server.mjs).
  const { client_id: clientId } = await getJson('/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jwk }),
  });
  $('client-id').textContent = clientId;

  if (location.pathname === '/callback') {
    $('restart').hidden = false;
    return callback(as, clientId);
  }

  const encryption = pickEncryption(as);
  $('enc-key').textContent = encryption ? `${encryption.alg} / ${encryption.enc}, key from ${as.jwks_uri}` : 'none offered';

  const signIn = async (encrypt) => {
    const state = generateCodeVerifier();
    const codeVerifier = generateCodeVerifier();
    const builder = new AuthorizationRequestBuilder('code', clientId)
      .server(as) // authorization_endpoint; aud = the issuer identifier, exactly (RFC 9101 §4)
      .redirectUri(new URL('/callback', location.origin))
      .scope('openid')
      .state(state)
      .nonce(generateCodeVerifier())
      .codeChallenge(codeVerifier)
      .includeInQuery() // OIDC Core §6.1: response_type, scope, redirect_uri also in the query
      .signWith(keyPair.privateKey, { alg: 'ES256', kid: jwk.kid });
    if (encrypt) builder.encryptWith(encryption); // to the AS's use=enc key from its jwks_uri
    const request = await builder.build();
    const decoded = decodeAuthorizationRequest(request.url);
    sessionStorage.setItem(PENDING, JSON.stringify({ state, codeVerifier }));
    $('result').hidden = false;
    $('result').textContent = `header ${JSON.stringify(decoded.header)}\nredirecting to ${request.url.origin}${request.url.pathname} …`;
    location.assign(request.url);
  };
  $('sign-in').onclick = () => signIn(false).catch(fail);
  $('sign-in-encrypted').onclick = () => signIn(true).catch(fail);
  $('sign-in').disabled = false;
  $('sign-in-encrypted').disabled = !encryption;
  status('Ready: the request object will be signed with this key.', 'ready');
}

async function callback(as, clientId) {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  if (params.has('error')) throw new Error(`the AS answered ${params.get('error')}: ${params.get('error_description') ?? ''}`);
  if (!pending || params.get('state') !== pending.state) throw new Error('state mismatch: not the response to our request');
  // RFC 9207: the response names its issuer.
  if (params.get('iss') !== as.issuer) throw new Error(`iss ${params.get('iss')} is not ${as.issuer}`);
  const tokens = await getJson(as.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: new URL('/callback', location.origin).href,
      client_id: clientId,
      code_verifier: pending.codeVerifier,
    }),
  });
  // Shown, not verified: a real app validates the ID Token (OIDC Core §3.1.3.7) before trusting it.
  const claims = JSON.parse(atob(tokens.id_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  $('result').hidden = false;
  $('result').textContent = `ID Token claims (not verified here)\n${JSON.stringify(claims, null, 2)}`;
  status(`Signed in as ${claims.sub}.`, 'signed-in');
  $('status').dataset.sub = claims.sub;
  history.replaceState(null, '', '/');
}

function fail(err) {
  console.error(err);
  status(`Error: ${err.message}`, 'error');
}

start().catch(fail);

// pnpm demo: the whole story in one process on 127.0.0.1, with nothing to configure.
//
//   authorization server  a real oidc-provider (request objects, encryption, PAR on), plus a
//                         second authorization endpoint built on oauth-jar/server (/jar/authorize)
//                         that shares its issuer, keys, client registry and PAR store
//   relying party         builds the same request four ways: signed by value, signed-then-encrypted
//                         by value, pushed (PAR), and by reference from its own request_uri host
//
// For each way it prints the authorize URL, the decoded request object, and both servers' verdicts.
// Exit 0 only when every way was accepted. `--json` prints the same as JSON.
import { createServer } from 'node:http';
import {
  AuthorizationRequestBuilder,
  HostedRequestUriPublisher,
  PushedAuthorizationRequestPublisher,
  decodeAuthorizationRequest,
  discoverAuthorizationServer,
  generateCodeVerifier,
} from 'oauth-jar';
import { toNodeHandler } from 'oauth-jar/node';
import { MemoryReplayStore, PAR_URN_PREFIX, RequestObjectVerifier, authorizationErrorResponse } from 'oauth-jar/server';
import { close, generateJwkPair, listen, oidcProviderVerdict, startOidcProvider } from '../shared/oidc-provider.mjs';
import { render } from './render.mjs';

const CLIENT_ID = 'demo-rp';

// ── The relying party's key and server (it hosts its request objects under /jar/) ──────────────
const clientKey = await generateJwkPair('ES256', 'demo-rp-sig');
const rpServer = createServer();
const rp = await listen(rpServer);
const hosted = new HostedRequestUriPublisher({ baseUrl: `${rp}/jar/`, ttl: 60 });
rpServer.on('request', toNodeHandler(hosted.handler));

/** The client as the authorization server registered it (RFC 7591 names). */
const registration = {
  client_id: CLIENT_ID,
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'ES256',
  redirect_uris: [`${rp}/cb`],
  response_types: ['code'],
  grant_types: ['authorization_code'],
  jwks: { keys: [clientKey.publicJwk] },
  request_object_signing_alg: 'ES256',
};

// ── The authorization server: oidc-provider, plus an oauth-jar/server endpoint on its origin ────
let verifier;
const op = await startOidcProvider({
  clients: () => [registration],
  routes: { '/jar/authorize': toNodeHandler((request) => jarAuthorize(request)) },
});
const issuer = op.issuer;

verifier = new RequestObjectVerifier({
  issuer,
  // oidc-provider 9 fetches no request_uri, so only oauth-jar/server knows the client's request_uris.
  getClient: (id) => (id === CLIENT_ID ? { ...registration, request_uris: [`${rp}/jar/`] } : undefined),
  decryptionKeys: { keys: [op.encryptionPrivateJwk] },
  replayStore: new MemoryReplayStore(),
  // The demo's RP lives on 127.0.0.1 over http; a production verifier keeps the defaults
  // (https only, no loopback or private addresses: the request_uri SSRF guards, RFC 9101 §10.4).
  requestUri: { allowHttp: true, allowPrivateNetwork: true },
  // One AS, one PAR store: oidc-provider's. oidc-provider marks the entry used when it issues the
  // code (RFC 9126 §4: one use), so here it is only read, and only for the client that pushed it.
  pushedAuthorizationRequests: async (requestUri, clientId) => {
    const pushed = await op.provider.PushedAuthorizationRequest.find(requestUri.slice(PAR_URN_PREFIX.length));
    if (!pushed?.isValid) return undefined;
    return decodeAuthorizationRequest(pushed.request).claims?.client_id === clientId ? { request: pushed.request } : undefined;
  },
});

/**
 * The oauth-jar/server authorization endpoint. A real one would now validate `redirect_uri`
 * against the client and show its login page; this one answers with what it accepted.
 */
async function jarAuthorize(request) {
  try {
    const { clientId, parameters, requestObject } = await verifier.verify(new URL(request.url).searchParams);
    return Response.json({
      accepted: true,
      client_id: clientId,
      source: requestObject?.source,
      header: requestObject?.header,
      encryption_header: requestObject?.encryptionHeader,
      parameters,
    });
  } catch (err) {
    // 400 with the OAuth error: see examples/authorization-server for the redirect case.
    return authorizationErrorResponse(err);
  }
}

// ── The relying party discovers the AS and builds one request, four ways ─────────────────────
// RFC 8414 / OIDC discovery: authorization_endpoint, issuer (the `aud`), the PAR endpoint and the
// jwks_uri with the AS's encryption key all come from the metadata, through `.server(as)`.
const as = await discoverAuthorizationServer(issuer);
const state = crypto.randomUUID();
const nonce = crypto.randomUUID();
const codeVerifier = generateCodeVerifier();
const par = new PushedAuthorizationRequestPublisher({
  // endpoint: from the metadata (pushed_authorization_request_endpoint)
  clientAuth: { method: 'private_key_jwt', key: clientKey.privateJwk, alg: 'ES256', kid: clientKey.privateJwk.kid },
});

const request = () =>
  new AuthorizationRequestBuilder('code', CLIENT_ID)
    .server(as)
    .redirectUri(`${rp}/cb`)
    .scope('openid', 'profile')
    .state(state)
    .nonce(nonce)
    .codeChallenge(codeVerifier)
    .signWith(clientKey.privateJwk, { alg: 'ES256' });

const ways = [
  { id: 'signed', title: 'signed, by value', build: () => request() },
  {
    id: 'encrypted',
    title: 'signed then encrypted, by value',
    build: () => request().encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }), // to the AS's use=enc key
  },
  { id: 'par', title: 'pushed (PAR, RFC 9126)', build: () => request().publishWith(par) },
  // oidc-provider 9 dropped by-reference request_uri: it answers request_uri_not_supported, which
  // is the expected verdict here; oauth-jar/server fetches it under its SSRF guards.
  { id: 'hosted', title: 'by reference, self-hosted request_uri', build: () => request().publishWith(hosted), oidcProviderFetchesRequestUri: false },
];

const results = [];
for (const way of ways) {
  // A failure in one way (a build error, a server that does not answer) is that way's verdict.
  results.push(await run(way).catch((err) => ({ id: way.id, title: way.title, accepted: false, error: `${err.code ?? err.name}: ${err.message}` })));
}

async function run(way) {
  const built = await way.build().build();
  const decoded = decodeAuthorizationRequest(built.url);
  // By reference, the URL has no object: decode the one that was published.
  const object = decoded.request ? decoded : decodeAuthorizationRequest(built.requestObject);

  const opVerdict = await oidcProviderVerdict(issuer, built.url);
  const opExpected =
    way.oidcProviderFetchesRequestUri === false ? !opVerdict.accepted && opVerdict.error === 'request_uri_not_supported' : opVerdict.accepted;

  const jarUrl = new URL('/jar/authorize', issuer);
  jarUrl.search = built.url.search;
  const jarRes = await fetch(jarUrl, { redirect: 'manual' });
  const jar = await jarRes.json().catch(() => ({ accepted: false, error: `HTTP ${jarRes.status}` }));

  return {
    id: way.id,
    title: way.title,
    accepted: jar.accepted === true && opExpected,
    url: built.url.href,
    requestUri: built.requestUri,
    requestObject: {
      encrypted: object.encrypted,
      header: object.header,
      // An encrypted object only the AS can read; the RP knows what it put in.
      claims: object.claims ?? built.parameters,
    },
    oidcProvider: { ...opVerdict, expected: opExpected },
    oauthJarServer: jar.accepted
      ? { accepted: true, source: jar.source, header: jar.header, encryptionHeader: jar.encryption_header, parameters: jar.parameters }
      : { accepted: false, error: jar.error, error_description: jar.error_description },
  };
}

await Promise.all([op.close(), close(rpServer)]);

const accepted = results.every((r) => r.accepted);
const summary = {
  accepted,
  authorizationServer: {
    issuer,
    oidcProvider: as.authorization_endpoint,
    oauthJarServer: `${issuer}/jar/authorize`,
    par: as.pushed_authorization_request_endpoint,
    jwksUri: as.jwks_uri,
  },
  relyingParty: { origin: rp, clientId: CLIENT_ID, signingKey: clientKey.publicJwk.kid, requestUriBase: `${rp}/jar/` },
  paths: results,
};

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} else {
  process.stdout.write(render(summary, { color: process.stdout.isTTY === true && !process.env.NO_COLOR, width: process.stdout.columns }));
}
process.exitCode = accepted ? 0 : 1;

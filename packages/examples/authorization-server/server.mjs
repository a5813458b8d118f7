// A minimal authorization endpoint on oauth-jar/server, as a fetch-style handler
// ((Request) => Promise<Response>): Node (through oauth-jar/node), Deno, Bun, Workers and Hono
// take it as it is. It shows the two things every JAR endpoint has to get right:
//   - the error answer: a redirect to the client only once the client and its redirect_uri are
//     known, a 400 otherwise (RFC 6749 §4.1.2.1, RFC 9101 §6.3);
//   - the discovery metadata (RFC 8414), with the request-object fields from verifier.metadata();
//   - answers in the client's response mode, JWT-secured (JARM) when it asks for a `jwt` mode.
import {
  MemoryReplayStore,
  RequestObjectVerifier,
  authorizationErrorResponse,
  authorizationResponse,
  issueAuthorizationResponse,
} from 'oauth-jar/server';

const JWT_MODES = new Set(['jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt']);

/**
 * @param {object} options
 * @param {string} options.issuer this server's issuer identifier (the `aud` of request objects)
 * @param {Record<string, object>} options.clients registered clients by client_id (RFC 7591 names)
 * @param {{ keys: object[] }} options.decryptionKeys the server's private `enc` keys (JWK)
 * @param {{ keys: object[] }} options.jwks the same keys, public, as `jwks_uri` serves them
 * @param {{ privateJwk: object, publicJwk: object }} [options.responseSigningKey] an ES256 key that signs
 *   JWT-secured authorization responses (JARM); its public half is added to the jwks_uri
 */
export function createAuthorizationServer({ issuer, clients, decryptionKeys, jwks, responseSigningKey }) {
  const getClient = (id) => (Object.hasOwn(clients, id) ? clients[id] : undefined);
  const verifier = new RequestObjectVerifier({
    issuer,
    getClient,
    decryptionKeys,
    requireSignedRequestObject: true, // every request is a JAR (RFC 9101 §10.5)
    replayStore: new MemoryReplayStore(), // each request object is accepted once
  });

  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true, // RFC 9207
    ...(responseSigningKey
      ? { response_modes_supported: ['query', 'fragment', 'form_post', ...JWT_MODES], authorization_signing_alg_values_supported: ['ES256'] }
      : {}),
    ...verifier.metadata(), // request_parameter_supported, request_object_signing_alg_values_supported, …
  };
  const publishedJwks = responseSigningKey ? { keys: [...jwks.keys, responseSigningKey.publicJwk] } : jwks;

  async function authorize(query) {
    let verified;
    try {
      verified = await verifier.verify(query);
    } catch (err) {
      return authorizationErrorResponse(err, {
        redirectUri: trustedRedirectUri(getClient(query.get('client_id') ?? ''), query.get('redirect_uri')),
        // The request object failed, so its `state` is unknown; the query's is echoed if any.
        state: query.get('state') ?? undefined,
        issuer, // RFC 9207: the client learns which AS answered
        format: 'html', // a person is looking at the browser
      });
    }
    const { clientId, client, parameters } = verified;
    // The verifier checked the object; the endpoint still checks the OAuth request it carries.
    // An unregistered redirect_uri is never redirected to: 400 (RFC 6749 §4.1.2.1).
    if (!client.redirect_uris?.includes(parameters.redirect_uri)) {
      return Response.json({ error: 'invalid_request', error_description: 'redirect_uri is not registered for this client' }, { status: 400 });
    }
    // This server has no login page, so it cannot answer prompt=none with a signed-in user: it says
    // so to the client (OIDC Core §3.1.2.6), in the response mode the client asked for.
    if (parameters.prompt === 'none') {
      return respond(client, parameters, { error: 'login_required', error_description: 'no user is signed in' });
    }
    // A real server shows its login and consent pages here; this one says what it would ask.
    return new Response(`${clientId} asks for "${parameters.scope}" and will get its answer at ${parameters.redirect_uri}\n`, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }

  // The answer to a verified request, in its response mode. A real server does the same with
  // { code, state } once the user has signed in and consented.
  async function respond(client, parameters, result) {
    const responseMode = parameters.response_mode ?? 'query';
    const answer = { ...result, ...(parameters.state ? { state: parameters.state } : {}) };
    if (JWT_MODES.has(responseMode) && responseSigningKey) {
      // JARM: the response is a JWT signed by this server, with iss, aud (the client) and a short exp.
      const jwt = await issueAuthorizationResponse(answer, { issuer, clientId: client.client_id, key: responseSigningKey.privateJwk, alg: 'ES256' });
      return authorizationResponse(jwt, { redirectUri: parameters.redirect_uri, responseMode, responseType: parameters.response_type });
    }
    const plainMode = ['query', 'fragment', 'form_post'].includes(responseMode) ? responseMode : 'query';
    return authorizationResponse({ ...answer, iss: issuer }, { redirectUri: parameters.redirect_uri, responseMode: plainMode });
  }

  /** The fetch-style handler: /authorize, the discovery document, the jwks_uri. */
  return async function handler(request) {
    const url = new URL(request.url);
    if (request.method !== 'GET') return new Response(null, { status: 405, headers: { allow: 'GET' } });
    switch (url.pathname) {
      case '/authorize':
        return authorize(url.searchParams);
      case '/.well-known/oauth-authorization-server':
        return Response.json(metadata);
      case '/jwks':
        return Response.json(publishedJwks);
      default:
        return new Response('not found\n', { status: 404 });
    }
  };
}

/**
 * Where an error may be sent when the request failed: only to a URI the client registered.
 * The request object's own `redirect_uri` cannot be trusted once the object is refused, so this
 * takes the client's only registered URI, or the query's when it is one of the registered ones
 * (OIDC Core §6.1 clients repeat it outside the object). Otherwise `undefined`: a direct 400.
 */
function trustedRedirectUri(client, queryRedirectUri) {
  const registered = client?.redirect_uris ?? [];
  if (queryRedirectUri && registered.includes(queryRedirectUri)) return queryRedirectUri;
  return registered.length === 1 ? registered[0] : undefined;
}

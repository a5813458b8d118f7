// A minimal authorization endpoint on oauth-jar/server, as a fetch-style handler
// ((Request) => Promise<Response>): Node (through oauth-jar/node), Deno, Bun, Workers and Hono
// take it as it is. It shows the two things every JAR endpoint has to get right:
//   - the error answer: a redirect to the client only once the client and its redirect_uri are
//     known, a 400 otherwise (RFC 6749 §4.1.2.1, RFC 9101 §6.3);
//   - the discovery metadata (RFC 8414), with the request-object fields from verifier.metadata().
import { MemoryReplayStore, RequestObjectVerifier, authorizationErrorResponse } from 'oauth-jar/server';

/**
 * @param {object} options
 * @param {string} options.issuer this server's issuer identifier (the `aud` of request objects)
 * @param {Record<string, object>} options.clients registered clients by client_id (RFC 7591 names)
 * @param {{ keys: object[] }} options.decryptionKeys the server's private `enc` keys (JWK)
 * @param {{ keys: object[] }} options.jwks the same keys, public, as `jwks_uri` serves them
 */
export function createAuthorizationServer({ issuer, clients, decryptionKeys, jwks }) {
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
    ...verifier.metadata(), // request_parameter_supported, request_object_signing_alg_values_supported, …
  };

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
    // A real server shows its login and consent pages here; this one says what it would ask.
    return new Response(`${clientId} asks for "${parameters.scope}" and will get its answer at ${parameters.redirect_uri}\n`, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
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
        return Response.json(jwks);
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

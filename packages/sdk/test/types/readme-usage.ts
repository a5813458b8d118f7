// Type-level test: compiled (never run) by `tsc -p test/tsconfig.json` (the `typecheck` script).
// It uses the API as the README does, with the query types of Express 5, Koa, Hono and Fastify,
// and each `@ts-expect-error` line fails the compile if the type it guards becomes too loose.
import { AuthorizationRequestBuilder, generateCodeVerifier, type AuthorizationRequest } from '../../src/index.js';
import {
  AuthorizationRequestError,
  ClientMetadataError,
  RequestObjectVerifier,
  authorizationErrorResponse,
  type ClientMetadata,
  type VerifiedAuthorizationRequest,
} from '../../src/server.js';

// The shapes the frameworks declare (copied, so no framework types are installed for this file):
// Express 5's req.query is qs's ParsedQs;
interface ParsedQs {
  [key: string]: undefined | string | ParsedQs | (string | ParsedQs)[];
}
// Koa's ctx.query is node:querystring's ParsedUrlQuery;
interface ParsedUrlQuery extends NodeJS.Dict<string | string[]> {}
// Hono's c.req.query() and c.req.queries();
type HonoQuery = Record<string, string>;
type HonoQueries = Record<string, string[]>;
// Fastify's request.query without a route generic.
type FastifyQuery = unknown;

declare const expressQuery: ParsedQs;
declare const koaQuery: ParsedUrlQuery;
declare const honoQuery: HonoQuery;
declare const honoQueries: HonoQueries;
declare const fastifyQuery: FastifyQuery;
declare const clientPrivateKey: CryptoKey;
declare const clients: Map<string, ClientMetadata>;

export async function server(): Promise<Response> {
  const verifier = new RequestObjectVerifier({
    issuer: 'https://as.example.com',
    getClient: async (clientId) => clients.get(clientId),
  });
  // item 1: no cast for any framework's query
  const results: VerifiedAuthorizationRequest[] = [
    await verifier.verify(expressQuery),
    await verifier.verify(koaQuery),
    await verifier.verify(honoQuery),
    await verifier.verify(honoQueries),
    await verifier.verify(fastifyQuery),
    await verifier.verify(new URLSearchParams('client_id=c')),
  ];
  // item 8: registered parameters typed, extensions open
  const { parameters } = results[0]!;
  const maxAge: number | undefined = parameters.max_age;
  const scope: string | undefined = parameters.scope;
  const resource: string | string[] | undefined = parameters.resource;
  const claims: Record<string, unknown> | undefined = parameters.claims;
  const extension: unknown = parameters['x-tenant'];
  // @ts-expect-error max_age is a number, never a string
  const maxAgeString: string | undefined = parameters.max_age;
  void [maxAge, scope, resource, claims, extension, maxAgeString];

  // item 2: ClientMetadata types redirect_uris; the error carries the redirect
  const client: ClientMetadata = { client_id: 'c', redirect_uris: ['https://client.example.org/cb'] };
  const registered: string[] | undefined = client.redirect_uris;
  void registered;
  try {
    await verifier.verify(expressQuery);
  } catch (err) {
    if (err instanceof AuthorizationRequestError) {
      const where: string | undefined = err.redirectUri;
      const state: string | undefined = err.state;
      void [where, state, err.clientId, err.responseMode];
    }
    return authorizationErrorResponse(err, { issuer: 'https://as.example.com' });
  }
  // item 8: ClientMetadataError.error is the union it can be
  const metadataError = new ClientMetadataError('redirect_uris', 'must be absolute');
  const code: 'invalid_client_metadata' | 'invalid_redirect_uri' = metadataError.error;
  const redirectCode: typeof metadataError.error = 'invalid_redirect_uri';
  void [code, redirectCode];
  return new Response(null);
}

export async function client(): Promise<void> {
  // item 8: codeVerifier is a string after codeChallenge(), string | undefined without it
  const withPkce = await new AuthorizationRequestBuilder('code', '123')
    .endpoint('https://c2id.com/login')
    .audience('https://c2id.com')
    .redirectUri('https://example.com/cb')
    .codeChallenge(generateCodeVerifier())
    .signWith(clientPrivateKey, { alg: 'ES256' })
    .build();
  const verifier: string = withPkce.codeVerifier;

  const withoutPkce = await new AuthorizationRequestBuilder('code', '123').endpoint('https://c2id.com/login').build();
  // @ts-expect-error no codeChallenge(): the verifier may be undefined
  const missing: string = withoutPkce.codeVerifier;

  // a builder with PKCE still fits where any builder or request is expected
  const anyBuilder: AuthorizationRequestBuilder = new AuthorizationRequestBuilder('code', '123').codeChallenge(generateCodeVerifier());
  const anyRequest: AuthorizationRequest = withPkce;
  // item 5: the client's iss has its own name; issuer() stays, deprecated
  anyBuilder.requestObjectIssuer('https://client.example.org');
  void [verifier, missing, anyRequest];
}

// PAR (RFC 9126) end to end with a replay store: the client pushes with
// PushedAuthorizationRequestPublisher to a PAR endpoint on 127.0.0.1 that verifies the object
// with the same RequestObjectVerifier (and replay store) as its authorization endpoint.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, PushedAuthorizationRequestPublisher, ResponseError } from '../../src/index.js';
import { toNodeHandler } from '../../src/node.js';
import {
  AuthorizationRequestError,
  MemoryReplayStore,
  PAR_URN_PREFIX,
  RequestObjectVerifier,
  type PushedAuthorizationRequest,
} from '../../src/server.js';
import { close, listen } from '../helpers/loopback.js';
import { failure } from '../helpers/failure.js';
import { CLIENT_ID, ISSUER, clientFor, makeKeys, query, type Keys } from '../helpers/verifier-fixtures.js';

let keys: Keys;
let server: Server;
let origin: string;
let verifier: RequestObjectVerifier;
/** The AS's PAR store: one entry per pushed request_uri. */
const pushed = new Map<string, { clientId: string; request: string; expiresAt: number }>();
/** Whether the PAR store deletes an entry on use, as RFC 9126 §4 asks. */
let oneUse = true;

async function take(requestUri: string, clientId: string): Promise<PushedAuthorizationRequest | undefined> {
  const entry = pushed.get(requestUri);
  if (oneUse) pushed.delete(requestUri);
  return entry && entry.clientId === clientId && entry.expiresAt > Date.now() ? { request: entry.request } : undefined;
}

beforeAll(async () => {
  keys = await makeKeys();
  verifier = new RequestObjectVerifier({
    issuer: ISSUER,
    getClient: (id) => (id === CLIENT_ID ? clientFor(keys) : undefined),
    replayStore: new MemoryReplayStore(),
    pushedAuthorizationRequests: take,
  });
  // The PAR endpoint (RFC 9126 §2): verify the pushed object, store it, answer 201.
  server = createServer(
    toNodeHandler(async (req) => {
      const body = new URLSearchParams(await req.text());
      try {
        const { clientId } = await verifier.verify(body);
        const requestUri = `${PAR_URN_PREFIX}${randomUUID()}`;
        pushed.set(requestUri, { clientId, request: body.get('request')!, expiresAt: Date.now() + 60_000 });
        return Response.json({ request_uri: requestUri, expires_in: 60 }, { status: 201 });
      } catch (err) {
        const e = err as AuthorizationRequestError;
        return Response.json({ error: e.error, error_description: e.error_description }, { status: e.status });
      }
    }),
  );
  origin = await listen(server);
});
afterAll(async () => {
  await close(server);
});

const par = () => new PushedAuthorizationRequestPublisher({ endpoint: `${origin}/par`, clientAuth: { method: 'none' } });
const builder = () =>
  new AuthorizationRequestBuilder('code', CLIENT_ID)
    .endpoint(`${ISSUER}/authorize`)
    .audience(ISSUER)
    .redirectUri('https://client.example.org/cb')
    .scope('openid')
    .signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' });

describe('PAR with a replay store', () => {
  it('the pushed object is accepted at the authorization endpoint: it is not a replay of itself', async () => {
    oneUse = true;
    const request = await builder().publishWith(par()).build();
    const { requestObject, parameters } = await verifier.verify(request.url.searchParams);
    expect(requestObject?.source).toBe('par');
    expect(parameters.redirect_uri).toBe('https://client.example.org/cb');
  });

  it('a second use of the request_uri is invalid_request_uri (RFC 9126 §4)', async () => {
    oneUse = true;
    const request = await builder().publishWith(par()).build();
    await verifier.verify(request.url.searchParams);
    const err = (await failure(verifier.verify(request.url.searchParams))) as AuthorizationRequestError;
    expect([err.error, err.check]).toEqual(['invalid_request_uri', 'request_uri']);
  });

  it('with a PAR store that does not delete, the second use is still refused', async () => {
    oneUse = false;
    const request = await builder().publishWith(par()).build();
    await verifier.verify(request.url.searchParams);
    const err = (await failure(verifier.verify(request.url.searchParams))) as AuthorizationRequestError;
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'replay']);
  });

  it('the pushed object sent again by value is a replay', async () => {
    oneUse = true;
    const request = await builder().publishWith(par()).build();
    const object = pushed.get(request.requestUri!)!.request;
    await verifier.verify(request.url.searchParams);
    const err = (await failure(verifier.verify(query({ client_id: CLIENT_ID, request: object })))) as AuthorizationRequestError;
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'replay']);
  });

  it('the same object pushed twice is refused at the PAR endpoint', async () => {
    oneUse = true;
    const request = await builder().publishWith(par()).build();
    const object = pushed.get(request.requestUri!)!.request;
    const err = await failure(par().publish(object, { clientId: CLIENT_ID }));
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError).error).toBe('invalid_request_object');
  });
});

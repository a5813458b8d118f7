import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, claims, clientFor, makeKeys, makeVerifier, query, refusal, sign, type Keys } from './fixtures.js';
import { close, listen } from '../helpers/loopback.js';

let keys: Keys;
let server: Server;
let base: string;
let hits = 0;

beforeAll(async () => {
  keys = await makeKeys();
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [keys.es256.publicJwk] }));
  });
  base = await listen(server);
});
afterAll(async () => {
  await close(server);
});

describe('a client\'s jwks_uri', () => {
  it('is fetched once and cached across requests and verifier instances', async () => {
    const client = clientFor(keys, { jwks: undefined, jwks_uri: `${base}/jwks` });
    delete client.jwks;
    const req = async () => query({ client_id: CLIENT_ID, request: await sign(claims(), keys.es256.privateKey) });
    await makeVerifier(keys, {}, client).verify(await req());
    await makeVerifier(keys, {}, client).verify(await req());
    await makeVerifier(keys, {}, client).verify(await req());
    expect(hits).toBe(1);
  });

  it('a signature by a key not in the jwks_uri set is refused', async () => {
    const client = clientFor(keys, { jwks_uri: `${base}/jwks` });
    delete client.jwks;
    const jws = await sign(claims(), keys.other.privateKey, { alg: 'ES256', kid: 'c1' });
    const err = await refusal(makeVerifier(keys, {}, client), query({ client_id: CLIENT_ID, request: jws }));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'signature']);
  });

  it('an unreachable jwks_uri is invalid_request_object, not a crash', async () => {
    const client = clientFor(keys, { jwks_uri: 'http://127.0.0.1:1/jwks' });
    delete client.jwks;
    const jws = await sign(claims(), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys, { jwksUri: { timeout: 500 } }, client), query({ client_id: CLIENT_ID, request: jws }));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'key']);
  });
});

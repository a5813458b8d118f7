import * as fc from 'fast-check';
import { generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestError, MemoryReplayStore } from '../../src/server.js';
import { CLIENT_ID, ISSUER, claims, clientFor, encrypt, makeVerifier, query, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

const realClock = () => makeVerifier(keys, { now: Date.now, replayStore: new MemoryReplayStore() });

describe('request objects made by other libraries verify', () => {
  it('oauth4webapi issueRequestObject (ES256)', async () => {
    const as: oauth.AuthorizationServer = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize` };
    const jar = await oauth.issueRequestObject(
      as,
      { client_id: CLIENT_ID },
      { response_type: 'code', redirect_uri: 'https://client.example.org/cb', scope: 'openid', max_age: '0' },
      { key: keys.es256.privateKey, kid: 'c1' },
    );
    const { parameters, requestObject } = await realClock().verify(query({ client_id: CLIENT_ID, request: jar }));
    expect(parameters).toMatchObject({ response_type: 'code', scope: 'openid', max_age: 0 });
    expect(requestObject?.header.typ).toBe('oauth-authz-req+jwt');
  });

  it('openid-client buildAuthorizationUrlWithJAR (ES256)', async () => {
    const config = new client.Configuration({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize` }, CLIENT_ID);
    const url = await client.buildAuthorizationUrlWithJAR(
      config,
      { redirect_uri: 'https://client.example.org/cb', scope: 'openid', response_type: 'code', state: 'xyz' },
      { key: keys.es256.privateKey, kid: 'c1' },
    );
    const { clientId, parameters } = await realClock().verify(url.searchParams);
    expect(clientId).toBe(CLIENT_ID);
    expect(parameters).toMatchObject({ scope: 'openid', state: 'xyz', redirect_uri: 'https://client.example.org/cb' });
  });

  it('openid-client objects also pass the FAPI 2 profile with PS256', async () => {
    const ps = await generateKeyPair('PS256', { extractable: true });
    const jwk = { ...(await (await import('jose')).exportJWK(ps.publicKey)), kid: 'ps' };
    const verifier = makeVerifier(keys, { now: Date.now, profile: 'fapi2' }, clientFor(keys, { jwks: { keys: [jwk] } }));
    const config = new client.Configuration({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize` }, CLIENT_ID);
    const url = await client.buildAuthorizationUrlWithJAR(
      config,
      { redirect_uri: 'https://client.example.org/cb', scope: 'openid', response_type: 'code' },
      { key: ps.privateKey, kid: 'ps' },
    );
    await expect(verifier.verify(url.searchParams)).resolves.toBeDefined();
  });
});

describe('property: hostile request values only ever produce AuthorizationRequestError', () => {
  let good: string;
  let goodJwe: string;
  beforeAll(async () => {
    good = await sign(claims(), keys.es256.privateKey);
    goodJwe = await encrypt(good, keys.rsaEnc.publicKey);
  });

  async function outcome(request: string, verifier = makeVerifier(keys, { allowUnsigned: true })): Promise<'ok' | 'refused'> {
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('hang: verify took over 2 s')), 2000));
    try {
      await Promise.race([verifier.verify(query({ client_id: CLIENT_ID, request })), timer]);
      return 'ok';
    } catch (err) {
      if (!(err instanceof AuthorizationRequestError)) throw err;
      expect(err.error).toMatch(/^(invalid_request|invalid_request_object)$/);
      return 'refused';
    }
  }

  it('random strings', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 400 }), async (s) => void (await outcome(s))), { numRuns: 300 });
  });

  it('random dotted base64url segments', async () => {
    const seg = fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(seg, { minLength: 1, maxLength: 6 }), async (parts) => void (await outcome(parts.join('.')))),
      { numRuns: 300 },
    );
  });

  it('random JSON headers and payloads with random signatures', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.record({ alg: fc.constantFrom('none', 'ES256', 'HS256', 'RS256', 'RSA-OAEP-256', 'dir', ''), kid: fc.string(), typ: fc.string(), crit: fc.jsonValue(), b64: fc.jsonValue(), enc: fc.string(), zip: fc.string() }, { requiredKeys: ['alg'] })),
        fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('iss', 'aud', 'client_id', 'exp', 'nbf', 'iat', 'jti', 'scope', 'claims', 'max_age', 'request', 'sub', '__proto__'), fc.jsonValue())),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,90}$/),
        fc.boolean(),
        async (header, payload, sig, jwe) => {
          const token = jwe ? `${b64(header)}.${sig}.${sig}.${sig}.${sig}` : `${b64(header)}.${b64(payload)}.${sig}`;
          await outcome(token);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('single-character mutations of a valid JWS and JWE are refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.constantFrom(...'ABCabc012-_.='.split('')), async (useJwe, at, ch) => {
        const original = useJwe ? goodJwe : good;
        const i = at % original.length;
        if (original[i] === ch) return;
        const mutated = original.slice(0, i) + ch + original.slice(i + 1);
        const result = await outcome(mutated, makeVerifier(keys));
        // only a segment's last character may change without changing the decoded bytes (its unused low bits)
        if (result === 'ok') expect(i === original.length - 1 || original[i + 1] === '.').toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('non-string and odd query values', async () => {
    const verifier = makeVerifier(keys);
    for (const input of [null, 42, 'client_id=x', [], { client_id: 5 }, { client_id: CLIENT_ID, request: ['a', 'b'] }, { client_id: CLIENT_ID, request: {} }]) {
      await expect(verifier.verify(input as never)).rejects.toBeInstanceOf(AuthorizationRequestError);
    }
  });
});

import { exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuthorizationRequestError,
  MemoryReplayStore,
  OAuthJarError,
  RequestObjectVerifier,
} from '../../src/server.js';
import {
  CLIENT_ID,
  ISSUER,
  NOW,
  NOW_S,
  builder,
  claims,
  clientFor,
  encrypt,
  makeVerifier,
  query,
  refusal,
  req,
  sign,
  signRaw,
  unsigned,
  useKeys,
  withHeader,
} from '../helpers/verifier-fixtures.js';

const keys = useKeys();

describe('the contract snippet', () => {
  it('verifies a signed request object and returns clientId, parameters and requestObject', async () => {
    const verifier = new RequestObjectVerifier({
      issuer: ISSUER,
      getClient: async (clientId) => (clientId === CLIENT_ID ? clientFor(keys) : undefined),
      decryptionKeys: { keys: [keys.rsaEnc.privateJwk] },
      requireSignedRequestObject: false,
      requestUri: { timeout: 5000, allowHttp: false },
      replayStore: new MemoryReplayStore(),
      profile: undefined,
      now: () => NOW,
    });
    const jws = await sign(claims({ max_age: 0, claims: { id_token: { acr: null } } }), keys.es256.privateKey);
    const url = new URL(`https://as.example.com/authorize?client_id=${CLIENT_ID}&request=${jws}&scope=ignored`);
    const { clientId, parameters, requestObject } = await verifier.verify(url.searchParams);
    expect(clientId).toBe(CLIENT_ID);
    expect(parameters).toMatchObject({ response_type: 'code', scope: 'openid', max_age: 0, claims: { id_token: { acr: null } } });
    expect(parameters).not.toHaveProperty('iss');
    expect(parameters).not.toHaveProperty('exp');
    expect(requestObject?.source).toBe('request');
    expect(requestObject?.header.alg).toBe('ES256');
    expect(verifier.metadata()).toEqual({
      request_parameter_supported: true,
      request_uri_parameter_supported: true,
      require_request_uri_registration: true,
      require_signed_request_object: false,
      request_object_signing_alg_values_supported: expect.arrayContaining(['ES256', 'PS256', 'EdDSA']),
      request_object_encryption_alg_values_supported: ['RSA-OAEP-256'],
      request_object_encryption_enc_values_supported: expect.arrayContaining(['A256GCM']),
    });
  });

  it('accepts a plain object query such as Express req.query', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const { clientId } = await makeVerifier(keys).verify({ client_id: CLIENT_ID, request: jws });
    expect(clientId).toBe(CLIENT_ID);
  });

  it('rejects bad options at construction with ERR_INVALID_ARGUMENT', () => {
    expect(() => new RequestObjectVerifier({ issuer: '', getClient: () => undefined })).toThrow(OAuthJarError);
    expect(() => new RequestObjectVerifier({ issuer: ISSUER, getClient: undefined as never })).toThrow(/getClient/);
    expect(() => new RequestObjectVerifier({ issuer: ISSUER, getClient: () => undefined, signingAlgorithms: ['none'] })).toThrow(/not supported/);
    expect(() => new RequestObjectVerifier({ issuer: ISSUER, getClient: () => undefined, profile: 'fapi2', signingAlgorithms: ['RS256'] })).toThrow(/not supported/);
  });
});

describe('steps repeated_parameter to signed_request_object_required: parameters, client, switches, requirement', () => {
  it('0: a repeated request parameter is invalid_request', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys), query({ client_id: CLIENT_ID, request: [jws, jws] }));
    expect([err.error, err.check]).toEqual(['invalid_request', 'repeated_parameter']);
  });

  it('0: a repeated client_id is invalid_request and not redirectable', async () => {
    const err = await refusal(makeVerifier(keys), query({ client_id: [CLIENT_ID, 'other'] }));
    expect(err.error).toBe('invalid_request');
    expect(err.redirectable).toBe(false);
  });

  it('1: a missing client_id is invalid_request, never redirectable', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys), query({ request: jws }));
    expect([err.error, err.check, err.redirectable, err.status]).toEqual(['invalid_request', 'client_id', false, 400]);
  });

  it('1: an unknown client is invalid_client, never redirectable', async () => {
    const err = await refusal(makeVerifier(keys), query({ client_id: 'nobody', request: 'a.b.c' }));
    expect([err.error, err.redirectable]).toEqual(['invalid_client', false]);
  });

  it('1: a getClient that throws is server_error, with the cause kept', async () => {
    const verifier = makeVerifier(keys, {}, () => {
      throw new Error('db down');
    });
    const err = await refusal(verifier, query({ client_id: CLIENT_ID }));
    expect([err.error, err.status]).toEqual(['server_error', 500]);
    expect((err.cause as Error).message).toBe('db down');
  });

  it('2: request and request_uri together are invalid_request (RFC 9101 §5)', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys), query({ client_id: CLIENT_ID, request: jws, request_uri: 'https://client.example.org/r' }));
    expect([err.error, err.check]).toEqual(['invalid_request', 'request_and_request_uri']);
  });

  it('3: request with the feature off is request_not_supported', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys, { requestParameterSupported: false }), req(jws));
    expect(err.error).toBe('request_not_supported');
  });

  it('3: request_uri with fetching off is request_uri_not_supported', async () => {
    const err = await refusal(makeVerifier(keys, { requestUri: false }), query({ client_id: CLIENT_ID, request_uri: 'https://client.example.org/r' }));
    expect(err.error).toBe('request_uri_not_supported');
    expect(makeVerifier(keys, { requestUri: false }).metadata().request_uri_parameter_supported).toBe(false);
  });

  it('3: a PAR URN without a PAR store is request_uri_not_supported', async () => {
    const err = await refusal(makeVerifier(keys), query({ client_id: CLIENT_ID, request_uri: 'urn:ietf:params:oauth:request_uri:abc' }));
    expect(err.error).toBe('request_uri_not_supported');
  });

  it('4: a plain request is refused when the server requires signed objects', async () => {
    const err = await refusal(makeVerifier(keys, { requireSignedRequestObject: true }), query({ client_id: CLIENT_ID, response_type: 'code' }));
    expect([err.error, err.check]).toEqual(['invalid_request', 'signed_request_object_required']);
  });

  it('4: a plain request is refused when the client registered require_signed_request_object', async () => {
    const verifier = makeVerifier(keys, {}, clientFor(keys, { require_signed_request_object: true }));
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, response_type: 'code' }));
    expect(err.check).toBe('signed_request_object_required');
  });

  it('4: a plain request is refused under the FAPI 2 profile', async () => {
    const err = await refusal(makeVerifier(keys, { profile: 'fapi2' }), query({ client_id: CLIENT_ID, response_type: 'code' }));
    expect(err.error).toBe('invalid_request');
  });

  it('without a request object, the query parameters are returned as they are', async () => {
    const { parameters, requestObject } = await makeVerifier(keys).verify(
      query({ client_id: CLIENT_ID, response_type: 'code', scope: 'openid', resource: ['https://a', 'https://b'] }),
    );
    expect(parameters).toEqual({ client_id: CLIENT_ID, response_type: 'code', scope: 'openid', resource: ['https://a', 'https://b'] });
    expect(requestObject).toBeUndefined();
  });

  it('without a request object, a repeated parameter is invalid_request (RFC 6749 §3.1)', async () => {
    const err = await refusal(makeVerifier(keys), query({ client_id: CLIENT_ID, scope: ['a', 'b'] }));
    expect(err.error).toBe('invalid_request');
  });
});

describe('step request_uri: PAR URNs go to the AS store', () => {
  const urn = 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c';

  it('a stored request object is verified like one sent by value', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const calls: string[][] = [];
    const verifier = makeVerifier(keys, {
      pushedAuthorizationRequests: async (uri, clientId) => {
        calls.push([uri, clientId]);
        return { request: jws };
      },
    });
    const { requestObject } = await verifier.verify(query({ client_id: CLIENT_ID, request_uri: urn }));
    expect(calls).toEqual([[urn, CLIENT_ID]]);
    expect(requestObject?.source).toBe('par');
    expect(requestObject?.requestUri).toBe(urn);
  });

  it('stored parameters are returned as they are', async () => {
    const verifier = makeVerifier(keys, { pushedAuthorizationRequests: async () => ({ parameters: { scope: 'openid' } }) });
    expect((await verifier.verify(query({ client_id: CLIENT_ID, request_uri: urn }))).parameters).toEqual({ scope: 'openid' });
  });

  it('an unknown, used or foreign URN is invalid_request_uri', async () => {
    const verifier = makeVerifier(keys, { pushedAuthorizationRequests: async () => undefined });
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request_uri: urn }));
    expect([err.error, err.check]).toEqual(['invalid_request_uri', 'request_uri']);
  });

  it('a request_uri longer than 512 characters is invalid_request_uri', async () => {
    const verifier = makeVerifier(keys, { pushedAuthorizationRequests: async () => ({ parameters: {} }) });
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request_uri: urn + 'x'.repeat(600) }));
    expect(err.error).toBe('invalid_request_uri');
  });
});

describe('step shape: size and shape before crypto', () => {
  it.each([
    ['not a JWT', 'hello'],
    ['four segments', 'a.b.c.d'],
    ['non-base64url characters', 'a+b.c/d.e=='],
    ['an empty string', ''],
  ])('%s is invalid_request_object', async (_, value) => {
    const err = await refusal(makeVerifier(keys), req(value));
    expect(err.error).toBe('invalid_request_object');
  });

  it('an object longer than maxLength is refused before any crypto', async () => {
    const jws = await sign(claims({ padding: 'x'.repeat(2000) }), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys, { maxLength: 1000 }), req(jws));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'shape']);
  });

  it('a header that is not JSON is invalid_request_object', async () => {
    const err = await refusal(makeVerifier(keys), req('bm90IGpzb24.e30.c2ln'));
    expect(err.error).toBe('invalid_request_object');
  });
});

describe('step decrypt: nested JWTs', () => {
  it('a signed then encrypted object made by hand verifies', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const jwe = await encrypt(jws, keys.rsaEnc.publicKey);
    const { requestObject } = await makeVerifier(keys).verify(req(jwe));
    expect(requestObject?.encryptionHeader?.alg).toBe('RSA-OAEP-256');
  });

  it('an encrypted-only claims set (no signature) is refused (RFC 9101 §10.2)', async () => {
    const jwe = await encrypt(JSON.stringify(claims()), keys.rsaEnc.publicKey);
    const err = await refusal(makeVerifier(keys), req(jwe));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'decrypt']);
  });

  it('an encrypted unsigned (alg none) JWT does not satisfy the signing requirement', async () => {
    const jwe = await encrypt(unsigned(claims()), keys.rsaEnc.publicKey);
    const err = await refusal(makeVerifier(keys, { allowUnsigned: true, requireSignedRequestObject: true }), req(jwe));
    expect(err.error).toBe('invalid_request_object');
  });

  it('a JWE alg outside the allow-list (RSA1_5) is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const jwe = withHeader(await encrypt(jws, keys.rsaEnc.publicKey), { alg: 'RSA1_5', enc: 'A256GCM', kid: 'as-enc' });
    const err = await refusal(makeVerifier(keys), req(jwe));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'decrypt']);
  });

  it('a JWE enc outside the allow-list is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const jwe = await encrypt(jws, keys.rsaEnc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256' });
    const err = await refusal(makeVerifier(keys, { contentEncryptionAlgorithms: ['A256GCM'] }), req(jwe));
    expect(err.check).toBe('decrypt');
  });

  it('a JWE alg other than the client\'s registered request_object_encryption_alg is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const jwe = await encrypt(jws, keys.rsaEnc.publicKey);
    const verifier = makeVerifier(keys, { keyManagementAlgorithms: ['RSA-OAEP', 'RSA-OAEP-256'] }, clientFor(keys, { request_object_encryption_alg: 'RSA-OAEP' }));
    expect((await refusal(verifier, req(jwe))).check).toBe('decrypt');
  });

  it('a JWE enc other than the client\'s registered request_object_encryption_enc is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const jwe = await encrypt(jws, keys.rsaEnc.publicKey);
    const verifier = makeVerifier(keys, {}, clientFor(keys, { request_object_encryption_alg: 'RSA-OAEP-256', request_object_encryption_enc: 'A128GCM' }));
    expect((await refusal(verifier, req(jwe))).check).toBe('decrypt');
  });

  it('a compressed (zip) JWE is refused (RFC 8725 §3.6)', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    // jose no longer compresses; a zip header is enough to be refused before decryption
    const forged = withHeader(await encrypt(jws, keys.rsaEnc.publicKey), { alg: 'RSA-OAEP-256', enc: 'A256GCM', zip: 'DEF' });
    const err = await refusal(makeVerifier(keys), req(forged));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'decrypt']);
  });

  it('a JWE for another key is refused', async () => {
    const otherEnc = await generateKeyPair('RSA-OAEP-256');
    const jwe = await encrypt(await sign(claims(), keys.es256.privateKey), otherEnc.publicKey);
    expect((await refusal(makeVerifier(keys), req(jwe))).check).toBe('decrypt');
  });

  it('a JWE is refused when the server has no decryption keys', async () => {
    const jwe = await encrypt(await sign(claims(), keys.es256.privateKey), keys.rsaEnc.publicKey);
    const err = await refusal(makeVerifier(keys, { decryptionKeys: undefined }), req(jwe));
    expect(err.error).toBe('invalid_request_object');
  });

  it('a tampered JWE ciphertext is refused', async () => {
    const jwe = await encrypt(await sign(claims(), keys.es256.privateKey), keys.rsaEnc.publicKey);
    const parts = jwe.split('.');
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
    expect((await refusal(makeVerifier(keys), req(parts.join('.')))).check).toBe('decrypt');
  });
});

describe('step header: the JWS header', () => {
  it('alg none is refused by default', async () => {
    const err = await refusal(makeVerifier(keys), req(unsigned(claims())));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'header']);
  });

  it('alg none is accepted only when explicitly allowed and nothing requires signing', async () => {
    const { requestObject } = await makeVerifier(keys, { allowUnsigned: true }).verify(req(unsigned(claims())));
    expect(requestObject?.header.alg).toBe('none');
    const strict = makeVerifier(keys, { allowUnsigned: true }, clientFor(keys, { require_signed_request_object: true }));
    expect((await refusal(strict, req(unsigned(claims())))).error).toBe('invalid_request_object');
    const registered = makeVerifier(keys, { allowUnsigned: true }, clientFor(keys, { request_object_signing_alg: 'ES256' }));
    expect((await refusal(registered, req(unsigned(claims())))).error).toBe('invalid_request_object');
  });

  it('an alg outside the server allow-list is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    expect((await refusal(makeVerifier(keys, { signingAlgorithms: ['PS256'] }), req(jws))).check).toBe('header');
  });

  it('an alg other than the client\'s registered request_object_signing_alg is refused (OIDC Registration)', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const verifier = makeVerifier(keys, {}, clientFor(keys, { request_object_signing_alg: 'PS256' }));
    expect((await refusal(verifier, req(jws))).check).toBe('header');
  });

  it('an unknown crit extension is refused', async () => {
    const jws = await signRaw({ alg: 'ES256', kid: 'c1', crit: ['exp'], exp: 1 }, claims(), keys.es256.privateKey);
    expect((await refusal(makeVerifier(keys), req(jws))).check).toBe('header');
  });

  it('b64: false is refused', async () => {
    const withCrit = await signRaw({ alg: 'ES256', kid: 'c1', b64: false, crit: ['b64'] }, claims(), keys.es256.privateKey);
    expect((await refusal(makeVerifier(keys), req(withCrit))).check).toBe('header');
    const noCrit = await signRaw({ alg: 'ES256', kid: 'c1', b64: false }, claims(), keys.es256.privateKey);
    expect((await refusal(makeVerifier(keys), req(noCrit))).check).toBe('header');
  });

  it.each(['at+jwt', 'JWS', 'secevent+jwt', 'application/dpop+jwt'])('typ %s is refused', async (typ) => {
    const jws = await sign(claims(), keys.es256.privateKey, { alg: 'ES256', kid: 'c1', typ });
    expect((await refusal(makeVerifier(keys), req(jws))).check).toBe('header');
  });

  it.each(['oauth-authz-req+jwt', 'application/oauth-authz-req+jwt', 'JWT', undefined])('typ %s is accepted', async (typ) => {
    const header: Record<string, unknown> = { alg: 'ES256', kid: 'c1' };
    if (typ) header.typ = typ;
    const jws = await sign(claims(), keys.es256.privateKey, header);
    await expect(makeVerifier(keys).verify(req(jws))).resolves.toBeDefined();
  });
});

describe('steps key and signature: the key', () => {
  it('a signature by another key is refused', async () => {
    const jws = await sign(claims(), keys.other.privateKey);
    expect((await refusal(makeVerifier(keys), req(jws))).check).toBe('signature');
  });

  it('a key embedded in the header (jwk) is never trusted', async () => {
    const jws = await sign(claims(), keys.other.privateKey, { alg: 'ES256', jwk: keys.other.publicJwk });
    expect((await refusal(makeVerifier(keys), req(jws))).error).toBe('invalid_request_object');
  });

  it.each(['jku', 'x5u'])('a %s header is never fetched', async (name) => {
    let hits = 0;
    const fetcher = (async () => {
      hits++;
      return new Response('{}');
    }) as typeof fetch;
    const original = globalThis.fetch;
    globalThis.fetch = fetcher;
    try {
      const jws = await sign(claims(), keys.other.privateKey, { alg: 'ES256', [name]: 'https://attacker.example/keys' });
      expect((await refusal(makeVerifier(keys), req(jws))).error).toBe('invalid_request_object');
    } finally {
      globalThis.fetch = original;
    }
    expect(hits).toBe(0);
  });

  it('a kid that names no registered key is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey, { alg: 'ES256', kid: 'unknown' });
    expect((await refusal(makeVerifier(keys), req(jws))).check).toBe('key');
  });

  it('with several registered keys and no kid, each fitting key is tried', async () => {
    const client = clientFor(keys, { jwks: { keys: [keys.other.publicJwk, { ...keys.es256.publicJwk, kid: 'second' }] } });
    const jws = await sign(claims(), keys.es256.privateKey, { alg: 'ES256' });
    await expect(makeVerifier(keys, {}, client).verify(req(jws))).resolves.toBeDefined();
    const forged = await sign(claims(), (await generateKeyPair('ES256')).privateKey, { alg: 'ES256' });
    expect((await refusal(makeVerifier(keys, {}, client), req(forged))).check).toBe('signature');
  });

  it('HS256 verifies with the client_secret and only with it', async () => {
    const jws = await sign(claims(), new TextEncoder().encode(keys.secret), { alg: 'HS256' });
    await expect(makeVerifier(keys).verify(req(jws))).resolves.toBeDefined();
    const wrong = await sign(claims(), new TextEncoder().encode('another secret of enough length....'), { alg: 'HS256' });
    expect((await refusal(makeVerifier(keys), req(wrong))).check).toBe('signature');
    const noSecret = makeVerifier(keys, {}, clientFor(keys, { client_secret: undefined }));
    expect((await refusal(noSecret, req(jws))).check).toBe('key');
  });

  it('HS256 signed with the public key as secret (alg confusion) is refused', async () => {
    const jws = await sign(claims(), new TextEncoder().encode(JSON.stringify(keys.es256.publicJwk)), { alg: 'HS256', kid: 'c1' });
    expect((await refusal(makeVerifier(keys, {}, clientFor(keys, { client_secret: undefined })), req(jws))).error).toBe('invalid_request_object');
  });

  it('a key type that does not fit the alg is refused (RS256 header, EC key registered)', async () => {
    const rsa = await generateKeyPair('RS256');
    const jws = await sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'c1' });
    expect((await refusal(makeVerifier(keys), req(jws))).check).toBe('key');
  });

  it('a client without jwks or jwks_uri cannot use asymmetric algs', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const verifier = makeVerifier(keys, {}, { client_id: CLIENT_ID });
    expect((await refusal(verifier, req(jws))).check).toBe('key');
  });

  it('a malformed registered jwks is the server\'s server_error (client_metadata), not a crash', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const verifier = makeVerifier(keys, {}, { client_id: CLIENT_ID, jwks: { keys: 'nope' } as never });
    const err = await refusal(verifier, req(jws));
    expect(err.error).toBe('server_error');
    expect(err.check).toBe('client_metadata');
    expect(err.redirectable).toBe(false);
  });

  it('a tampered payload is refused', async () => {
    const jws = await sign(claims(), keys.es256.privateKey);
    const [h, , s] = jws.split('.');
    const p = Buffer.from(JSON.stringify(claims({ scope: 'admin' }))).toString('base64url');
    expect((await refusal(makeVerifier(keys), req(`${h}.${p}.${s}`))).check).toBe('signature');
  });
});

describe('steps client_id_claim to forbidden_claim: claims', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['missing client_id claim', { client_id: undefined }, 'client_id_claim'],
    ['client_id claim differs from the query (RFC 9101 §6.3)', { client_id: 'other' }, 'client_id_claim'],
    ['missing iss', { iss: undefined }, 'iss'],
    ['iss other than client_id', { iss: 'other' }, 'iss'],
    ['missing aud', { aud: undefined }, 'aud'],
    ['aud of another server', { aud: 'https://other.example.com' }, 'aud'],
    ['aud with a trailing slash added (RFC 8414 §3.3: exact)', { aud: `${ISSUER}/` }, 'aud'],
    ['aud array without the issuer', { aud: ['https://a', 'https://b'] }, 'aud'],
    ['expired', { exp: NOW_S - 60 }, 'time'],
    ['not yet valid (nbf)', { nbf: NOW_S + 120 }, 'time'],
    ['issued in the future (iat)', { iat: NOW_S + 120 }, 'time'],
    ['exp as a string', { exp: String(NOW_S + 300) }, 'time'],
    ['request inside the object (RFC 9101 §10.7)', { request: 'x.y.z' }, 'forbidden_claim'],
    ['request_uri inside the object (RFC 9101 §10.7)', { request_uri: 'https://x' }, 'forbidden_claim'],
    ['sub equal to client_id (RFC 9101 §10.8)', { sub: CLIENT_ID }, 'forbidden_claim'],
    ['scope as an array', { scope: ['openid'] }, 'claim_type'],
    ['redirect_uri as an object', { redirect_uri: {} }, 'claim_type'],
    ['max_age as a string', { max_age: '0' }, 'claim_type'],
    ['claims as a string (Nimbus-style)', { claims: '{"id_token":{}}' }, 'claim_type'],
    ['authorization_details as an object', { authorization_details: { type: 'x' } }, 'claim_type'],
  ];
  it.each(cases)('%s is invalid_request_object', async (_, extra, check) => {
    const jws = await sign(claims(extra), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys), req(jws));
    expect([err.error, err.check]).toEqual(['invalid_request_object', check]);
    expect(err.error_description).not.toContain(jws);
  });

  it('aud as an array containing the issuer is accepted', async () => {
    const jws = await sign(claims({ aud: ['https://other', ISSUER] }), keys.es256.privateKey);
    await expect(makeVerifier(keys).verify(req(jws))).resolves.toBeDefined();
  });

  it('exp within the clock tolerance is accepted', async () => {
    const jws = await sign(claims({ exp: NOW_S - 5 }), keys.es256.privateKey);
    await expect(makeVerifier(keys).verify(req(jws))).resolves.toBeDefined();
  });

  it('13: a replayed jti is refused; another client may use the same jti', async () => {
    const store = new MemoryReplayStore({ now: () => NOW });
    const verifier = makeVerifier(keys, { replayStore: store }, (id) => ({ ...clientFor(keys), client_id: id }));
    const c = claims({ jti: 'same' });
    const jws = await sign(c, keys.es256.privateKey);
    await verifier.verify(req(jws));
    const err = await refusal(verifier, req(jws));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'replay']);
    const other = await sign({ ...c, iss: 'client-2', client_id: 'client-2' }, keys.es256.privateKey);
    await expect(verifier.verify(query({ client_id: 'client-2', request: other }))).resolves.toBeDefined();
  });

  it('13: with a replay store, a request object without jti is refused', async () => {
    const c = claims();
    delete c.jti;
    const jws = await sign(c, keys.es256.privateKey);
    expect((await refusal(makeVerifier(keys, { replayStore: new MemoryReplayStore() }), req(jws))).check).toBe('replay');
  });

  it('13: the memory store forgets a jti once its exp has passed', () => {
    let now = NOW;
    const store = new MemoryReplayStore({ now: () => now });
    expect(store.consume('k', NOW_S + 10)).toBe(true);
    expect(store.consume('k', NOW_S + 10)).toBe(false);
    now += 3_600_000;
    expect(store.consume('k', NOW_S + 7200)).toBe(true);
    expect(store.size).toBe(1);
  });
});

describe('FAPI 2.0 profile', () => {
  const fapi = () => makeVerifier(keys, { profile: 'fapi2' });

  it('ES256 with exp, nbf and redirect_uri is accepted', async () => {
    await expect(fapi().verify(req(await sign(claims(), keys.es256.privateKey)))).resolves.toBeDefined();
  });

  it('RS256 and HS256 are refused', async () => {
    const rsa = await generateKeyPair('RS256');
    const rs = await sign(claims(), rsa.privateKey, { alg: 'RS256' });
    expect((await refusal(fapi(), req(rs))).check).toBe('profile');
    const hs = await sign(claims(), new TextEncoder().encode(keys.secret), { alg: 'HS256' });
    expect((await refusal(fapi(), req(hs))).check).toBe('profile');
  });

  it.each([
    ['missing exp', { exp: undefined }],
    ['missing nbf', { nbf: undefined }],
    ['lifetime over 60 minutes', { nbf: NOW_S - 10, exp: NOW_S + 3600 }],
    ['nbf over 60 minutes old', { nbf: NOW_S - 3700, exp: NOW_S + 60 }],
    ['missing redirect_uri', { redirect_uri: undefined }],
  ])('%s is refused', async (_, extra) => {
    const err = await refusal(fapi(), req(await sign(claims(extra), keys.es256.privateKey)));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'profile']);
  });

  it('EdDSA is accepted', async () => {
    const ed = await generateKeyPair('Ed25519', { extractable: true });
    const jwk = { ...(await exportJWK(ed.publicKey)), kid: 'ed' };
    const verifier = makeVerifier(keys, { profile: 'fapi2' }, clientFor(keys, { jwks: { keys: [jwk] } }));
    await expect(verifier.verify(req(await sign(claims(), ed.privateKey, { alg: 'EdDSA', kid: 'ed' })))).resolves.toBeDefined();
  });

  it('metadata() says signed objects are required and lists FAPI algs only', () => {
    const m = fapi().metadata();
    expect(m.require_signed_request_object).toBe(true);
    expect(m.request_object_signing_alg_values_supported).toEqual(['PS256', 'ES256', 'EdDSA', 'Ed25519']);
  });
});

describe('the result: parameters', () => {
  it('only the object\'s parameters are used; the query\'s are ignored (RFC 9101 §5)', async () => {
    const jws = await sign(claims({ scope: 'openid' }), keys.es256.privateKey);
    const { parameters } = await makeVerifier(keys).verify(req(jws, { scope: 'openid admin', prompt: 'none' }));
    expect(parameters.scope).toBe('openid');
    expect(parameters).not.toHaveProperty('prompt');
  });

  it('mergeQueryParameters adds the query\'s missing parameters, the object winning (OIDC Core §6.3.3)', async () => {
    const jws = await sign(claims({ scope: 'openid' }), keys.es256.privateKey);
    const { parameters } = await makeVerifier(keys, { mergeQueryParameters: true }).verify(req(jws, { scope: 'admin', prompt: 'none' }));
    expect(parameters).toMatchObject({ scope: 'openid', prompt: 'none' });
    expect(parameters).not.toHaveProperty('request');
  });

  it('a "__proto__" claim is refused: no copy of the parameters could carry it as data', async () => {
    const jws = await sign('{"__proto__":{"polluted":true},' + JSON.stringify(claims()).slice(1), keys.es256.privateKey);
    const err = await refusal(makeVerifier(keys), req(jws));
    expect(err.error).toBe('invalid_request_object');
    expect(err.check).toBe('claim_type');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('errors never echo secrets', () => {
  it('the client secret and the object never appear in messages', async () => {
    const wrong = await sign(claims(), new TextEncoder().encode('another secret of enough length....'), { alg: 'HS256' });
    const err = await refusal(makeVerifier(keys), req(wrong));
    expect(err.message).not.toContain(keys.secret);
    expect(err.message).not.toContain(wrong);
    expect(err).toBeInstanceOf(AuthorizationRequestError);
    expect(err.code).toBe('ERR_AUTHORIZATION_REQUEST');
  });
});

describe('this SDK\'s own request objects verify', () => {
  const full = () =>
    builder()
      .maxAge(0)
      .claims({ userinfo: { email: { essential: true } } })
      .resource('https://rs1.example', 'https://rs2.example');

  it('signed (ES256)', async () => {
    const built = await full().signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' }).build();
    const { parameters } = await makeVerifier(keys, { replayStore: new MemoryReplayStore({ now: () => NOW }) }).verify(built.url.searchParams);
    expect(parameters).toMatchObject({ scope: 'openid', max_age: 0, resource: ['https://rs1.example', 'https://rs2.example'] });
    // the same object also passes raw jose with the same checks
    await jwtVerify(built.requestObject!, keys.es256.publicKey, { algorithms: ['ES256'], issuer: CLIENT_ID, audience: ISSUER, currentDate: new Date(NOW) });
  });

  it('signed then encrypted (ES256 + RSA-OAEP-256/A256GCM)', async () => {
    const built = await full()
      .signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' })
      .encryptWith(keys.rsaEnc.publicJwk, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .build();
    const { requestObject } = await makeVerifier(keys, { profile: 'fapi2' }).verify(built.url.searchParams);
    expect(requestObject?.encryptionHeader?.enc).toBe('A256GCM');
  });

  it('signed with the client secret (HS256)', async () => {
    const built = await full().signWith(new TextEncoder().encode(keys.secret), { alg: 'HS256' }).build();
    await expect(makeVerifier(keys).verify(built.url.searchParams)).resolves.toBeDefined();
  });
});

// Error redirects without re-deriving anything (RFC 6749 §4.1.2.1, §3.1.2.3, RFC 9101 §6.3,
// RFC 9207): the verifier validates redirect_uri against the client's redirect_uris, and a refusal
// after that point carries what authorizationErrorResponse(err, { issuer }) needs.
import { describe, expect, it } from 'vitest';
import { AuthorizationRequestError, authorizationErrorResponse } from '../../src/server.js';
import { CLIENT_ID, ISSUER, claims, clientFor, encrypt, makeVerifier, query, refusal, sign, useKeys } from '../helpers/verifier-fixtures.js';

const CB = 'https://client.example.org/cb';
const OTHER_CB = 'https://client.example.org/other';
const keys = useKeys();

const registered = (extra: Record<string, unknown> = {}) => clientFor(keys, { redirect_uris: [CB, OTHER_CB], ...extra });
const location = (res: Response) => new URL(res.headers.get('location')!);

describe('refusals carry the validated client, redirect_uri, state and response mode', () => {
  it('a verified request object with a bad aud: 303 to its redirect_uri with error, state and iss, no app code', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const object = await sign(claims({ aud: 'https://elsewhere.example', redirect_uri: OTHER_CB, state: 'from-object' }), keys.es256.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: object, redirect_uri: CB, state: 'from-query' }));
    expect(err).toMatchObject({ error: 'invalid_request_object', check: 'aud', clientId: CLIENT_ID, redirectUri: OTHER_CB, state: 'from-object', responseMode: 'query' });

    const res = authorizationErrorResponse(err, { issuer: ISSUER });
    expect(res.status).toBe(303);
    const to = location(res);
    expect(to.origin + to.pathname).toBe(OTHER_CB);
    expect(Object.fromEntries(to.searchParams)).toEqual({
      error: 'invalid_request_object',
      error_description: err.error_description,
      state: 'from-object',
      iss: ISSUER,
    });
  });

  it('an object whose signature does not verify: the query\'s registered redirect_uri and state, never the object\'s', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const forged = await sign(claims({ redirect_uri: OTHER_CB, state: 'attacker-state' }), keys.other.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: forged, redirect_uri: CB, state: 'query-state' }));
    expect(err.check).toBe('signature');
    expect(err).toMatchObject({ redirectUri: CB, state: 'query-state' });
    const to = location(authorizationErrorResponse(err, { issuer: ISSUER }));
    expect(to.origin + to.pathname).toBe(CB);
    expect(to.searchParams.get('state')).toBe('query-state');
  });

  it('an encrypted object that does not decrypt: nothing inside it is read', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const inner = await sign(claims({ state: 'inside' }), keys.es256.privateKey);
    const jwe = await encrypt(inner, keys.rsaEnc.publicKey);
    const broken = jwe.replace(/\.([^.]{8})/, '.AAAAAAAA');
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: broken, redirect_uri: CB }));
    expect(err.check === 'decrypt' || err.check === 'shape').toBe(true);
    expect(err.redirectUri).toBe(CB);
    expect(err.state).toBeUndefined();
  });

  it('an unregistered redirect_uri is refused and never redirected to (RFC 6749 §3.1.2.3, §4.1.2.1)', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const object = await sign(claims({ redirect_uri: 'https://attacker.example/cb' }), keys.es256.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: object }));
    expect(err).toMatchObject({ error: 'invalid_request', check: 'redirect_uri', redirectable: false, redirectUri: undefined });
    const res = authorizationErrorResponse(err, { issuer: ISSUER });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('exact string matching: a trailing slash, another case or an added query is not the registered value (RFC 9700 §4.1.3)', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    for (const variant of [`${CB}/`, CB.toUpperCase(), `${CB}?x=1`, CB.replace('https://', 'https://CLIENT.')]) {
      const object = await sign(claims({ redirect_uri: variant }), keys.es256.privateKey);
      const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: object }));
      expect(err.check, variant).toBe('redirect_uri');
    }
  });

  it('an accepted request: the redirect_uri is one the client registered', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const { parameters } = await verifier.verify(query({ client_id: CLIENT_ID, request: await sign(claims({ redirect_uri: OTHER_CB }), keys.es256.privateKey) }));
    expect(parameters.redirect_uri).toBe(OTHER_CB);
  });

  it('no redirect_uri with exactly one registered: that one (RFC 6749 §3.1.2.3); with several: refused', async () => {
    const one = makeVerifier(keys, { now: () => Date.UTC(2030, 0, 1) }, clientFor(keys, { redirect_uris: [CB] }));
    const object = await sign(claims({ redirect_uri: undefined, aud: 'https://elsewhere.example' }), keys.es256.privateKey);
    const err = await refusal(one, query({ client_id: CLIENT_ID, request: object }));
    expect(err).toMatchObject({ check: 'aud', redirectUri: CB, state: 'st' });

    const several = makeVerifier(keys, {}, registered());
    const plain = await refusal(several, query({ client_id: CLIENT_ID, request: await sign(claims({ redirect_uri: undefined }), keys.es256.privateKey) }));
    expect(plain.check).toBe('redirect_uri');
  });

  it('an unknown client: 400 even when the query names a redirect_uri (RFC 6749 §4.1.2.1)', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const err = await refusal(verifier, query({ client_id: 'nobody', request: 'a.b.c', redirect_uri: CB, state: 's' }));
    expect(err.redirectUri).toBeUndefined();
    expect(authorizationErrorResponse(err, { issuer: ISSUER }).status).toBe(400);
  });

  it('a client without registered redirect_uris: no redirect_uri is validated, the answer is a 400', async () => {
    const verifier = makeVerifier(keys);
    const object = await sign(claims({ aud: 'https://elsewhere.example' }), keys.es256.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: object }));
    expect(err.redirectUri).toBeUndefined();
    expect(authorizationErrorResponse(err, { issuer: ISSUER }).status).toBe(400);
  });

  it('implicit and hybrid response types get the fragment; response_mode=form_post gets a page that posts', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const hybrid = await sign(claims({ response_type: 'code id_token', nonce: 'n', aud: 'https://elsewhere.example' }), keys.es256.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: hybrid }));
    expect(err.responseMode).toBe('fragment');
    const to = location(authorizationErrorResponse(err, { issuer: ISSUER }));
    expect(to.search).toBe('');
    expect(new URLSearchParams(to.hash.slice(1)).get('state')).toBe('st');

    const posted = await sign(claims({ response_mode: 'form_post', state: '<"x">', aud: 'https://elsewhere.example' }), keys.es256.privateKey);
    const res = authorizationErrorResponse(await refusal(verifier, query({ client_id: CLIENT_ID, request: posted })), { issuer: ISSUER });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<form method="post" action="${CB}">`);
    expect(html).toContain('name="state" value="&lt;&quot;x&quot;&gt;"');
    expect(html).toContain(`name="iss" value="${ISSUER}"`);
  });

  it('a JARM response_mode: carried on the error, answered with the direct 400 (no response JWT is issued here)', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const object = await sign(claims({ response_mode: 'query.jwt', aud: 'https://elsewhere.example' }), keys.es256.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: object }));
    expect(err).toMatchObject({ responseMode: 'query.jwt', redirectUri: CB });
    const res = authorizationErrorResponse(err, { issuer: ISSUER });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('a plain request (no request object): the query\'s redirect_uri and state, as RFC 6749 has it', async () => {
    const verifier = makeVerifier(keys, { requireSignedRequestObject: true }, registered());
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: CB, state: 'abc' }));
    expect(err).toMatchObject({ check: 'signed_request_object_required', redirectUri: CB, state: 'abc' });
    expect(location(authorizationErrorResponse(err, { issuer: ISSUER })).searchParams.get('state')).toBe('abc');
  });

  it('the caller\'s own redirectUri still wins over the error\'s', async () => {
    const verifier = makeVerifier(keys, {}, registered());
    const object = await sign(claims({ aud: 'https://elsewhere.example' }), keys.es256.privateKey);
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: object }));
    const to = location(authorizationErrorResponse(err, { issuer: ISSUER, redirectUri: OTHER_CB, state: 'mine' }));
    expect(to.origin + to.pathname).toBe(OTHER_CB);
    expect(to.searchParams.get('state')).toBe('mine');
  });

  it('a registration whose redirect_uris is not an array of strings is the server\'s fault (500, not redirected)', async () => {
    const verifier = makeVerifier(keys, {}, clientFor(keys, { redirect_uris: CB }));
    const err = await refusal(verifier, query({ client_id: CLIENT_ID, request: 'a.b.c', redirect_uri: CB }));
    expect(err).toBeInstanceOf(AuthorizationRequestError);
    expect(err).toMatchObject({ error: 'server_error', check: 'client_metadata', redirectUri: undefined });
  });
});

// Boundaries of the verifier's rules and the failure modes an outside review found: repeated
// parameters, the FAPI 2.0 clock, attacker text in error_description, deep nesting, malformed
// client metadata, __proto__ names and unsafe error redirects. Each case asserts the OAuth error.
import { describe, expect, it } from 'vitest';
import {
  AuthorizationRequestError,
  MAX_ERROR_DESCRIPTION_LENGTH,
  MAX_JSON_DEPTH,
  authorizationErrorResponse,
  validateClientMetadata,
  type ClientMetadata,
} from '../../src/server.js';
import {
  CLIENT_ID,
  ERROR_DESCRIPTION_CHARSET,
  NOW_S,
  b64url,
  builder,
  claims,
  clientFor,
  encrypt,
  makeVerifier,
  query,
  refusal,
  req,
  sign,
  signText,
  useKeys,
  withHeader,
} from '../helpers/verifier-fixtures.js';

const keys = useKeys();
const es256 = (c: Record<string, unknown>) => sign(c, keys.es256.privateKey);
/** `n` nested arrays around 1: JSON `[[…[1]…]]`, n levels deep. Built as text: JSON.stringify would overflow. */
const nested = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
/** Signs a raw header and payload text with the client's ES256 key (for JSON that JSON.stringify cannot produce). */
const es256Text = (headerJson: string, payloadJson: string) => signText(headerJson, payloadJson, keys.es256.privateKey);
const HEADER = '{"alg":"ES256","kid":"c1","typ":"oauth-authz-req+jwt"}';

describe('repeated parameters are refused in every mode (RFC 6749 §3.1)', () => {
  it('mergeQueryParameters: redirect_uri twice outside the object is invalid_request', async () => {
    const jws = await es256(claims({ redirect_uri: undefined }));
    const verifier = makeVerifier(keys, { mergeQueryParameters: true });
    const err = await refusal(verifier, req(jws, { redirect_uri: ['https://client.example.org/cb', 'https://attacker.example/cb'] }));
    expect([err.error, err.check, err.redirectable]).toEqual(['invalid_request', 'repeated_parameter', false]);
  });

  it('without merge too: state twice next to a request object is invalid_request', async () => {
    const err = await refusal(makeVerifier(keys), req(await es256(claims()), { state: ['a', 'b'] }));
    expect([err.error, err.check]).toEqual(['invalid_request', 'repeated_parameter']);
  });

  it('several resource values stay allowed (RFC 8707 §2)', async () => {
    const { parameters } = await makeVerifier(keys, { mergeQueryParameters: true }).verify(
      req(await es256(claims()), { resource: ['https://rs1.example', 'https://rs2.example'] }),
    );
    expect(parameters.resource).toEqual(['https://rs1.example', 'https://rs2.example']);
  });
});

describe('time claims: boundaries', () => {
  it('iat at exactly now + clockTolerance is accepted, one second more is refused', async () => {
    const verifier = makeVerifier(keys, { clockTolerance: 10 });
    await expect(verifier.verify(req(await es256(claims({ iat: NOW_S + 10 }))))).resolves.toBeDefined();
    const err = await refusal(verifier, req(await es256(claims({ iat: NOW_S + 11 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'time']);
  });

  it('nbf at exactly now + clockTolerance is accepted, one second more is refused', async () => {
    const verifier = makeVerifier(keys, { clockTolerance: 10 });
    await expect(verifier.verify(req(await es256(claims({ nbf: NOW_S + 10 }))))).resolves.toBeDefined();
    const err = await refusal(verifier, req(await es256(claims({ nbf: NOW_S + 11 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'time']);
  });
});

describe('FAPI 2.0: nbf/iat in the future (Security Profile §5.3.2.1 item 13)', () => {
  const fapi = (clockTolerance: number) => makeVerifier(keys, { profile: 'fapi2', clockTolerance });

  it.each(['nbf', 'iat'])('%s 240 s ahead is refused even with clockTolerance 300', async (name) => {
    const err = await refusal(fapi(300), req(await es256(claims({ [name]: NOW_S + 240 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'time']);
  });

  it.each(['nbf', 'iat'])('%s: 60 s ahead accepted and 61 s refused, with clockTolerance 300', async (name) => {
    await expect(fapi(300).verify(req(await es256(claims({ [name]: NOW_S + 60 }))))).resolves.toBeDefined();
    const err = await refusal(fapi(300), req(await es256(claims({ [name]: NOW_S + 61 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'time']);
  });

  it.each(['nbf', 'iat'])('%s: 10 s ahead accepted even with clockTolerance 0, 11 s refused', async (name) => {
    await expect(fapi(0).verify(req(await es256(claims({ [name]: NOW_S + 10 }))))).resolves.toBeDefined();
    const err = await refusal(fapi(0), req(await es256(claims({ [name]: NOW_S + 11 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'time']);
  });

  it('between 10 and 60 s the option decides: clockTolerance 30 accepts 30 s ahead, refuses 31', async () => {
    await expect(fapi(30).verify(req(await es256(claims({ nbf: NOW_S + 30 }))))).resolves.toBeDefined();
    expect((await refusal(fapi(30), req(await es256(claims({ nbf: NOW_S + 31 }))))).check).toBe('time');
  });

  it('exp - nbf of exactly 3600 s is accepted (the builder\'s expiresIn(3600)), 3601 refused', async () => {
    const built = await builder()
      .expiresIn(3600)
      .signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' })
      .build();
    const { requestObject } = await fapi(10).verify(built.url.searchParams);
    expect((requestObject!.claims.exp as number) - (requestObject!.claims.nbf as number)).toBe(3600);

    const nbf = NOW_S - 100;
    await expect(fapi(10).verify(req(await es256(claims({ nbf, exp: nbf + 3600 }))))).resolves.toBeDefined();
    const err = await refusal(fapi(10), req(await es256(claims({ nbf, exp: nbf + 3601 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'profile']);
  });

  it('nbf exactly 3600 s old is accepted, 3601 s refused', async () => {
    // exp - nbf stays 3600; exp at now passes within the 10 s leeway for exp.
    await expect(fapi(10).verify(req(await es256(claims({ nbf: NOW_S - 3600, exp: NOW_S }))))).resolves.toBeDefined();
    const err = await refusal(fapi(10), req(await es256(claims({ nbf: NOW_S - 3601, exp: NOW_S - 1 }))));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'profile']);
  });
});

describe('a malformed crit is refused at the header step (RFC 7515 §4.1.11)', () => {
  it.each([[[]], ['b64'], [[1]]])('crit %j', async (crit) => {
    const jws = await es256Text(JSON.stringify({ alg: 'ES256', kid: 'c1', crit }), JSON.stringify(claims()));
    const err = await refusal(makeVerifier(keys), req(jws));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'header']);
  });
});

describe('error_description: fixed text only, RFC 6749 §4.1.2.1 charset, capped', () => {
  const HOSTILE = 'Your bank account is locked, call +1-555-0100 "now"\r\nSet-Cookie: x=1 <b>\\ ' + 'A'.repeat(40_000);

  const expectSafe = (err: AuthorizationRequestError) => {
    expect(err.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
    expect(err.error_description.length).toBeLessThanOrEqual(MAX_ERROR_DESCRIPTION_LENGTH);
    expect(err.error_description).not.toContain('bank');
    expect(err.message).not.toContain('bank');
  };

  it('an unauthenticated typ is not echoed; the detail (for logs) names it', async () => {
    const jws = await es256Text(JSON.stringify({ alg: 'ES256', kid: 'c1', typ: HOSTILE }), JSON.stringify(claims()));
    const err = await refusal(makeVerifier(keys), req(jws));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'header']);
    expectSafe(err);
    expect(err.detail).toContain('Your bank account');
    expect(err.detail!.length).toBeLessThan(200);
  });

  it('an unaccepted JWS alg is not echoed', async () => {
    const jws = withHeader(await es256(claims()), { alg: HOSTILE, kid: 'c1' });
    expectSafe(await refusal(makeVerifier(keys), req(jws)));
  });

  it.each([
    ['alg', { alg: HOSTILE, enc: 'A256GCM' }],
    ['enc', { alg: 'RSA-OAEP-256', enc: HOSTILE }],
    ['kid', { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: HOSTILE.slice(0, 200) }],
  ])('a JWE %s is not echoed', async (_, header) => {
    const jwe = withHeader(await encrypt(await es256(claims()), keys.rsaEnc.publicKey), header);
    const err = await refusal(makeVerifier(keys), req(jwe));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'decrypt']);
    expectSafe(err);
  });

  it('a registered alg mismatch names the server\'s value, not the header\'s', async () => {
    const verifier = makeVerifier(keys, {}, clientFor(keys, { request_object_signing_alg: 'PS256' }));
    const err = await refusal(verifier, req(await es256(claims())));
    expect(err.error_description).toMatch(/PS256/);
    expect(err.error_description).not.toMatch(/ES256/);
    expect(err.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
  });

  it('the constructor enforces the charset and the cap on any text', () => {
    const err = new AuthorizationRequestError('invalid_request_object', 'header', HOSTILE);
    expect(err.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
    expect(err.error_description.length).toBe(MAX_ERROR_DESCRIPTION_LENGTH);
    expect(err.message).toMatch(ERROR_DESCRIPTION_CHARSET);
  });

  it('spec citations survive in ASCII', () => {
    expect(new AuthorizationRequestError('invalid_request', 'client_id', 'missing (RFC 9101 §5)').error_description).toBe('missing (RFC 9101 section 5)');
  });

  it('authorizationErrorResponse enforces them again: the Location header stays short and clean', async () => {
    const err = new AuthorizationRequestError('invalid_request_object', 'header', 'x');
    Object.defineProperty(err, 'error_description', { value: HOSTILE });
    const res = authorizationErrorResponse(err, { redirectUri: 'https://client.example.org/cb', state: 's' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location.length).toBeLessThan(1024);
    const description = new URL(location).searchParams.get('error_description')!;
    expect(description).toMatch(ERROR_DESCRIPTION_CHARSET);
    expect(description.length).toBeLessThanOrEqual(MAX_ERROR_DESCRIPTION_LENGTH);
    const direct = await authorizationErrorResponse(err).json();
    expect(direct.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
  });

  it('no fixed message of a common refusal contains a quote', async () => {
    const verifier = makeVerifier(keys);
    const cases = [
      req(await es256(claims({ aud: 'https://other.example' }))),
      req(await es256(claims({ iss: 'other' }))),
      req(await es256(claims({ client_id: 'other' }))),
      req(await es256(claims({ max_age: 'x' }))),
      req(await es256(claims({ request_uri: 'https://x.example' }))),
      req(await es256(claims({ sub: CLIENT_ID }))),
      req('a.b'),
      query({ client_id: [CLIENT_ID, CLIENT_ID] }),
    ];
    for (const q of cases) {
      const err = await refusal(verifier, q);
      expect(err.error_description, err.check).toMatch(ERROR_DESCRIPTION_CHARSET);
    }
  });
});

describe(`nesting deeper than ${MAX_JSON_DEPTH} levels is invalid_request_object, never a 500`, () => {
  it('a typ nested 12,000 deep', async () => {
    const jws = await es256Text(`{"alg":"ES256","kid":"c1","typ":${nested(12_000)}}`, JSON.stringify(claims()));
    const err = await refusal(makeVerifier(keys), req(jws));
    expect([err.error, err.status, err.check]).toEqual(['invalid_request_object', 400, 'shape']);
  });

  it('a JWE alg nested 12,000 deep', async () => {
    const jwe = await encrypt(await es256(claims()), keys.rsaEnc.publicKey);
    const hostile = `${b64url(`{"alg":${nested(12_000)},"enc":"A256GCM"}`)}${jwe.slice(jwe.indexOf('.'))}`;
    const err = await refusal(makeVerifier(keys), req(hostile));
    expect([err.error, err.status, err.check]).toEqual(['invalid_request_object', 400, 'shape']);
  });

  it('a claim nested 20,000 deep', async () => {
    const payload = `{"deep":${nested(20_000)},${JSON.stringify(claims()).slice(1)}`;
    const err = await refusal(makeVerifier(keys), req(await es256Text(HEADER, payload)));
    expect([err.error, err.status, err.check]).toEqual(['invalid_request_object', 400, 'claim_type']);
  });

  it(`claims: depth ${MAX_JSON_DEPTH} accepted, ${MAX_JSON_DEPTH + 1} refused (the claims object is level 1)`, async () => {
    const at = (depth: number) => es256Text(HEADER, `{"deep":${nested(depth - 1)},${JSON.stringify(claims()).slice(1)}`);
    const { parameters } = await makeVerifier(keys).verify(req(await at(MAX_JSON_DEPTH)));
    expect(JSON.stringify(parameters.deep)).toBe(nested(MAX_JSON_DEPTH - 1));
    const err = await refusal(makeVerifier(keys), req(await at(MAX_JSON_DEPTH + 1)));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'claim_type']);
  });

  it(`header: depth ${MAX_JSON_DEPTH} accepted, ${MAX_JSON_DEPTH + 1} refused`, async () => {
    const at = (depth: number) => es256Text(`{"alg":"ES256","kid":"c1","x-deep":${nested(depth - 1)}}`, JSON.stringify(claims()));
    await expect(makeVerifier(keys).verify(req(await at(MAX_JSON_DEPTH)))).resolves.toBeDefined();
    const err = await refusal(makeVerifier(keys), req(await at(MAX_JSON_DEPTH + 1)));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'shape']);
  });
});

describe('client metadata that should fail closed is a server_error (never any alg)', () => {
  const withClient = (extra: Record<string, unknown>) => makeVerifier(keys, {}, clientFor(keys, extra) as ClientMetadata);

  it.each([
    ['request_object_signing_alg 42', { request_object_signing_alg: 42 }],
    ['request_object_encryption_alg 42', { request_object_encryption_alg: 42 }],
    ['request_object_encryption_enc 42', { request_object_encryption_enc: ['A256GCM'] }],
    ['request_uris a string', { request_uris: 'https://client.example.org/ro' }],
    ['request_uris with a number', { request_uris: ['https://client.example.org/ro', 1] }],
    ['require_signed_request_object "true"', { require_signed_request_object: 'true' }],
    ['jwks without keys', { jwks: { keys: 'nope' } }],
    ['jwks an array', { jwks: [keys?.es256?.publicJwk] }],
    ['jwks_uri 42', { jwks_uri: 42 }],
    ['client_secret 42', { client_secret: 42 }],
  ])('%s', async (_, extra) => {
    const err = await refusal(withClient(extra), req(await es256(claims())));
    expect([err.error, err.status, err.check, err.redirectable]).toEqual(['server_error', 500, 'client_metadata', false]);
    expect(err.error_description).toBe('the client registration is not usable');
  });

  it('a non-boolean require_signed_request_object fails a plain request closed too', async () => {
    const err = await refusal(withClient({ require_signed_request_object: 'true' }), query({ client_id: CLIENT_ID, response_type: 'code' }));
    expect(err.error).toBe('server_error');
  });

  const enc = new TextEncoder();
  const hs = (alg: string, secret: string) => sign(claims(), enc.encode(secret), { alg, typ: 'oauth-authz-req+jwt' });

  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)('a registered %s with a client_secret of %i bytes is accepted, one byte less is server_error (RFC 7518 §3.2)', async (alg, bytes) => {
    const ok = 's'.repeat(bytes);
    await expect(withClient({ request_object_signing_alg: alg, client_secret: ok }).verify(req(await hs(alg, ok)))).resolves.toBeDefined();
    const short = 's'.repeat(bytes - 1);
    const err = await refusal(withClient({ request_object_signing_alg: alg, client_secret: short }), req(await hs(alg, short)));
    expect([err.error, err.check]).toEqual(['server_error', 'client_metadata']);
  });

  it('a one-byte client_secret and a registered HS256: server_error', async () => {
    const err = await refusal(withClient({ request_object_signing_alg: 'HS256', client_secret: 'x' }), req(await hs('HS256', 'x'.repeat(32))));
    expect(err.error).toBe('server_error');
  });

  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)('no registered alg: %s with a secret of %i bytes is accepted, one byte less is invalid_request_object (key)', async (alg, bytes) => {
    const ok = 'k'.repeat(bytes);
    await expect(withClient({ client_secret: ok }).verify(req(await hs(alg, ok)))).resolves.toBeDefined();
    const short = 'k'.repeat(bytes - 1);
    const err = await refusal(withClient({ client_secret: short }), req(await hs(alg, short)));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'key']);
  });

  it('validateClientMetadata refuses a client_secret shorter than the registered HS alg needs', () => {
    expect(() => validateClientMetadata({ request_object_signing_alg: 'HS256', client_secret: 'x'.repeat(31) })).toThrow(/client_secret/);
    expect(() => validateClientMetadata({ request_object_signing_alg: 'HS512', client_secret: 'x'.repeat(63) })).toThrow(/64 bytes/);
    expect(validateClientMetadata({ request_object_signing_alg: 'HS256', client_secret: 'x'.repeat(32) })).toBeDefined();
    expect(() => validateClientMetadata({ client_secret: 42 as never })).toThrow(/client_secret/);
  });
});

describe('__proto__ names never reach a prototype', () => {
  const safeCopy = (parameters: Record<string, unknown>) => {
    expect(Object.getPrototypeOf(parameters)).toBeNull();
    expect(Object.getPrototypeOf(Object.assign({}, parameters))).toBe(Object.prototype);
  };

  it('request object parameters are a null-prototype object whose copies keep Object.prototype', async () => {
    const { parameters } = await makeVerifier(keys, { mergeQueryParameters: true }).verify(req(await es256(claims()), { prompt: 'none' }));
    safeCopy(parameters);
    expect(parameters.prompt).toBe('none');
  });

  it('a __proto__ claim is refused, at the top and nested', async () => {
    for (const payload of [
      `{"__proto__":{"polluted":true},${JSON.stringify(claims()).slice(1)}`,
      `{"claims":{"userinfo":{"__proto__":{"polluted":true}}},${JSON.stringify(claims()).slice(1)}`,
    ]) {
      const err = await refusal(makeVerifier(keys), req(await es256Text(HEADER, payload)));
      expect([err.error, err.check]).toEqual(['invalid_request_object', 'claim_type']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a __proto__ header member is refused', async () => {
    const jws = await es256Text('{"alg":"ES256","kid":"c1","__proto__":{"typ":"x"}}', JSON.stringify(claims()));
    const err = await refusal(makeVerifier(keys), req(jws));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'shape']);
  });

  it('plain requests: null-prototype parameters; a __proto__ parameter is invalid_request', async () => {
    const { parameters } = await makeVerifier(keys).verify(query({ client_id: CLIENT_ID, response_type: 'code', constructor: 'c' }));
    safeCopy(parameters);
    expect(parameters.constructor).toBe('c');
    const err = await refusal(makeVerifier(keys), new URLSearchParams(`client_id=${CLIENT_ID}&__proto__=x`));
    expect([err.error, err.check]).toEqual(['invalid_request', 'repeated_parameter']);
    const fromObject = await refusal(makeVerifier(keys), JSON.parse(`{"client_id":"${CLIENT_ID}","__proto__":"x"}`));
    expect(fromObject.error).toBe('invalid_request');
  });

  it('pushed parameters: copied into a null-prototype object; a __proto__ one is refused', async () => {
    const stored = { response_type: 'code', scope: 'openid' };
    const par = (parameters: Record<string, unknown>) =>
      makeVerifier(keys, { pushedAuthorizationRequests: async () => ({ parameters }) });
    const requestUri = 'urn:ietf:params:oauth:request_uri:abc';
    const { parameters } = await par(stored).verify(query({ client_id: CLIENT_ID, request_uri: requestUri }));
    safeCopy(parameters);
    expect(parameters).not.toBe(stored);
    expect({ ...parameters }).toEqual(stored);
    const err = await refusal(par(JSON.parse('{"scope":"openid","__proto__":{"x":1}}')), query({ client_id: CLIENT_ID, request_uri: requestUri }));
    expect(err.error).toBe('invalid_request');
  });
});

describe('authorizationErrorResponse never throws and never redirects to a dangerous scheme', () => {
  const err = () => new AuthorizationRequestError('invalid_request_object', 'aud', 'the request object aud is wrong');

  it.each([
    'not a url',
    '',
    '/relative/cb',
    'javascript:alert(document.domain)',
    'JavaScript:alert(1)',
    'javascript://client.example.org/%0Aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'blob:https://client.example.org/0f8e',
    'file:///etc/passwd',
    'about:blank',
    'mailto:user@example.org',
    'urn:example:cb',
    'com.example.app:cb',
  ])('%j → the direct 400, no Location', async (redirectUri) => {
    let res: Response | undefined;
    expect(() => (res = authorizationErrorResponse(err(), { redirectUri }))).not.toThrow();
    expect(res!.status).toBe(400);
    expect(res!.headers.get('location')).toBeNull();
    expect((await res!.json()).error).toBe('invalid_request_object');
  });

  it.each([
    ['a private-use scheme (RFC 8252 §7.1)', 'com.example.app:/oauth2redirect', 'com.example.app:/oauth2redirect?'],
    ['a custom scheme with an authority', 'myapp://callback', 'myapp://callback?'],
    ['https', 'https://client.example.org/cb', 'https://client.example.org/cb?'],
    ['a loopback http URL (RFC 8252 §7.3)', 'http://127.0.0.1:8080/cb', 'http://127.0.0.1:8080/cb?'],
  ])('%s is redirected to', (_, redirectUri, prefix) => {
    const res = authorizationErrorResponse(err(), { redirectUri, state: 's' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')!.startsWith(prefix)).toBe(true);
  });

  it('options of the wrong type do not make it throw', () => {
    expect(() => authorizationErrorResponse(err(), { redirectUri: 42 as never, state: Symbol('s') as never })).not.toThrow();
    expect(() => authorizationErrorResponse(err(), { redirectUri: 'https://client.example.org/cb', state: Symbol('s') as never })).not.toThrow();
    expect(() => authorizationErrorResponse(err(), null as never)).not.toThrow();
  });
});

describe('validateClientMetadata never echoes the submitted value', () => {
  it.each([
    ['request_object_signing_alg', 'Call +1-555-0100 "now"'],
    ['request_object_encryption_alg', 'Call +1-555-0100 "now"'],
    ['request_object_encryption_alg', JSON.parse(`{"x":${'['.repeat(20_000)}1${']'.repeat(20_000)}}`)],
  ])('%s', (field, value) => {
    let caught: unknown;
    try {
      validateClientMetadata({ [field]: value, jwks: { keys: [] } });
    } catch (err) {
      caught = err;
    }
    expect((caught as { field?: string }).field).toBe(field);
    const description = (caught as { error_description: string }).error_description;
    expect(description).not.toContain('555');
    expect(description).not.toContain('"');
  });
});

describe('registration values are named only when they are algorithm names', () => {
  it('a registered request_object_signing_alg that is not an alg name is not echoed', async () => {
    const verifier = makeVerifier(keys, {}, clientFor(keys, { request_object_signing_alg: 'Call +1-555-0100' }));
    const err = await refusal(verifier, req(await es256(claims())));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'header']);
    expect(err.error_description).not.toContain('555');
  });
});

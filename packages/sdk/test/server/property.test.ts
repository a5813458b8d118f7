// Property: whatever JSON a request object's header and claims hold (deep, wide, odd types,
// __proto__ keys, huge strings), the verifier answers with an AuthorizationRequestError of a 4xx
// status (never server_error) whose error_description is in the RFC 6749 §4.1.2.1 character set
// and within the length cap, or accepts the request. Objects are signed with the client's
// registered key, so that they get past the signature to the claim checks.
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestError, MAX_ERROR_DESCRIPTION_LENGTH, type RequestObjectVerifier } from '../../src/server.js';
import {
  CLIENT_ID,
  ERROR_DESCRIPTION_CHARSET,
  b64url,
  claims,
  makeKeys,
  makeVerifier,
  query,
  signText,
  type Keys,
} from '../helpers/verifier-fixtures.js';

let keys: Keys;
let verifiers: RequestObjectVerifier[];
beforeAll(async () => {
  keys = await makeKeys();
  verifiers = [
    makeVerifier(keys),
    makeVerifier(keys, { mergeQueryParameters: true, allowUnsigned: true }),
    makeVerifier(keys, { profile: 'fapi2', clockTolerance: 300 }),
  ];
});


/** Runs one request through a verifier and checks the property. */
async function holds(verifier: RequestObjectVerifier, q: URLSearchParams): Promise<void> {
  try {
    await verifier.verify(q);
  } catch (err) {
    expect(err).toBeInstanceOf(AuthorizationRequestError);
    const e = err as AuthorizationRequestError;
    expect(e.error, `${e.check}: ${e.error_description}`).not.toBe('server_error');
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
    expect(e.error_description).toMatch(ERROR_DESCRIPTION_CHARSET);
    expect(e.error_description.length).toBeLessThanOrEqual(MAX_ERROR_DESCRIPTION_LENGTH);
  }
}

// Names the verifier reads, so that odd values land on real checks, plus __proto__.
const key = fc.oneof(
  fc.constantFrom('__proto__', 'typ', 'alg', 'kid', 'enc', 'crit', 'b64', 'cty', 'zip', 'jku', 'jwk', 'x5c',
    'iss', 'aud', 'client_id', 'exp', 'nbf', 'iat', 'jti', 'sub', 'request', 'request_uri', 'redirect_uri',
    'scope', 'state', 'max_age', 'claims', 'authorization_details', 'resource', 'constructor', 'toString'),
  fc.string({ maxLength: 12 }),
);
const huge = fc.integer({ min: 1000, max: 30_000 }).map((n) => 'x"\\\r\n<'.repeat(Math.ceil(n / 6)).slice(0, n));
const value = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.double(), fc.integer(), fc.string(), huge,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
})).json;
const members = fc.dictionary(key, value, { maxKeys: 8 });
/** JSON text of an object: its members, optionally a member nested `depth` deep (text, as JSON.stringify would overflow). */
const objectText = (base: Record<string, unknown>, extra: Record<string, unknown>, depth: number) => {
  const body = JSON.stringify({ ...base, ...extra });
  if (depth === 0) return body;
  const deep = `${'['.repeat(depth)}0${']'.repeat(depth)}`;
  return body === '{}' ? `{"deep":${deep}}` : `{"deep":${deep},${body.slice(1)}`;
};
const depth = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 15_000 }));

describe('property: any header and claims JSON gives a typed 4xx refusal with a safe description, or an acceptance', () => {
  it('signed with the registered key (reaches the claim checks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          keepHeader: fc.boolean(),
          header: members,
          headerDepth: depth,
          keepClaims: fc.boolean(),
          claims: members,
          claimsDepth: depth,
          verifier: fc.nat(2),
        }),
        async (c) => {
          const header = c.keepHeader ? { ...c.header, alg: 'ES256', kid: 'c1' } : c.header;
          const base = c.keepClaims ? claims() : {};
          const jws = await signText(objectText({ alg: 'ES256', kid: 'c1' }, header, c.headerDepth), objectText(base, c.claims, c.claimsDepth), keys.es256.privateKey);
          await holds(verifiers[c.verifier]!, query({ client_id: CLIENT_ID, request: jws }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('unsigned, encrypted-looking and garbage objects (the early steps)', async () => {
    const segment = fc.oneof(fc.base64String({ maxLength: 40 }).map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '')), members.map((m) => b64url(JSON.stringify(m))));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
          fc.tuple(members, members).map(([h, p]) => `${b64url(JSON.stringify({ ...h, alg: 'none' }))}.${b64url(JSON.stringify({ ...claims(), ...p }))}.`),
          fc.tuple(members, fc.array(segment, { minLength: 4, maxLength: 4 })).map(([h, rest]) => [b64url(JSON.stringify(h)), ...rest].join('.')),
        ),
        fc.dictionary(key, fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })), { maxKeys: 4 }),
        fc.nat(2),
        async (request, extra, v) => {
          const q = new URLSearchParams();
          for (const [k, val] of Object.entries(extra)) for (const item of Array.isArray(val) ? val : [val]) q.append(k, item);
          q.set('client_id', CLIENT_ID);
          q.set('request', request);
          await holds(verifiers[v]!, q);
        },
      ),
      { numRuns: 300 },
    );
  });
});

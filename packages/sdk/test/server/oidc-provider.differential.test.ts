// Differential test: the same hostile request objects go to oidc-provider (on 127.0.0.1)
// and to RequestObjectVerifier; the verifier must refuse at least everything oidc-provider refuses.
import * as fc from 'fast-check';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestError, RequestObjectVerifier, type ClientMetadata } from '../../src/server.js';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { encrypt, makeKeys, sign, signRaw, unsigned, type Keys } from '../helpers/verifier-fixtures.js';

let keys: Keys;
let op: TestProvider;
let issuer: string;
let verifier: RequestObjectVerifier;
const REDIRECT = 'https://client.example.org/cb';
const clients: Record<string, ClientMetadata> = {};

beforeAll(async () => {
  keys = await makeKeys();
  const common = {
    client_secret: keys.secret,
    redirect_uris: [REDIRECT],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    jwks: { keys: [keys.es256.publicJwk] },
  };
  clients['client-1'] = { client_id: 'client-1', ...common };
  clients['client-alg'] = { client_id: 'client-alg', ...common, request_object_signing_alg: 'PS256' };
  op = await startProvider({ clients: Object.values(clients) as never, clockTolerance: 10 });
  issuer = op.issuer;
  verifier = new RequestObjectVerifier({ issuer, getClient: (id) => clients[id], clockTolerance: 10, decryptionKeys: { keys: [keys.rsaEnc.privateJwk] } });
});
afterAll(() => op?.close());

type Outcome = 'accepted' | 'refused';

async function providerOutcome(clientId: string, request: string): Promise<Outcome> {
  const url = new URL('/auth', issuer);
  url.search = new URLSearchParams({ client_id: clientId, request, response_type: 'code', scope: 'openid' }).toString();
  // accepted: the provider moves on to its login interaction; refused: an error redirect or page
  return (await op.authorize(url)).accepted ? 'accepted' : 'refused';
}

async function verifierOutcome(clientId: string, request: string): Promise<Outcome> {
  try {
    await verifier.verify(new URLSearchParams({ client_id: clientId, request, response_type: 'code', scope: 'openid' }));
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(AuthorizationRequestError);
    return 'refused';
  }
}

function now() {
  return Math.floor(Date.now() / 1000);
}
function good(extra: Record<string, unknown> = {}, clientId = 'client-1') {
  const t = now();
  const c: Record<string, unknown> = {
    iss: clientId, aud: issuer, client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: REDIRECT,
    state: 'st', iat: t, nbf: t, exp: t + 300, jti: `j${Math.random()}`, ...extra,
  };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete c[k];
  return c;
}

/** The hostile corpus: [name, client, request object]. */
async function corpus(): Promise<Array<[string, string, string]>> {
  const es = keys.es256.privateKey;
  const hs = new TextEncoder().encode(keys.secret);
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const t = now();
  const valid = await sign(good(), es);
  const [vh, vp, vs] = valid.split('.');
  return [
    ['valid ES256', 'client-1', valid],
    ['valid HS256 with the client secret', 'client-1', await sign(good(), hs, { alg: 'HS256' })],
    ['alg none', 'client-1', unsigned(good())],
    ['signed by an unregistered key', 'client-1', await sign(good(), keys.other.privateKey)],
    ['unregistered key embedded as header jwk', 'client-1', await sign(good(), keys.other.privateKey, { alg: 'ES256', jwk: keys.other.publicJwk })],
    ['HS256 with a wrong secret', 'client-1', await sign(good(), new TextEncoder().encode('x'.repeat(48)), { alg: 'HS256' })],
    ['HS256 keyed with the public JWK', 'client-1', await sign(good(), new TextEncoder().encode(JSON.stringify(keys.es256.publicJwk)), { alg: 'HS256' })],
    ['RS256 with a key type the client never registered', 'client-1', await sign(good(), rsa.privateKey, { alg: 'RS256' })],
    ['alg other than the registered request_object_signing_alg', 'client-alg', await sign(good({}, 'client-alg'), es)],
    ['aud of another server', 'client-1', await sign(good({ aud: 'https://other.example' }), es)],
    ['aud missing', 'client-1', await sign(good({ aud: undefined }), es)],
    ['aud with a trailing slash', 'client-1', await sign(good({ aud: `${issuer}/` }), es)],
    ['iss of another client', 'client-1', await sign(good({ iss: 'client-alg' }), es)],
    ['iss missing', 'client-1', await sign(good({ iss: undefined }), es)],
    ['client_id claim of another client', 'client-1', await sign(good({ client_id: 'client-alg' }), es)],
    ['client_id claim missing', 'client-1', await sign(good({ client_id: undefined }), es)],
    ['expired', 'client-1', await sign(good({ exp: t - 120 }), es)],
    ['nbf in the future', 'client-1', await sign(good({ nbf: t + 600 }), es)],
    ['iat in the future', 'client-1', await sign(good({ iat: t + 600 }), es)],
    ['exp as a string', 'client-1', await sign(good({ exp: String(t + 300) }), es)],
    ['request inside the object', 'client-1', await sign(good({ request: valid }), es)],
    ['request_uri inside the object', 'client-1', await sign(good({ request_uri: 'https://x.example/r' }), es)],
    ['sub equal to client_id', 'client-1', await sign(good({ sub: 'client-1' }), es)],
    ['typ at+jwt', 'client-1', await sign(good(), es, { alg: 'ES256', typ: 'at+jwt' })],
    ['unknown crit extension', 'client-1', await signRaw({ alg: 'ES256', crit: ['x-ext'], 'x-ext': 1 }, good(), es)],
    ['b64 false', 'client-1', await signRaw({ alg: 'ES256', b64: false, crit: ['b64'] }, good(), es)],
    ['tampered payload', 'client-1', `${vh}.${Buffer.from(JSON.stringify(good({ scope: 'openid admin' }))).toString('base64url')}.${vs}`],
    ['signature stripped', 'client-1', `${vh}.${vp}.`],
    ['payload is JSON but not an object', 'client-1', await sign('[1,2,3]' as never, es)],
    ['payload is not JSON', 'client-1', await sign('not json' as never, es)],
    ['max_age not a number', 'client-1', await sign(good({ max_age: 'soon' }), es)],
    ['claims not an object', 'client-1', await sign(good({ claims: 'x' }), es)],
    ['encrypted claims without a signature', 'client-1', await encrypt(JSON.stringify(good()), keys.rsaEnc.publicKey)],
    ['garbage', 'client-1', 'not-a-jwt'],
    ['four segments', 'client-1', 'a.b.c.d'],
    ['empty', 'client-1', ''],
  ];
}

describe('differential: oidc-provider vs RequestObjectVerifier', () => {
  it('the verifier refuses everything oidc-provider refuses (hand-made hostile corpus)', async () => {
    const rows: Array<{ case: string; oidcProvider: Outcome; verifier: Outcome }> = [];
    for (const [name, clientId, request] of await corpus()) {
      rows.push({ case: name, oidcProvider: await providerOutcome(clientId, request), verifier: await verifierOutcome(clientId, request) });
    }
    // both accept the valid objects: the comparison is not vacuous
    expect(rows.filter((r) => r.case.startsWith('valid'))).toEqual([
      { case: 'valid ES256', oidcProvider: 'accepted', verifier: 'accepted' },
      { case: 'valid HS256 with the client secret', oidcProvider: 'accepted', verifier: 'accepted' },
    ]);
    const missed = rows.filter((r) => r.oidcProvider === 'refused' && r.verifier === 'accepted');
    expect(missed).toEqual([]);
    // where the two differ, the verifier is the stricter one (logged for the report)
    const stricter = rows.filter((r) => r.oidcProvider === 'accepted' && r.verifier === 'refused').map((r) => r.case);
    console.info(`verifier stricter than oidc-provider on: ${stricter.join('; ') || '(none)'}`);
  }, 60_000);

  it('the verifier refuses everything oidc-provider refuses (random mutations of a valid object)', async () => {
    const valid = await sign(good(), keys.es256.privateKey);
    const mutations = fc.sample(
      fc.tuple(fc.nat(valid.length - 1), fc.constantFrom(...'Aa0-_.'.split('')), fc.nat(3)),
      { numRuns: 120, seed: 9101 },
    );
    const missed: string[] = [];
    let refusedByProvider = 0;
    for (const [at, ch, len] of mutations) {
      const mutated = valid.slice(0, at) + ch.repeat(len) + valid.slice(at + 1);
      if (mutated === valid) continue;
      const p = await providerOutcome('client-1', mutated);
      const v = await verifierOutcome('client-1', mutated);
      if (p === 'refused') refusedByProvider++;
      if (p === 'refused' && v === 'accepted') missed.push(`${at}:${ch}x${len}`);
    }
    expect(refusedByProvider).toBeGreaterThan(50);
    expect(missed).toEqual([]);
  }, 120_000);
});

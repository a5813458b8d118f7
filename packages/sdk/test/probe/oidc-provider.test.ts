// The probe against oidc-provider 9 on 127.0.0.1: as it ships with signed request objects required,
// the same made strict through its own assertJwtClaimsAndHeader hook, and with weaker settings.
// Each block asserts which cases come out as what.
import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAuthorizationServer, type ProbeReport } from '../../src/probe.js';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { CLIENT_ID, REDIRECT_URI, clientKey, ids, verdicts } from './fixtures.js';

const key = await clientKey();
const client = {
  client_id: CLIENT_ID,
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [key.publicJwk] },
} as const;

const probe = (op: TestProvider, extra: object = {}) =>
  probeAuthorizationServer({ issuer: op.issuer, clientId: CLIENT_ID, key: key.privateJwk, redirectUri: REDIRECT_URI, ...extra });

const BASELINES = ['baseline-nested', 'baseline-par', 'baseline-value'];
// What no configuration of oidc-provider 9 fetches: it dropped request_uri by reference.
const SKIPPED = ['baseline-reference'];

describe('oidc-provider 9 as it ships (signed request objects required)', () => {
  let op: TestProvider;
  let report: ProbeReport;
  beforeAll(async () => {
    op = await startProvider({ requireSignedRequestObject: true, clients: [client as never] });
    report = await probe(op);
  });
  afterAll(() => op?.close());

  it('accepts every baseline, so the refusals mean something', () => {
    expect(report.baselinesAccepted).toBe(true);
    expect(BASELINES.map((id) => verdicts(report)[id])).toEqual(['pass', 'pass', 'pass']);
    expect(ids(report, 'skip')).toEqual(SKIPPED);
  });

  it('reports what it lets through: typ of another JWT, replay, b64: false, a far-future iat', () => {
    // oidc-provider 9 does not check typ (RFC 9101 §10.8), keeps no jti record, decodes the claims
    // without honouring b64 while jose verifies the signature with it, and does not bound iat.
    expect(ids(report, 'fail')).toEqual(['b64-false', 'iat-future', 'replay', 'typ-at', 'typ-dpop']);
    expect(report.summary.failures).toBe(5);
  });

  it('refuses everything else with the expected error code', () => {
    expect(ids(report, 'warn')).toEqual([]);
    const refused = report.results.filter((r) => r.kind === 'hostile' && r.verdict === 'pass');
    expect(refused.map((r) => r.id)).toEqual(
      expect.arrayContaining(['alg-none', 'alg-none-None', 'jwe-unsigned-payload', 'jwe-rsa1_5', 'header-jwk', 'header-jku', 'header-x5c', 'hs256-public-key', 'aud-par-endpoint', 'aud-trailing-slash', 'request-uri-unregistered', 'plain-request', 'outside-parameters']),
    );
    const alg = report.results.find((r) => r.id === 'alg-none')!;
    expect(alg).toMatchObject({ status: 303, error: 'invalid_request_object', expected: 'refused (invalid_request_object)' });
  });

  it('with --profile fapi2, also reports the FAPI 2.0 rules it does not enforce', async () => {
    const fapi = await probe(op, { profile: 'fapi2' });
    expect(fapi.delivery).toBe('par');
    expect(fapi.baselinesAccepted).toBe(true);
    // Without oidc-provider's own FAPI profile: no lifetime bound, nbf optional, the registered
    // redirect_uri used when the object names none. typ and b64 are not checked at the PAR endpoint
    // either; a pushed replay is caught by nothing.
    expect(ids(fapi, 'fail')).toEqual(['b64-false', 'fapi2-lifetime', 'fapi2-no-nbf', 'fapi2-no-redirect-uri', 'iat-future', 'replay', 'typ-at', 'typ-dpop']);
    expect(verdicts(fapi)['fapi2-rs256']).toBe('skip'); // the client key is an EC key
  });

  it('stays within its bounds: one request per case (two for replay), nothing follows a redirect', () => {
    expect(report.requests).toBeLessThan(60);
    expect(report.results.every((r) => !/interaction\/.*\?/.test(r.observed))).toBe(true);
  });
});

describe('oidc-provider 9 made strict through assertJwtClaimsAndHeader', () => {
  let op: TestProvider;
  let report: ProbeReport;
  beforeAll(async () => {
    const seen = new Set<string>();
    op = await startProvider({
      requireSignedRequestObject: true,
      clients: [client as never],
      assertJwtClaimsAndHeader(ctx, claims, header, c) {
        // RFC 9101 §10.8, RFC 8725 §3.11: explicit typing.
        if (header.typ !== 'oauth-authz-req+jwt') throw new errors.InvalidRequestObject('typ must be oauth-authz-req+jwt');
        // RFC 7797: an unencoded payload is no JWT; RFC 7515 §4.1.11: no extension is understood.
        if ('b64' in header || 'crit' in header) throw new errors.InvalidRequestObject('crit and b64 are not supported');
        const now = Math.floor(Date.now() / 1000);
        if (typeof claims.iat !== 'number' || claims.iat > now + 10) throw new errors.InvalidRequestObject('iat must be a number, not in the future');
        // FAPI 2.0 Message Signing §5.3.2: exp and nbf, at most 60 minutes apart; redirect_uri.
        if (typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') throw new errors.InvalidRequestObject('exp and nbf are required');
        if (claims.exp - claims.nbf > 3600) throw new errors.InvalidRequestObject('the lifetime exceeds 60 minutes');
        if (typeof claims.redirect_uri !== 'string') throw new errors.InvalidRequest('redirect_uri is required');
        // Replay: each jti once per client. A pushed object is checked at the PAR endpoint and
        // again when its request_uri is used; only the push counts.
        const pushed = 'PushedAuthorizationRequest' in (ctx as { oidc: { entities: object } }).oidc.entities;
        if (!pushed) {
          if (typeof claims.jti !== 'string') throw new errors.InvalidRequestObject('jti is required');
          const id = `${(c as { clientId: string }).clientId} ${claims.jti}`;
          if (seen.has(id)) throw new errors.InvalidRequestObject('request object replayed');
          seen.add(id);
        }
      },
    });
    report = await probe(op);
  });
  afterAll(() => op?.close());

  it('accepts every baseline and refuses every hostile case with the expected code', () => {
    expect(report.baselinesAccepted).toBe(true);
    expect(ids(report, 'fail')).toEqual([]);
    expect(ids(report, 'warn')).toEqual([]);
    expect(ids(report, 'skip')).toEqual(SKIPPED);
    expect(verdicts(report).replay).toBe('pass');
    expect(report.results.find((r) => r.id === 'typ-dpop')).toMatchObject({ error: 'invalid_request_object', verdict: 'pass' });
  });

  it('with --profile fapi2 (the hook also enforces FAPI 2.0): every case refused', async () => {
    const fapi = await probe(op, { profile: 'fapi2' });
    expect(fapi.delivery).toBe('par');
    expect(fapi.baselinesAccepted).toBe(true);
    expect(ids(fapi, 'fail')).toEqual([]);
    expect(ids(fapi, 'warn')).toEqual([]);
    expect(verdicts(fapi)['fapi2-lifetime']).toBe('pass');
  });
});

describe('oidc-provider 9 with weaker settings: plain requests allowed, an hour of clock tolerance', () => {
  let op: TestProvider;
  let report: ProbeReport;
  beforeAll(async () => {
    op = await startProvider({ requireSignedRequestObject: false, clockTolerance: 3600, clients: [client as never] });
    report = await probe(op);
  });
  afterAll(() => op?.close());

  it('reports exactly what those settings let through', () => {
    expect(report.baselinesAccepted).toBe(true);
    // The hour of tolerance lets the expired and the not-yet-valid object in; the rest is what the
    // shipped configuration lets through.
    expect(ids(report, 'fail')).toEqual(['b64-false', 'exp-past', 'iat-future', 'nbf-future', 'replay', 'typ-at', 'typ-dpop']);
    // A plain request is accepted: a warning, since the server does not claim to require objects.
    expect(ids(report, 'warn')).toEqual(['plain-request']);
    expect(report.results.find((r) => r.id === 'plain-request')!.observed).toMatch(/does not require request objects/);
    expect(ids(report, 'skip')).toEqual(SKIPPED);
  });
});

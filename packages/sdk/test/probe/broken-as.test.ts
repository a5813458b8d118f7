// The probe against a deliberately broken authorization server (test/helpers/broken-as.ts): each of
// its three holes is reported as a failure under the right case, and nothing else fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAuthorizationServer, type ProbeReport } from '../../src/probe.js';
import { startBrokenAs, type BrokenAs } from '../helpers/broken-as.js';
import { CLIENT_ID, REDIRECT_URI, clientKey, ids, verdicts } from './fixtures.js';

describe('a broken AS: accepts alg none, ignores aud, fetches any request_uri', () => {
  let as: BrokenAs;
  let report: ProbeReport;
  beforeAll(async () => {
    const key = await clientKey();
    as = await startBrokenAs({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, jwk: key.publicJwk });
    report = await probeAuthorizationServer({ issuer: as.issuer, clientId: CLIENT_ID, key: key.privateJwk, redirectUri: REDIRECT_URI });
  });
  afterAll(() => as?.close());

  it('accepts its baselines (by value, and by reference through the canary)', () => {
    expect(report.baselinesAccepted).toBe(true);
    expect(verdicts(report)['baseline-value']).toBe('pass');
    expect(verdicts(report)['baseline-reference']).toBe('pass');
  });

  it('reports each hole as a failure under its case, and nothing else', () => {
    expect(ids(report, 'fail')).toEqual([
      'alg-none', // hole 1 (the other spellings are refused)
      'aud-missing', // hole 2, in each of its forms
      'aud-other-issuer',
      'aud-token-endpoint',
      'aud-trailing-slash',
      'request-uri-unregistered', // hole 3
    ]);
    expect(ids(report, 'warn')).toEqual([]);
  });

  it('says why the request_uri case failed: the canary saw the fetch', () => {
    const r = report.results.find((x) => x.id === 'request-uri-unregistered')!;
    expect(r.observed).toMatch(/fetched \/unregistered\/\S+ from the canary/);
    // The request_uri inside an object and the jku header were not followed.
    expect(verdicts(report)['request-uri-inside']).toBe('pass');
    expect(verdicts(report)['header-jku']).toBe('pass');
  });
});

describe('a broken AS that fetches any request_uri, then refuses what it fetched', () => {
  it('still fails the case: the fetch itself is the hole (RFC 9101 §10.4)', async () => {
    const key = await clientKey();
    const as = await startBrokenAs({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, jwk: key.publicJwk }, 'refuse-after-fetch');
    try {
      const report = await probeAuthorizationServer({ issuer: as.issuer, clientId: CLIENT_ID, key: key.privateJwk, redirectUri: REDIRECT_URI });
      const r = report.results.find((x) => x.id === 'request-uri-unregistered')!;
      expect(r).toMatchObject({ verdict: 'fail', error: 'invalid_request_uri' });
      expect(r.observed).toMatch(/^refused: 302 to the redirect_uri: invalid_request_uri; fetched \/unregistered\/\S+ from the canary$/);
    } finally {
      await as.close();
    }
  });
});

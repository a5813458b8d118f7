// The probe against the repository's own example authorization server
// (packages/examples/authorization-server, built on oauth-jar/server): everything passes.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs example without type declarations
import { createAuthorizationServer } from '../../../examples/authorization-server/server.mjs';
import { toNodeHandler } from '../../src/node.js';
import { probeAuthorizationServer, type ProbeReport } from '../../src/probe.js';
import { close, listen } from '../helpers/loopback.js';
import { CLIENT_ID, REDIRECT_URI, clientKey, ids, verdicts } from './fixtures.js';

describe('the example authorization server (oauth-jar/server)', () => {
  let server: Server;
  let report: ProbeReport;
  beforeAll(async () => {
    server = createServer();
    const issuer = await listen(server);
    const key = await clientKey();
    const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const asKey = { kid: 'as-enc-1', alg: 'RSA-OAEP-256', use: 'enc' };
    const handler = createAuthorizationServer({
      issuer,
      clients: { [CLIENT_ID]: { client_id: CLIENT_ID, redirect_uris: [REDIRECT_URI], jwks: { keys: [key.publicJwk] } } },
      decryptionKeys: { keys: [{ ...(await exportJWK(enc.privateKey)), ...asKey }] },
      jwks: { keys: [{ ...(await exportJWK(enc.publicKey)), ...asKey }] },
    });
    server.on('request', toNodeHandler(handler));
    report = await probeAuthorizationServer({ issuer, clientId: CLIENT_ID, key: key.privateJwk, redirectUri: REDIRECT_URI });
  });
  afterAll(() => close(server));

  it('accepts the baselines it offers and refuses every hostile case with the expected code', () => {
    expect(verdicts(report)['baseline-value']).toBe('pass');
    expect(verdicts(report)['baseline-nested']).toBe('pass');
    expect(report.baselinesAccepted).toBe(true);
    expect(ids(report, 'fail')).toEqual([]);
    expect(ids(report, 'warn')).toEqual([]);
    expect(report.summary.passed).toBeGreaterThan(25);
  });

  it('skips only what it does not offer or what cannot be observed', () => {
    expect(ids(report, 'skip')).toEqual([
      'aud-par-endpoint', // no PAR endpoint
      'aud-token-endpoint', // no token endpoint
      'baseline-par',
      'baseline-reference', // its request_uri guards refuse the http loopback canary, without fetching it
    ]);
    // It answers prompt=none with login_required and the object's state, so the probe can tell
    // which parameters it acted on.
    expect(ids(report, 'pass')).toContain('outside-parameters');
  });
});

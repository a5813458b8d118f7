// The authorization server's side of integration testing: `oauth-jar/probe` as a test (and the
// `oauth-jar probe` command as a CI step, see README.md). Here the server under test is the
// repository's example authorization server on 127.0.0.1; in your suite it is yours, started the
// same way, with a test client registered for the probe's key and redirect URI.
// Run it: pnpm --filter @oauth-jar/examples integration-testing
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { toNodeHandler } from 'oauth-jar/node';
import { formatProbeReport, probeAuthorizationServer } from 'oauth-jar/probe';
import { createAuthorizationServer } from '../authorization-server/server.mjs';
import { close, generateJwkPair, listen } from '../shared/util.mjs';

const server = createServer();
let issuer;
const probeKey = await generateJwkPair('ES256', 'probe-key-1');

before(async () => {
  issuer = await listen(server);
  const asKey = await generateJwkPair('RSA-OAEP-256', 'as-enc-1');
  server.on(
    'request',
    toNodeHandler(
      createAuthorizationServer({
        issuer,
        // The probe's test client: its public key and a redirect URI the probe never follows.
        clients: { 'probe-client': { client_id: 'probe-client', redirect_uris: ['https://rp.example/cb'], jwks: { keys: [probeKey.publicJwk] } } },
        decryptionKeys: { keys: [asKey.privateJwk] },
        jwks: { keys: [asKey.publicJwk] },
      }),
    ),
  );
});
after(() => close(server));

test('the authorization server refuses every hostile request object', async () => {
  const report = await probeAuthorizationServer({
    issuer,
    clientId: 'probe-client',
    key: probeKey.privateJwk,
    redirectUri: 'https://rp.example/cb',
  });
  // The table says which case failed, its spec section, what was expected and what came back.
  assert.equal(report.baselinesAccepted, true, formatProbeReport(report));
  assert.equal(report.summary.failures, 0, formatProbeReport(report));
  assert.ok(report.results.some((r) => r.id === 'alg-none' && r.verdict === 'pass'));
});

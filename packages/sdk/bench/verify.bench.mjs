// Verify ops/s: oauth-jar's RequestObjectVerifier next to raw jose.jwtVerify doing the same checks
// (ES256 signature with the client's JWKS, alg allow-list, iss, aud, exp/nbf/iat, client_id).
// Target (docs/performance.md): the verifier runs at >= 0.90 of raw jose.
import { CompactSign, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';

/**
 * Adds the verify tasks to a tinybench `Bench`.
 * @param {import('tinybench').Bench} bench
 * @param {Promise<any>} [serverModule] the `oauth-jar/server` module (default: as Node resolves it)
 */
export async function benchVerify(bench, serverModule) {
  const { RequestObjectVerifier } = await (serverModule ?? import('oauth-jar/server'));
  const issuer = 'https://as.example.com';
  const clientId = 'bench-client';
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const client = { client_id: clientId, jwks };
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: clientId, aud: issuer, client_id: clientId, response_type: 'code', scope: 'openid',
    redirect_uri: 'https://client.example.org/cb', state: 'abc', iat: now, nbf: now, exp: now + 3600, jti: 'bench',
  };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'oauth-authz-req+jwt' })
    .sign(privateKey);

  const verifier = new RequestObjectVerifier({ issuer, getClient: (id) => (id === clientId ? client : undefined) });
  const query = new URLSearchParams({ client_id: clientId, request: jws });
  const keySet = createLocalJWKSet(jwks);

  // warm both paths (key import caches) and prove they accept the object
  await verifier.verify(query);
  await jwtVerify(jws, keySet, { algorithms: ['ES256'], issuer: clientId, audience: issuer, clockTolerance: 10 });

  bench
    .add('verify: oauth-jar RequestObjectVerifier.verify', async () => {
      await verifier.verify(new URLSearchParams({ client_id: clientId, request: jws }));
    })
    .add('verify: raw jose.jwtVerify (same checks)', async () => {
      const q = new URLSearchParams({ client_id: clientId, request: jws });
      const { payload } = await jwtVerify(q.get('request'), keySet, {
        algorithms: ['ES256'], issuer: clientId, audience: issuer, clockTolerance: 10,
      });
      if (payload.client_id !== q.get('client_id')) throw new Error('client_id');
    });
  return bench;
}

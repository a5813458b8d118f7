// Starts the example's two servers on 127.0.0.1: oidc-provider (the AS) and the node-rp.
import { createServer } from 'node:http';
import { close, generateJwkPair, listen, startOidcProvider } from '../shared/oidc-provider.mjs';
import { createRelyingParty } from './rp.mjs';

export async function start() {
  const clientKey = await generateJwkPair('ES256', 'node-rp-sig');
  const clientSecret = crypto.randomUUID();
  const rpServer = createServer();
  const rp = await listen(rpServer);

  const as = await startOidcProvider({
    clients: () => [
      {
        client_id: 'node-rp',
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [`${rp}/cb`],
        jwks: { keys: [clientKey.publicJwk] }, // verifies the request objects
        request_object_signing_alg: 'ES256',
        require_signed_request_object: true, // RFC 9101 §10.5: this client only sends JARs
      },
    ],
  });

  rpServer.on(
    'request',
    createRelyingParty({ issuer: as.issuer, origin: rp, clientId: 'node-rp', clientSecret, signingKey: clientKey.privateJwk }),
  );
  return { rp, issuer: as.issuer, close: () => Promise.all([as.close(), close(rpServer)]) };
}

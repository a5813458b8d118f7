// oidc-provider as a FAPI 2.0 Message Signing authorization server on 127.0.0.1: the `fapi` profile
// 2.0 (PAR, PKCE S256, signed request objects), DPoP that demands a server nonce, and JWT-secured
// authorization responses (JARM). Its users sign in with any name and password.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { close, generateJwkPair, listen } from '../shared/oidc-provider.mjs'; // also quiets oidc-provider's dev notices

const { default: Provider } = await import('oidc-provider');

/** Starts the AS; `clients(issuer)` gives the registered clients (RFC 7591 names). */
export async function startFapiProvider({ clients }) {
  const server = createServer();
  const issuer = await listen(server);
  const signing = await generateJwkPair('ES256', 'as-sig-1'); // signs ID tokens and JARM responses
  const pushes = { count: 0 };

  const provider = new Provider(issuer, {
    clients: clients(issuer),
    jwks: { keys: [signing.privateJwk] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    clientAuthMethods: ['private_key_jwt'],
    scopes: ['openid', 'accounts'],
    responseTypes: ['code'],
    features: {
      fapi: { enabled: true, profile: '2.0' },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }, // RFC 9449 §8
      jwtResponseModes: { enabled: true }, // JARM
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      requestObjects: { enabled: true, requireSignedRequestObject: true },
      devInteractions: { enabled: true },
    },
    enabledJWA: {
      requestObjectSigningAlgValues: ['PS256', 'ES256', 'EdDSA'],
      clientAuthSigningAlgValues: ['PS256', 'ES256', 'EdDSA'],
      authorizationSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA'],
    },
    clockTolerance: 5,
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/request') pushes.count++;
    callback(req, res);
  });
  return { issuer, pushes, close: () => close(server) };
}

// The embedded authorization server of the demo and the node-rp example: a real oidc-provider (v9)
// on 127.0.0.1, with request objects (RFC 9101), request object encryption and PAR (RFC 9126) on.
// Nothing to configure: its keys are made on the spot and its users sign in with any name.
import { createServer } from 'node:http';
import { close, generateJwkPair, listen } from './util.mjs';

export { close, generateJwkPair, listen };

// oidc-provider announces its development-only conveniences (in-memory adapter, devInteractions,
// Node 20) on the console. They are true and expected here, so the examples keep them out of
// their own output. Everything else is still printed.
const quietly = (log) => (...args) => {
  // On a TTY oidc-provider wraps them in colour codes first.
  if (typeof args[0] === 'string' && /^(\x1b\[[\d;]*m)?oidc-provider (WARNING|NOTICE):/.test(args[0])) return;
  log(...args);
};
console.warn = quietly(console.warn.bind(console));
console.info = quietly(console.info.bind(console));
const { default: Provider } = await import('oidc-provider');

/**
 * Starts oidc-provider on 127.0.0.1.
 *
 * @param {object} options
 * @param {(issuer: string) => object[]} options.clients The registered clients (RFC 7591 names), given the issuer.
 * @param {Record<string, (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown>} [options.routes]
 *   Extra routes on the same origin, by path (e.g. an endpoint built on oauth-jar/server).
 */
export async function startOidcProvider({ clients, routes = {} }) {
  const server = createServer();
  const issuer = await listen(server);

  // RS256 signs ID tokens (oidc-provider's default); the RSA-OAEP-256 key is the one clients
  // encrypt request objects to (published with use "enc" in the jwks_uri).
  const signing = await generateJwkPair('RS256', 'as-sig-1');
  const encryption = await generateJwkPair('RSA-OAEP-256', 'as-enc-1');

  const provider = new Provider(issuer, {
    clients: clients(issuer),
    jwks: { keys: [signing.privateJwk, encryption.privateJwk] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    features: {
      requestObjects: { enabled: true },
      encryption: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      devInteractions: { enabled: true },
    },
    enabledJWA: {
      requestObjectEncryptionAlgValues: ['RSA-OAEP-256', 'ECDH-ES+A256KW'],
      requestObjectEncryptionEncValues: ['A256GCM', 'A128GCM'],
      requestObjectSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'],
    },
    clockTolerance: 5,
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const route = routes[new URL(req.url, issuer).pathname];
    if (!route) return callback(req, res);
    Promise.resolve(route(req, res)).catch((err) => {
      console.error(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  return {
    issuer,
    provider,
    /** The AS's private request-object decryption key (for an oauth-jar/server endpoint on the same AS). */
    encryptionPrivateJwk: encryption.privateJwk,
    /** The AS's public encryption key, as its jwks_uri publishes it. */
    encryptionPublicJwk: encryption.publicJwk,
    close: () => close(server),
  };
}

/**
 * Follows an authorize URL one hop (no redirects): accepted when oidc-provider moves on to its
 * login interaction, the point at which it has accepted every authorization request parameter.
 */
export async function oidcProviderVerdict(issuer, url) {
  const res = await fetch(url, { redirect: 'manual' });
  const body = await res.text();
  const location = res.headers.get('location') ?? undefined;
  const target = location ? new URL(location, issuer) : undefined;
  if (target?.origin === issuer && target.pathname.startsWith('/interaction/')) {
    return { accepted: true, interaction: target.pathname };
  }
  const query = target ? new URLSearchParams(target.search || target.hash.slice(1)) : undefined;
  return {
    accepted: false,
    status: res.status,
    error: query?.get('error') ?? /error:\s*([a-z_]+)/.exec(body)?.[1],
    error_description: query?.get('error_description') ?? /error_description:\s*([^\n<]+)/.exec(body)?.[1]?.trim(),
  };
}

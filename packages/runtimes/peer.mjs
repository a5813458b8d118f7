// The peer of the runtime smoke suite: a real oidc-provider (v9) on 127.0.0.1, in Node, with
// request objects (RFC 9101), request object encryption and PAR (RFC 9126) on, and one client that
// signs its request objects and its PAR client assertions with an ES256 key.
import { createServer } from 'node:http';

// oidc-provider announces its development-only conveniences on the console (in-memory adapter,
// devInteractions): expected here, and kept out of the suite's one-line-per-runtime output.
const quietly = (/** @type {(...args: unknown[]) => void} */ log) => (/** @type {unknown[]} */ ...args) => {
  if (typeof args[0] === 'string' && /^(\x1b\[[\d;]*m)?oidc-provider (WARNING|NOTICE):/.test(args[0])) return;
  log(...args);
};
console.warn = quietly(console.warn.bind(console));
console.info = quietly(console.info.bind(console));
const { default: Provider } = await import('oidc-provider');

const CLIENT_ID = 'runtime-smoke';

/**
 * A fresh key pair as JWKs, with `kid` and `alg`.
 *
 * @param {RsaHashedKeyGenParams | EcKeyGenParams} params
 * @param {KeyUsage[]} usages
 * @param {string} kid
 * @param {string} alg
 */
async function jwkPair(params, usages, kid, alg) {
  const { publicKey, privateKey } = /** @type {CryptoKeyPair} */ (await crypto.subtle.generateKey(params, true, usages));
  const clean = (/** @type {JsonWebKey} */ jwk) => {
    const { key_ops: _ops, ext: _ext, ...rest } = jwk;
    return { ...rest, kid, alg };
  };
  return { publicJwk: clean(await crypto.subtle.exportKey('jwk', publicKey)), privateJwk: clean(await crypto.subtle.exportKey('jwk', privateKey)) };
}

/**
 * Starts the authorization server and registers the smoke client.
 *
 * @returns {Promise<{ config: { issuer: string, clientId: string, redirectUri: string, asEncryptionKid: string, clientPrivateJwk: JsonWebKey & { kid: string } }, authorize: (url: string) => Promise<{ accepted: boolean, error?: string, error_description?: string }>, close: () => Promise<void> }>}
 */
export async function startPeer() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  const issuer = `http://127.0.0.1:${port}`;

  const rsaGen = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const oaepGen = { ...rsaGen, name: 'RSA-OAEP' };
  // RS256 signs ID tokens (oidc-provider's default); RSA-OAEP-256 is the key clients encrypt
  // request objects to, published with use "enc" in the jwks_uri.
  const signing = await jwkPair(rsaGen, ['sign', 'verify'], 'as-sig', 'RS256');
  const encryption = await jwkPair(oaepGen, ['encrypt', 'decrypt'], 'as-enc', 'RSA-OAEP-256');
  const client = await jwkPair({ name: 'ECDSA', namedCurve: 'P-256' }, ['sign', 'verify'], 'smoke-sig', 'ES256');
  const redirectUri = `${issuer}/cb`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        jwks: { keys: [{ ...client.publicJwk, use: 'sig' }] },
        request_object_signing_alg: 'ES256',
      },
    ],
    jwks: { keys: /** @type {never} */ ([signing.privateJwk, { ...encryption.privateJwk, use: 'enc' }]) },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    features: {
      requestObjects: { enabled: true },
      encryption: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      devInteractions: { enabled: true },
    },
    enabledJWA: {
      requestObjectEncryptionAlgValues: ['RSA-OAEP-256'],
      requestObjectEncryptionEncValues: ['A256GCM'],
      requestObjectSigningAlgValues: ['ES256'],
    },
    clockTolerance: 5,
  });
  server.on('request', provider.callback());

  return {
    config: { issuer, clientId: CLIENT_ID, redirectUri, asEncryptionKid: encryption.publicJwk.kid, clientPrivateJwk: /** @type {JsonWebKey & { kid: string }} */ (client.privateJwk) },
    /** Follows the authorization URL one hop: accepted when oidc-provider moves on to its login interaction. */
    async authorize(url) {
      if (new URL(url).origin !== issuer) return { accepted: false, error: 'wrong_origin', error_description: url };
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
      const body = await res.text();
      const location = res.headers.get('location');
      const target = location ? new URL(location, issuer) : undefined;
      if (target?.origin === issuer && target.pathname.startsWith('/interaction/')) return { accepted: true };
      const query = target ? new URLSearchParams(target.search || target.hash.slice(1)) : undefined;
      return {
        accepted: false,
        error: query?.get('error') ?? /error:\s*([a-z_]+)/.exec(body)?.[1] ?? `HTTP ${res.status}`,
        error_description: query?.get('error_description') ?? /error_description:\s*([^\n<]+)/.exec(body)?.[1]?.trim() ?? '',
      };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

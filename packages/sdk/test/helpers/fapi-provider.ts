// oidc-provider as a FAPI 2.0 Message Signing authorization server on 127.0.0.1: the `fapi` profile
// 2.0, PAR required, signed request objects required, DPoP with a nonce secret (so every DPoP proof
// needs a server nonce, RFC 9449 §8), mTLS client authentication and certificate-bound tokens
// (RFC 8705) on a second, https listener that asks for client certificates, and JWT-secured
// authorization responses (JARM). The same provider answers on both listeners; the https one is
// published as the server's mtls_endpoint_aliases (RFC 8705 §5).
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { makeCertificates, type TestCertificates } from './certs.js';
import { close, listen } from './loopback.js';

export interface FapiProvider {
  issuer: string;
  /** The https origin that asks for client certificates (the mTLS endpoint aliases). */
  mtlsOrigin: string;
  provider: Provider;
  certs: TestCertificates;
  /** The provider's public signing keys (its jwks_uri). */
  jwks: { keys: JWK[] };
  /** The provider's private signing keys, for tests that forge or re-sign responses. */
  privateJwks: { keys: JWK[] };
  /** Requests seen per listener and path: `POST /request` (http), `mtls POST /request` (https). */
  hits: Map<string, number>;
  addClient(client: ClientMetadata): void;
  close(): Promise<void>;
}

async function signingKey(alg: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `as-${alg.toLowerCase()}`;
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function memoryAdapter(clients: Map<string, ClientMetadata>) {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const byUid = new Map<string, string>();
  const live = (key: string | undefined) => {
    const entry = key === undefined ? undefined : store.get(key);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    return entry.payload;
  };
  return class MemoryAdapter {
    constructor(readonly model: string) {}
    key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (typeof payload.uid === 'string') byUid.set(payload.uid, this.key(id));
    }
    async find(id: string) {
      return this.model === 'Client' ? clients.get(id) : live(this.key(id));
    }
    async findByUid(uid: string) {
      return live(byUid.get(uid));
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const entry = live(this.key(id));
      if (entry) entry.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}

const peerCertificate = (req: IncomingMessage) => {
  const socket = req.socket as Partial<TLSSocket>;
  const raw = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate()?.raw : undefined;
  return raw ? new X509Certificate(raw) : undefined;
};

/** Starts the FAPI 2.0 provider on 127.0.0.1 (http) and its mTLS aliases (https). */
export async function startFapiProvider(clients: ClientMetadata[] = []): Promise<FapiProvider> {
  const certs = makeCertificates();
  const server: Server = createServer();
  const issuer = await listen(server);
  const tls: HttpsServer = createHttpsServer({ cert: certs.server.cert, key: certs.server.key, ca: certs.ca, requestCert: true, rejectUnauthorized: false });
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  const mtlsOrigin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;

  const ps = await signingKey('PS256');
  const es = await signingKey('ES256');
  const registry = new Map<string, ClientMetadata>();
  for (const c of clients) registry.set(c.client_id, c);

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(registry),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    jwks: { keys: [ps.privateJwk, es.privateJwk] as never },
    clientAuthMethods: ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'],
    features: {
      fapi: { enabled: true, profile: '2.0' },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: (ctx) => peerCertificate(ctx.req) as never,
        // The https listener checked the chain against the test CA (requestCert with `ca`).
        certificateAuthorized: (ctx) => (ctx.req.socket as TLSSocket).authorized === true,
        certificateSubjectMatches: (ctx, property, expected) =>
          property === 'tls_client_auth_subject_dn' && peerCertificate(ctx.req)?.subject === expected,
      },
      jwtResponseModes: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      requestObjects: { enabled: true, requireSignedRequestObject: true },
      devInteractions: { enabled: true },
    },
    enabledJWA: {
      requestObjectSigningAlgValues: ['PS256', 'ES256', 'EdDSA'],
      clientAuthSigningAlgValues: ['PS256', 'ES256', 'EdDSA'],
      authorizationSigningAlgValues: ['PS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA'],
    },
    discovery: {
      // RFC 8705 §5: where a client that presents a certificate goes.
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsOrigin}/token`,
        pushed_authorization_request_endpoint: `${mtlsOrigin}/request`,
      },
    },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'accounts'],
    clockTolerance: 5,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  });
  for (const id of registry.keys()) {
    await provider.Client.find(id).catch((err: { error_description?: string }) => {
      throw new Error(`oidc-provider refuses the test client ${id}: ${err.error_description ?? String(err)}`, { cause: err });
    });
  }
  const hits = new Map<string, number>();
  const callback = provider.callback();
  const handle = (prefix: string) => (req: IncomingMessage, res: Parameters<typeof callback>[1]) => {
    const key = `${prefix}${req.method} ${new URL(req.url!, issuer).pathname}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    return callback(req, res);
  };
  server.on('request', handle(''));
  tls.on('request', handle('mtls '));

  return {
    issuer,
    mtlsOrigin,
    provider,
    certs,
    jwks: { keys: [ps.publicJwk, es.publicJwk] as JWK[] },
    privateJwks: { keys: [ps.privateJwk, es.privateJwk] as JWK[] },
    hits,
    addClient: (client) => void registry.set(client.client_id, client),
    close: async () => {
      tls.closeAllConnections();
      await Promise.all([close(server), new Promise((resolve) => tls.close(resolve))]);
    },
  };
}

/**
 * Just enough browser for oidc-provider's login and consent forms: one cookie jar, redirects
 * followed by hand up to the client's redirect_uri (never fetched: it is another origin).
 */
export function browser(issuer: string, fetchImpl: typeof fetch = fetch) {
  const jar = new Map<string, string>();
  async function go(url: URL, init: RequestInit = {}): Promise<{ url: URL; status: number; body: string }> {
    if (url.origin !== new URL(issuer).origin) return { url, status: 0, body: '' };
    const res = await fetchImpl(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const name = pair!.slice(0, pair!.indexOf('=')).trim();
      const value = pair!.slice(pair!.indexOf('=') + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      return go(new URL(location, url));
    }
    return { url, status: res.status, body: await res.text() };
  }
  async function submit(page: { url: URL; body: string }, fields: Record<string, string>) {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1];
    if (!action) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
    const form = new URLSearchParams();
    for (const [, name, value] of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(name!, value!);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return go(new URL(action.replace(/&amp;/g, '&'), page.url), { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  /** Follows an authorization URL through login and consent; returns where the AS sent the user (the callback URL). */
  async function login(url: URL, user = 'alice'): Promise<URL> {
    const loginPage = await go(url);
    if (!/name="login"/.test(loginPage.body)) throw new Error(`no login form at ${loginPage.url} (HTTP ${loginPage.status}): ${loginPage.body.slice(0, 300)}`);
    const consentPage = await submit(loginPage, { login: user, password: 'any' });
    const done = consentPage.status === 0 ? consentPage : await submit(consentPage, {});
    if (done.status !== 0) throw new Error(`the AS did not redirect to the client: HTTP ${done.status} ${done.body.slice(0, 300)}`);
    return done.url;
  }
  return { go, submit, login, jar };
}

// The one oidc-provider test peer: a real, certified authorization server on 127.0.0.1, in one of
// two profiles.
// - `jar` (the default): request objects (RFC 9101), request object encryption and PAR (RFC 9126)
//   enabled. Interop tests send what the SDK builds to it and check that it reaches the login
//   interaction, the point at which oidc-provider has accepted every authorization request parameter.
// - `fapi2`: FAPI 2.0 Message Signing: oidc-provider's `fapi` profile 2.0, PAR required, signed
//   request objects required, DPoP with a nonce secret (so every DPoP proof needs a server nonce,
//   RFC 9449 §8), mTLS client authentication and certificate-bound tokens (RFC 8705) on a second,
//   https listener that asks for client certificates, and JWT-secured authorization responses
//   (JARM). The same provider answers on both listeners; the https one is published as the
//   server's mtls_endpoint_aliases (RFC 8705 §5).
import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { makeCertificates, type TestCertificates } from './certs.js';
import { close, listen } from './loopback.js';

export interface KeyPairJwk {
  /** Public JWK, as published in the provider's jwks_uri. */
  publicJwk: JWK;
  /** The private JWK (the provider holds it). */
  privateJwk: JWK;
}

export interface StartProviderOptions {
  /** `jar` (default) or `fapi2`: see the top of this file. */
  profile?: 'jar' | 'fapi2';
  /** Clients in oidc-provider (RFC 7591) names. */
  clients?: ClientMetadata[];
  /** Server-wide `require_signed_request_object` (`jar`; `fapi2` always requires it). */
  requireSignedRequestObject?: boolean;
  /** Require PAR for every authorization request (`jar`; `fapi2` always requires it). */
  requirePushedAuthorizationRequests?: boolean;
  /** oidc-provider's `features.requestObjects.assertJwtClaimsAndHeader` hook (extra request object checks). */
  assertJwtClaimsAndHeader?: (ctx: unknown, claims: Record<string, unknown>, header: Record<string, unknown>, client: unknown) => unknown;
  /** `clockTolerance` in seconds. @default 5 */
  clockTolerance?: number;
}

export interface AuthorizeOutcome {
  /** True when oidc-provider moved on to its login interaction: it accepted the request. */
  accepted: boolean;
  status: number;
  location: string | undefined;
  /** The OAuth error, from the error redirect or the error page. */
  error: string | undefined;
  error_description: string | undefined;
}

/** What every profile offers. */
interface Peer {
  issuer: string;
  provider: Provider;
  /** The provider's public JWKS, as served at its jwks_uri. */
  jwks: { keys: JWK[] };
  /** The provider's private keys, for tests that forge or re-sign responses. */
  privateJwks: { keys: JWK[] };
  /** Requests seen per listener and path: `POST /request` (http), `mtls POST /request` (https, `fapi2`). */
  hits: Map<string, number>;
  /** Adds (or replaces) a client at run time. */
  addClient(client: ClientMetadata): void;
  /** Follows one authorize URL (no redirects) and reports whether the provider accepted it. */
  authorize(url: string | URL): Promise<AuthorizeOutcome>;
  close(): Promise<void>;
}

/** The `jar` profile. */
export interface TestProvider extends Peer {
  /** The provider's request object encryption keys (use `enc`). */
  encryptionKeys: { rsa: KeyPairJwk; ec: KeyPairJwk };
}

/** The `fapi2` profile. */
export interface FapiProvider extends Peer {
  /** The https origin that asks for client certificates (the mTLS endpoint aliases). */
  mtlsOrigin: string;
  certs: TestCertificates;
}

async function keyPair(alg: string, options: { crv?: string } = {}, extra: Partial<JWK> = {}, kid = `as-${alg.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`): Promise<KeyPairJwk> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return {
    publicJwk: { ...(await exportJWK(publicKey)), kid, ...extra },
    privateJwk: { ...(await exportJWK(privateKey)), kid, ...extra },
  };
}

/**
 * oidc-provider's storage contract (docs/configuration.md#adapter) on Maps: the `Client` model
 * reads the test's client map, every other model (sessions, interactions, PAR objects…) is kept
 * in memory with its expiry.
 */
function memoryAdapter(clients: Map<string, ClientMetadata>) {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const live = (key: string | undefined) => {
    const entry = key === undefined ? undefined : store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) return void store.delete(key!);
    return entry.payload;
  };
  return class MemoryAdapter {
    constructor(readonly model: string) {}
    key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      const key = this.key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (typeof payload.uid === 'string') byUid.set(payload.uid, key);
      if (typeof payload.userCode === 'string') byUserCode.set(payload.userCode, key);
    }
    async find(id: string) {
      if (this.model === 'Client') return clients.get(id);
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      return live(byUid.get(uid));
    }
    async findByUserCode(userCode: string) {
      return live(byUserCode.get(userCode));
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

/** A profile: its keys, its part of the configuration, and any listener of its own. */
interface Profile {
  keys: KeyPairJwk[];
  configuration: Configuration;
  /** Further listeners of the same provider, by the prefix their hits are counted under. */
  listeners?: Array<[prefix: string, server: HttpsServer]>;
  extra: object;
  close?: () => Promise<void>;
}

async function jarProfile(options: StartProviderOptions): Promise<Profile> {
  // RS256 first: it is oidc-provider's default id_token_signed_response_alg for clients.
  const rs = await keyPair('RS256', {}, { use: 'sig', alg: 'RS256' });
  const sig = await keyPair('ES256', {}, { use: 'sig', alg: 'ES256' });
  const rsa = await keyPair('RSA-OAEP-256', {}, { use: 'enc', alg: 'RSA-OAEP-256' });
  const ec = await keyPair('ECDH-ES+A256KW', { crv: 'P-256' }, { use: 'enc', alg: 'ECDH-ES+A256KW' });
  return {
    keys: [rs, sig, rsa, ec],
    configuration: {
      features: {
        requestObjects: {
          enabled: true,
          requireSignedRequestObject: options.requireSignedRequestObject ?? false,
          ...(options.assertJwtClaimsAndHeader ? { assertJwtClaimsAndHeader: options.assertJwtClaimsAndHeader as never } : {}),
        },
        encryption: { enabled: true },
        pushedAuthorizationRequests: {
          enabled: true,
          requirePushedAuthorizationRequests: options.requirePushedAuthorizationRequests ?? false,
        },
      },
      enabledJWA: {
        requestObjectEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW', 'A128KW', 'A256KW', 'dir'],
        requestObjectEncryptionEncValues: ['A128CBC-HS256', 'A128GCM', 'A256CBC-HS512', 'A256GCM'],
        requestObjectSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
      },
      pkce: { required: () => false },
    },
    extra: { encryptionKeys: { rsa, ec } },
  };
}

const peerCertificate = (req: IncomingMessage) => {
  const socket = req.socket as Partial<TLSSocket>;
  const raw = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate()?.raw : undefined;
  return raw ? new X509Certificate(raw) : undefined;
};

async function fapi2Profile(): Promise<Profile> {
  const certs = makeCertificates();
  const tls: HttpsServer = createHttpsServer({ cert: certs.server.cert, key: certs.server.key, ca: certs.ca, requestCert: true, rejectUnauthorized: false });
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  const mtlsOrigin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  const ps = await keyPair('PS256', {}, { alg: 'PS256', use: 'sig' }, 'as-ps256');
  const es = await keyPair('ES256', {}, { alg: 'ES256', use: 'sig' }, 'as-es256');
  return {
    keys: [ps, es],
    configuration: {
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
    },
    listeners: [['mtls ', tls]],
    extra: { mtlsOrigin, certs },
    close: async () => {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    },
  };
}

/**
 * Starts oidc-provider on 127.0.0.1 on a free port, in the `jar` profile unless told `fapi2`.
 *
 * @example
 * ```ts
 * const op = await startProvider({ clients: [{ client_id: 'c', token_endpoint_auth_method: 'none', redirect_uris: [CB], jwks }] });
 * expect((await op.authorize(request.url)).accepted).toBe(true);
 * await op.close();
 * ```
 */
export async function startProvider(options: StartProviderOptions & { profile: 'fapi2' }): Promise<FapiProvider>;
export async function startProvider(options?: StartProviderOptions & { profile?: 'jar' }): Promise<TestProvider>;
export async function startProvider(options: StartProviderOptions = {}): Promise<TestProvider | FapiProvider> {
  const server: Server = createServer();
  const issuer = await listen(server);
  const profile = options.profile === 'fapi2' ? await fapi2Profile() : await jarProfile(options);

  const clients = new Map<string, ClientMetadata>();
  for (const c of options.clients ?? []) clients.set(c.client_id, c);

  const provider = new Provider(issuer, {
    // Clients come from a live map through the adapter, so tests can add some after start;
    // oidc-provider asks the adapter's `Client` model for every client it does not hold statically.
    adapter: memoryAdapter(clients),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    jwks: { keys: profile.keys.map((k) => k.privateJwk) as never },
    clockTolerance: options.clockTolerance ?? 5,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    ...profile.configuration,
    features: { devInteractions: { enabled: true }, ...profile.configuration.features },
  });
  // Validate every configured client now, so a bad fixture fails here and not as a confusing
  // invalid_client later.
  for (const id of clients.keys()) {
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
  for (const [prefix, listener] of profile.listeners ?? []) listener.on('request', handle(prefix));

  const peer: Peer = {
    issuer,
    provider,
    jwks: { keys: profile.keys.map((k) => k.publicJwk) },
    privateJwks: { keys: profile.keys.map((k) => k.privateJwk) },
    hits,
    addClient(client) {
      clients.set(client.client_id, client);
    },
    async authorize(url) {
      const res = await fetch(url, { redirect: 'manual' });
      const body = await res.text();
      const location = res.headers.get('location') ?? undefined;
      const target = location ? new URL(location, issuer) : undefined;
      const accepted = (res.status === 302 || res.status === 303) && target?.origin === issuer && target.pathname.startsWith('/interaction/');
      let error: string | undefined;
      let description: string | undefined;
      if (target && !accepted) {
        const params = new URLSearchParams(target.search || target.hash.slice(1));
        error = params.get('error') ?? undefined;
        description = params.get('error_description') ?? undefined;
      } else if (!accepted) {
        // oidc-provider's error page: <pre>error: …\nerror_description: …</pre>
        error = /error:\s*([a-z_]+)/.exec(body)?.[1];
        description = /error_description:\s*([^\n<]+)/.exec(body)?.[1]?.trim();
      }
      return { accepted, status: res.status, location, error, error_description: description };
    },
    close: async () => {
      await Promise.all([close(server), profile.close?.()]);
    },
  };
  return { ...peer, ...profile.extra } as TestProvider | FapiProvider;
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

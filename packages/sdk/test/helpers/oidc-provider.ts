// The shared oidc-provider harness: a real, certified authorization server on 127.0.0.1 with
// request objects (RFC 9101), request object encryption and PAR (RFC 9126) enabled. Interop tests
// send what the SDK builds to it and check that it reaches the login interaction, the point at
// which oidc-provider has accepted every authorization request parameter.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { close, listen } from './loopback.js';

export interface KeyPairJwk {
  /** Public JWK, as published in the provider's jwks_uri. */
  publicJwk: JWK;
  /** The private JWK (the provider holds it). */
  privateJwk: JWK;
}

export interface StartProviderOptions {
  /** Clients in oidc-provider (RFC 7591) names. */
  clients?: ClientMetadata[];
  /** Server-wide `require_signed_request_object`. */
  requireSignedRequestObject?: boolean;
  /** Require PAR for every authorization request. */
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

export interface TestProvider {
  issuer: string;
  provider: Provider;
  /** The provider's request object encryption keys (use `enc`). */
  encryptionKeys: { rsa: KeyPairJwk; ec: KeyPairJwk };
  /** The provider's public JWKS, as served at its jwks_uri. */
  jwks: { keys: JWK[] };
  /** Adds (or replaces) a client at run time. */
  addClient(client: ClientMetadata): void;
  /** Follows one authorize URL (no redirects) and reports whether the provider accepted it. */
  authorize(url: string | URL): Promise<AuthorizeOutcome>;
  close(): Promise<void>;
}

async function keyPair(alg: string, options: { crv?: string } = {}, extra: Partial<JWK> = {}): Promise<KeyPairJwk> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const kid = `as-${alg.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`;
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

/**
 * Starts oidc-provider on 127.0.0.1 on a free port.
 *
 * @example
 * ```ts
 * const op = await startProvider({ clients: [{ client_id: 'c', token_endpoint_auth_method: 'none', redirect_uris: [CB], jwks }] });
 * expect((await op.authorize(request.url)).accepted).toBe(true);
 * await op.close();
 * ```
 */
export async function startProvider(options: StartProviderOptions = {}): Promise<TestProvider> {
  const server: Server = createServer();
  const issuer = await listen(server);

  // RS256 first: it is oidc-provider's default id_token_signed_response_alg for clients.
  const rs = await keyPair('RS256', {}, { use: 'sig', alg: 'RS256' });
  const sig = await keyPair('ES256', {}, { use: 'sig', alg: 'ES256' });
  const rsa = await keyPair('RSA-OAEP-256', {}, { use: 'enc', alg: 'RSA-OAEP-256' });
  const ec = await keyPair('ECDH-ES+A256KW', { crv: 'P-256' }, { use: 'enc', alg: 'ECDH-ES+A256KW' });

  const clients = new Map<string, ClientMetadata>();
  for (const c of options.clients ?? []) clients.set(c.client_id, c);

  const provider = new Provider(issuer, {
    // Clients come from a live map through the adapter, so tests can add some after start;
    // oidc-provider asks the adapter's `Client` model for every client it does not hold statically.
    adapter: memoryAdapter(clients),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    jwks: { keys: [rs.privateJwk, sig.privateJwk, rsa.privateJwk, ec.privateJwk] as never },
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
      devInteractions: { enabled: true },
    },
    enabledJWA: {
      requestObjectEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW', 'A128KW', 'A256KW', 'dir'],
      requestObjectEncryptionEncValues: ['A128CBC-HS256', 'A128GCM', 'A256CBC-HS512', 'A256GCM'],
      requestObjectSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
    },
    pkce: { required: () => false },
    clockTolerance: options.clockTolerance ?? 5,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  });
  // Validate every configured client now, so a bad fixture fails here and not as a confusing
  // invalid_client later.
  for (const id of clients.keys()) {
    await provider.Client.find(id).catch((err: { error_description?: string }) => {
      throw new Error(`oidc-provider refuses the test client ${id}: ${err.error_description ?? String(err)}`, { cause: err });
    });
  }

  server.on('request', provider.callback());

  return {
    issuer,
    provider,
    encryptionKeys: { rsa, ec },
    jwks: { keys: [rs.publicJwk, sig.publicJwk, rsa.publicJwk, ec.publicJwk] },
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
    close: () => close(server),
  };
}

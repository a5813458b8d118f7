import { REQUEST_OBJECT_TYP } from '../client/builder.js';
import type { AuthorizationServerMetadata } from '../client/discovery.js';
import type { SigningAlg } from '../crypto/algorithms.js';
import { randomToken, sha256b64u } from '../crypto/encoding.js';
import { encryptCompact } from '../crypto/encrypt.js';
import { signCompact } from '../crypto/sign.js';
import type { JWK } from '../crypto/types.js';
import { OAuthJarError, ResponseError } from '../errors.js';
import { request } from '../http/client.js';
import { PushedAuthorizationRequestPublisher } from '../publishers/par.js';
import { printable, readAnswer, type Observation } from './answer.js';
import type { ProbeCanary, ProbeOptions } from './types.js';


/** The server's encryption key and the algorithms the baselines use with it. */
export interface Encryption {
  key: JWK;
  alg: string;
  enc: string;
}

/** Everything a case needs: the server, the client, and the ways to send a request object. */
export class ProbeContext {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly key: JWK;
  readonly publicJwk: JWK;
  readonly alg: string;
  readonly profile: 'fapi2' | undefined;
  readonly metadata: AuthorizationServerMetadata;
  readonly encryption: Encryption | undefined;
  /** The server's public encryption keys (from its jwks_uri). */
  readonly encryptionKeys: readonly JWK[];
  readonly canary: ProbeCanary | undefined;
  readonly delivery: 'value' | 'par';
  readonly options: ProbeOptions;
  readonly #fetch: typeof fetch;
  readonly #par: PushedAuthorizationRequestPublisher | undefined;
  readonly #endpoint: URL;

  constructor(init: {
    options: ProbeOptions;
    metadata: AuthorizationServerMetadata;
    alg: string;
    encryption: Encryption | undefined;
    encryptionKeys: readonly JWK[];
    canary: ProbeCanary | undefined;
    delivery: 'value' | 'par';
    fetch: typeof fetch;
  }) {
    const { options, metadata } = init;
    this.options = options;
    this.issuer = options.issuer;
    this.clientId = options.clientId;
    this.redirectUri = options.redirectUri;
    this.scope = options.scope ?? 'openid';
    this.key = options.key;
    this.publicJwk = publicHalf(options.key);
    this.alg = init.alg;
    this.profile = options.profile;
    this.metadata = metadata;
    this.encryption = init.encryption;
    this.encryptionKeys = init.encryptionKeys;
    this.canary = init.canary;
    this.delivery = init.delivery;
    this.#fetch = init.fetch;
    this.#endpoint = new URL(metadata.authorization_endpoint!);
    const parEndpoint = metadata.pushed_authorization_request_endpoint;
    this.#par =
      parEndpoint === undefined
        ? undefined
        : new PushedAuthorizationRequestPublisher({
            endpoint: parEndpoint,
            issuer: this.issuer,
            clientAuth:
              (options.clientAuth ?? 'private_key_jwt') === 'none'
                ? { method: 'none' }
                : { method: 'private_key_jwt', key: this.key, alg: this.alg as SigningAlg },
            timeout: options.timeout ?? 10_000,
            fetch: init.fetch,
          });
  }

  get hasPar(): boolean {
    return this.#par !== undefined;
  }

  /**
   * A fresh, valid claims set (RFC 9101 §4): every parameter, `iss`, `aud` = the issuer, `client_id`,
   * a five-minute lifetime, a new `jti`, `state` and `nonce`, PKCE S256 (RFC 7636).
   */
  async claims(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.clientId,
      aud: this.issuer,
      client_id: this.clientId,
      response_type: 'code',
      redirect_uri: this.redirectUri,
      scope: this.scope,
      state: randomToken(12),
      nonce: randomToken(12),
      code_challenge: await sha256b64u(randomToken(32)),
      code_challenge_method: 'S256',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomToken(16),
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    return claims;
  }

  /** Signs with the client's registered key; `header` members replace the usual ones (`undefined` drops one). */
  sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    return signCompact(claims, this.key, this.header(header) as { alg: string });
  }

  /** The usual JWS header (RFC 9101 §10.8 `typ`, the key's `kid`) with `header` applied. */
  header(header: Record<string, unknown> = {}): Record<string, unknown> {
    const h: Record<string, unknown> = { alg: this.alg, typ: REQUEST_OBJECT_TYP, ...(this.key.kid ? { kid: this.key.kid } : {}) };
    for (const [name, value] of Object.entries(header)) {
      if (value === undefined) delete h[name];
      else h[name] = value;
    }
    return h;
  }

  /** Encrypts to the server's `enc` key (a nested JWT, RFC 7519 §11.2, `cty: "JWT"`). */
  encrypt(plaintext: string, header: Record<string, unknown> = { cty: 'JWT' }): Promise<string> {
    const e = this.encryption!;
    return encryptCompact(plaintext, e.key, { alg: e.alg, enc: e.enc, ...(e.key.kid ? { kid: e.key.kid } : {}), ...header });
  }

  /** Encrypts with `alg` to `key`, whatever `alg` the key itself names (for the downgrade cases). */
  encryptWith(plaintext: string, key: JWK, alg: string): Promise<string> {
    const { alg: _alg, use: _use, key_ops: _ops, ...bare } = key;
    return encryptCompact(plaintext, bare, { alg, enc: this.encryption?.enc ?? 'A256GCM', cty: 'JWT', ...(key.kid ? { kid: key.kid } : {}) });
  }

  /** The query parameters an OIDC Core §6.1 client repeats outside the object. */
  outside(): Record<string, string> {
    return { client_id: this.clientId, response_type: 'code', scope: this.scope };
  }

  /**
   * Sends a request object the usual way (by value, or pushed when the server requires PAR or the
   * profile is FAPI 2.0) and reads the answer. `query` members are added to (or, `undefined`,
   * removed from) the authorization URL.
   */
  send(object: string, opts: { delivery?: 'value' | 'par'; query?: Record<string, string | undefined> } = {}): Promise<Observation> {
    const delivery = opts.delivery ?? this.delivery;
    if (delivery === 'par') return this.push(object);
    return this.authorize({ ...this.outside(), request: object, ...opts.query });
  }

  /** Pushes `object` (RFC 9126 §2) and, when the PAR endpoint took it, uses its `request_uri`. */
  async push(object: string): Promise<Observation> {
    if (!this.#par) throw new OAuthJarError('ERR_MISSING_ENDPOINT', 'the server has no PAR endpoint');
    let requestUri: string;
    try {
      ({ requestUri } = await this.#par.publish(object, { clientId: this.clientId, issuer: this.issuer }));
    } catch (err) {
      if (err instanceof ResponseError && err.status !== undefined && err.status >= 400 && err.status < 500) {
        const error = printable(err.error);
        return { answer: 'refused', status: err.status, ...(error ? { error } : {}), detail: `PAR ${err.status}${error ? ` ${error}` : ''}` };
      }
      // The PAR endpoint's own words (error_description) are not repeated: only status and kind.
      const status = err instanceof ResponseError ? err.status : undefined;
      if (status !== undefined) return { answer: 'error', status, detail: `PAR answered HTTP ${status}` };
      return { answer: 'error', detail: `PAR: ${(err as Error).message}` }; // a timeout or transport failure, in our words
    }
    return this.authorize({ client_id: this.clientId, request_uri: requestUri });
  }

  /** One GET to the authorization endpoint, never following its answer. */
  async authorize(query: Record<string, string | undefined>): Promise<Observation> {
    const url = new URL(this.#endpoint);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
    try {
      const res = await request({
        method: 'GET',
        url,
        headers: { accept: 'text/html,application/json' },
        options: { timeout: this.options.timeout ?? 10_000, maxBytes: 256 * 1024, fetch: this.#fetch },
        errorCode: 'ERR_RESPONSE',
        what: 'the authorization endpoint',
      });
      return readAnswer(res, this.#endpoint, this.redirectUri);
    } catch (err) {
      return { answer: 'error', detail: (err as Error).message };
    }
  }
}

/** The public members of a private JWK (RFC 7517 §4, RFC 7518 §6). */
export function publicHalf(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, key_ops: _ops, ...pub } = jwk as JWK & { oth?: unknown };
  return pub;
}

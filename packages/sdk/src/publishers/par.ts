import { FAPI2_SIGNING_ALGS, isSigningAlg, keyMismatch, kidOf, negotiateSigningAlg, type SigningAlg } from '../crypto/algorithms.js';
import { clientAssertion } from '../crypto/assertion.js';
import { dpopAlg, dpopProof } from '../crypto/dpop.js';
import type { KeyInput } from '../crypto/types.js';
import { OAuthJarError, ResponseError } from '../errors.js';
import { jsonObject, oauthError, request, type HttpResponse } from '../http/client.js';
import { absoluteUrl, assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import type { PublishContext, RequestUriPublisher } from './types.js';

/**
 * How the client authenticates to the PAR endpoint (RFC 9126 §2.1: the same methods as at the
 * token endpoint).
 *
 * - `none`: a public client; only `client_id` is sent.
 * - `client_secret_basic`: HTTP Basic with the form-encoded client_id and secret (RFC 6749 §2.3.1).
 * - `client_secret_post`: `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1).
 * - `private_key_jwt`: a JWT assertion signed with the client's private key (RFC 7523 §2.2, OIDC
 *   Core §9), with `aud` = the authorization server's issuer identifier.
 * - `tls_client_auth` / `self_signed_tls_client_auth`: the client's TLS certificate (RFC 8705 §2);
 *   only `client_id` is sent, and the publisher's `fetch` must present the certificate
 *   (`mtlsFetch` from `oauth-jar/node`).
 */
export type ClientAuthentication =
  | { method: 'none' }
  | { method: 'tls_client_auth' | 'self_signed_tls_client_auth' }
  | { method: 'client_secret_basic' | 'client_secret_post'; clientSecret: string }
  | {
      method: 'private_key_jwt';
      /** The client's private key: a `CryptoKey`, a private JWK, or a Node.js `KeyObject`. */
      key: KeyInput;
      /**
       * The assertion's JWS algorithm, e.g. `ES256` or `PS256`. Left out, it is the first of the
       * server's `token_endpoint_auth_signing_alg_values_supported` that fits the key (the builder's
       * `.server(as)` provides the list).
       */
      alg?: SigningAlg;
      /** The assertion's `kid` header. Defaults to the JWK's own `kid`. */
      kid?: string;
      /**
       * The assertion's `aud`. Defaults to the publisher's `issuer`, then the issuer the builder
       * knows (`.audience()` / `.server(as)`), then the PAR endpoint's origin.
       */
      audience?: string;
    };

/** Options of {@link PushedAuthorizationRequestPublisher}. */
export interface PushedAuthorizationRequestPublisherOptions {
  /**
   * The AS's `pushed_authorization_request_endpoint` (RFC 9126 §5). May be left out when the
   * builder is given the server's metadata with `.server(as)`, which carries it.
   */
  endpoint?: string | URL;
  /** How the client authenticates. */
  clientAuth: ClientAuthentication;
  /**
   * The AS's issuer identifier: the `aud` of a `private_key_jwt` assertion. Defaults to what the
   * builder knows (`.audience()` with one value, `.server(as)`), then to the endpoint's origin.
   */
  issuer?: string;
  /**
   * Milliseconds for the whole exchange. The POST is never retried: a pushed request is answered
   * with a fresh single-use `request_uri` (RFC 9126 §2.2).
   * @default 5000
   */
  timeout?: number;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /**
   * A DPoP key pair (RFC 9449): every push carries a DPoP proof made with it, which binds the
   * authorization code to the key (§10.1). The private key may be non-extractable. When the
   * server demands a nonce (`400 use_dpop_nonce` with a `DPoP-Nonce` header, §8) the push is
   * retried once with it, and the newest nonce of each server is kept for the next push and for
   * the app's token request ({@link PushedAuthorizationRequestPublisher.dpopNonce}).
   */
  dpop?: CryptoKeyPair;
  /**
   * The `fetch` presents a TLS client certificate (RFC 8705): the PAR endpoint is then taken from
   * the server's `mtls_endpoint_aliases` when it lists one (§5). Implied by the `tls_client_auth`
   * and `self_signed_tls_client_auth` methods; set it for certificate-bound tokens with another
   * client authentication.
   * @default false
   */
  mtls?: boolean;
  /**
   * `'fapi2'`: FAPI 2.0 Security Profile rules for the push (§5.3.2.1: `private_key_jwt` or mTLS
   * client authentication, PS256/ES256/EdDSA assertions, a sender-constrained push with DPoP or mTLS).
   */
  profile?: 'fapi2';
}

/**
 * Pushes request objects to the authorization server's PAR endpoint (RFC 9126) and returns the
 * `request_uri` it issues, so the authorization URL carries only `client_id` and `request_uri`.
 *
 * An AS error answer becomes a {@link ResponseError} (`ERR_RESPONSE`) carrying the AS's `error`
 * and `error_description`; a timeout is `ERR_TIMEOUT`; an unreachable endpoint `ERR_PUBLISH_FAILED`.
 *
 * @example
 * ```ts
 * import { AuthorizationRequestBuilder, PushedAuthorizationRequestPublisher } from 'oauth-jar';
 *
 * const par = new PushedAuthorizationRequestPublisher({
 *   endpoint: 'https://as.example.com/par',
 *   clientAuth: { method: 'private_key_jwt', key: clientPrivateJwk, alg: 'ES256' },
 *   issuer: 'https://as.example.com',
 * });
 * const request = await new AuthorizationRequestBuilder('code', 'rp-1')
 *   .endpoint('https://as.example.com/authorize')
 *   .audience('https://as.example.com')
 *   .redirectUri('https://rp.example.com/cb')
 *   .signWith(clientPrivateJwk, { alg: 'ES256' })
 *   .publishWith(par)
 *   .build();
 * request.url; // https://as.example.com/authorize?client_id=rp-1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A…
 * ```
 *
 * @see [RFC 9126 §2](https://www.rfc-editor.org/rfc/rfc9126#section-2) Pushed Authorization Request Endpoint
 */
export class PushedAuthorizationRequestPublisher implements RequestUriPublisher {
  readonly #endpoint: URL | undefined;
  readonly #auth: ClientAuthentication;
  readonly #issuer: string | undefined;
  readonly #timeout: number | undefined;
  readonly #fetch: typeof fetch | undefined;
  readonly #profile: 'fapi2' | undefined;
  #lastNonce: string | undefined;
  readonly #dpop: CryptoKeyPair | undefined;
  readonly #mtls: boolean;
  // The newest DPoP-Nonce of each server (by origin), RFC 9449 §8.
  readonly #nonces = new Map<string, string>();

  constructor(options: PushedAuthorizationRequestPublisherOptions) {
    if (!isPlainObject(options)) throw invalid('PushedAuthorizationRequestPublisher needs an options object with "clientAuth"');
    const { endpoint, clientAuth, issuer, timeout } = options;
    this.#endpoint =
      endpoint === undefined ? undefined : absoluteUrl(endpoint, 'endpoint', { schemes: ['https:', 'http:'], fragment: false });
    this.#auth = checkAuth(clientAuth);
    if (issuer !== undefined) assertNonEmptyString(issuer, 'issuer');
    this.#issuer = issuer;
    if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) throw invalid('timeout must be a positive number of milliseconds');
    this.#timeout = timeout;
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw invalid('fetch must be a function');
    this.#fetch = options.fetch;
    const { dpop, mtls = false, profile } = options;
    if (dpop !== undefined) {
      if (typeof dpop !== 'object' || dpop === null || !isCryptoKey(dpop.privateKey) || !isCryptoKey(dpop.publicKey) || dpop.privateKey.type !== 'private' || dpop.publicKey.type !== 'public') {
        throw invalid('dpop must be a CryptoKeyPair ({ privateKey, publicKey }, e.g. from crypto.subtle.generateKey)');
      }
      if (dpopAlg(dpop.privateKey) === undefined) {
        throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `a DPoP key must be ECDSA, Ed25519 or RSA, got ${dpop.privateKey.algorithm.name}`);
      }
    }
    this.#dpop = dpop;
    if (typeof mtls !== 'boolean') throw invalid('mtls must be a boolean');
    this.#mtls = mtls || this.#auth.method === 'tls_client_auth' || this.#auth.method === 'self_signed_tls_client_auth';
    if (profile !== undefined && profile !== 'fapi2') throw invalid(`profile must be "fapi2", got "${String(profile)}"`);
    this.#profile = profile;
    if (profile === 'fapi2') {
      // FAPI 2.0 Security Profile §5.3.2.1: private_key_jwt or mTLS; §5.3.2.2: sender-constrained.
      const m = this.#auth.method;
      if (m !== 'private_key_jwt' && m !== 'tls_client_auth' && m !== 'self_signed_tls_client_auth') {
        throw new OAuthJarError('ERR_PROFILE', `FAPI 2.0 clients authenticate with private_key_jwt or mTLS, not ${m} (FAPI 2.0 Security Profile §5.3.2.1)`);
      }
      if (this.#auth.method === 'private_key_jwt' && this.#auth.alg !== undefined && !(FAPI2_SIGNING_ALGS as readonly string[]).includes(this.#auth.alg)) {
        throw new OAuthJarError('ERR_PROFILE', `FAPI 2.0 allows PS256, ES256 and EdDSA, not ${this.#auth.alg} (FAPI 2.0 Security Profile §5.4)`);
      }
      if (dpop === undefined && !this.#mtls) {
        throw new OAuthJarError('ERR_PROFILE', 'FAPI 2.0 needs sender-constrained tokens: pass "dpop" or an mTLS fetch with "mtls: true" (FAPI 2.0 Security Profile §5.3.2.2)');
      }
    }
  }

  /** The DPoP key pair given as `dpop`, for the app's token request with the same key (RFC 9449 §10.1). */
  get dpop(): CryptoKeyPair | undefined {
    return this.#dpop;
  }

  /**
   * The newest `DPoP-Nonce` that the server at `url` (or the last server pushed to) sent, for the
   * app's next DPoP proof there, e.g. at the token endpoint (RFC 9449 §8).
   *
   * @example
   * ```ts
   * const nonce = par.dpopNonce('https://as.example.com/token');
   * ```
   */
  dpopNonce(url?: string | URL): string | undefined {
    if (url === undefined) return this.#lastNonce;
    return this.#nonces.get(new URL(url).origin);
  }

  /**
   * POSTs `client_id` and `request` (plus the client authentication) form-encoded to the PAR
   * endpoint; returns the `request_uri` and `expires_in` of its 201 answer (RFC 9126 §2.2).
   */
  async publish(requestObject: string, context: PublishContext): Promise<{ requestUri: string; expiresIn: number }> {
    assertNonEmptyString(requestObject, 'request object');
    assertNonEmptyString(context?.clientId, 'clientId');
    const { clientId } = context;
    const server = context.server;
    // RFC 8705 §5: with a client certificate, the AS's mtls_endpoint_aliases take precedence.
    const aliases = this.#mtls && isPlainObject(server?.mtls_endpoint_aliases) ? server.mtls_endpoint_aliases : undefined;
    const discovered = aliases?.pushed_authorization_request_endpoint ?? context.pushedAuthorizationRequestEndpoint;
    const endpoint =
      this.#endpoint ??
      (discovered !== undefined
        ? absoluteUrl(discovered, 'pushed_authorization_request_endpoint', { schemes: ['https:', 'http:'] })
        : undefined);
    if (!endpoint) {
      throw new OAuthJarError('ERR_MISSING_ENDPOINT', 'no PAR endpoint: pass "endpoint", or give the builder the server metadata with .server(as)');
    }
    const auth = this.#auth;
    let assertionAlg: SigningAlg | undefined;
    if (auth.method === 'private_key_jwt') {
      assertionAlg = auth.alg;
      if (assertionAlg === undefined) {
        const picked = negotiateSigningAlg(auth.key, listOf(server?.token_endpoint_auth_signing_alg_values_supported), {
          allowed: this.#profile === 'fapi2' ? FAPI2_SIGNING_ALGS : undefined,
          listName: 'token_endpoint_auth_signing_alg_values_supported',
        });
        if ('error' in picked) throw new OAuthJarError('ERR_ALG_NEGOTIATION', `the client assertion: ${picked.error}`);
        assertionAlg = picked.alg;
      }
    }

    const what = 'the PAR endpoint';
    const origin = endpoint.origin;
    let res: HttpResponse | undefined;
    // RFC 9449 §8: one retry, only when the server asks for a nonce it did not have from us.
    for (let attempt = 0; attempt < 2; attempt++) {
      const { body, headers } = await this.#message(requestObject, clientId, context, endpoint, assertionAlg);
      const nonce = this.#nonces.get(origin);
      if (this.#dpop) {
        try {
          headers.dpop = await dpopProof(this.#dpop, 'POST', endpoint, { nonce });
        } catch (cause) {
          throw new OAuthJarError('ERR_SIGN_FAILED', `making the DPoP proof failed: ${(cause as Error)?.message}`, { cause });
        }
      }
      res = await request({
        method: 'POST',
        url: endpoint,
        headers,
        body,
        options: { ...(this.#timeout !== undefined ? { timeout: this.#timeout } : {}), ...(this.#fetch ? { fetch: this.#fetch } : {}) },
        errorCode: 'ERR_PUBLISH_FAILED',
        what,
      });
      const fresh = res.headers.get('dpop-nonce');
      // RFC 9449 §8: a nonce is an opaque token of base64url/printable characters; keep the newest.
      if (this.#dpop && fresh !== null && /^[\x21\x23-\x5B\x5D-\x7E]{1,1024}$/.test(fresh)) {
        this.#nonces.set(origin, fresh);
        this.#lastNonce = fresh;
        if (this.#nonces.size > 100) this.#nonces.delete(this.#nonces.keys().next().value!);
      }
      if (!(this.#dpop && res.status === 400 && fresh !== null && fresh !== nonce && errorOf(res) === 'use_dpop_nonce')) break;
    }
    // RFC 9126 §2.2: success is 201 Created; §2.3: errors use the token endpoint's format.
    if (res!.status !== 201) throw oauthError(res!, what);
    const json = jsonObject(res!, what);
    const { request_uri: requestUri, expires_in: expiresIn } = json;
    if (typeof requestUri !== 'string' || requestUri === '') {
      throw new ResponseError('ERR_RESPONSE', `${what} answered 201 without a "request_uri"`, { status: res!.status });
    }
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new ResponseError('ERR_RESPONSE', `${what} answered 201 without a positive "expires_in"`, { status: res!.status });
    }
    return { requestUri, expiresIn };
  }

  // One push's body and headers; made afresh per attempt, since a client assertion's jti is single-use.
  async #message(
    requestObject: string,
    clientId: string,
    context: PublishContext,
    endpoint: URL,
    assertionAlg: SigningAlg | undefined,
  ): Promise<{ body: URLSearchParams; headers: Record<string, string> }> {
    // RFC 9126 §3: with a request object, the pushed body is client_id and request (plus auth).
    const body = new URLSearchParams({ client_id: clientId, request: requestObject });
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.#auth;
    switch (auth.method) {
      case 'none':
      case 'tls_client_auth':
      case 'self_signed_tls_client_auth':
        break;
      case 'client_secret_basic':
        // RFC 6749 §2.3.1: both parts form-encoded before base64.
        headers.authorization = `Basic ${btoa(`${formEncode(clientId)}:${formEncode(auth.clientSecret)}`)}`;
        break;
      case 'client_secret_post':
        body.set('client_secret', auth.clientSecret);
        break;
      case 'private_key_jwt': {
        // RFC 7523 §3: aud identifies the AS; its issuer identifier is what RFC 9126 §2 and FAPI name.
        const audience = auth.audience ?? this.#issuer ?? context.issuer ?? endpoint.origin;
        const alg = assertionAlg!;
        let assertion: string;
        try {
          const kid = auth.kid ?? kidOf(auth.key);
          assertion = await clientAssertion(clientId, audience, auth.key, kid === undefined ? { alg } : { alg, kid });
        } catch (cause) {
          throw new OAuthJarError('ERR_SIGN_FAILED', `signing the client assertion with ${alg} failed: ${(cause as Error)?.message}`, { cause });
        }
        body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        body.set('client_assertion', assertion);
        break;
      }
    }
    return { body, headers };
  }
}

function listOf(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function errorOf(res: HttpResponse): string | undefined {
  try {
    const body = JSON.parse(res.text()) as { error?: unknown };
    return typeof body?.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;
}

function checkAuth(auth: unknown): ClientAuthentication {
  if (!isPlainObject(auth)) throw invalid('clientAuth must be an object with a "method"');
  switch (auth.method) {
    case 'none':
      return { method: 'none' };
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      return { method: auth.method };
    case 'client_secret_basic':
    case 'client_secret_post':
      assertNonEmptyString(auth.clientSecret, 'clientAuth.clientSecret');
      return { method: auth.method, clientSecret: auth.clientSecret };
    case 'private_key_jwt': {
      const { key, alg, kid, audience } = auth;
      if (alg !== undefined && (!isSigningAlg(alg) || alg.startsWith('HS'))) {
        throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `clientAuth.alg "${String(alg)}" is not an asymmetric signing algorithm`);
      }
      if (alg !== undefined) {
        const mismatch = keyMismatch(key as KeyInput, alg, 'sign');
        if (mismatch) throw new OAuthJarError('ERR_KEY_MISMATCH', `the client assertion key does not fit: ${mismatch}`);
      } else if (typeof key !== 'object' || key === null) {
        throw invalid('clientAuth.key must be a CryptoKey, KeyObject or private JWK');
      }
      if (kid !== undefined) assertNonEmptyString(kid, 'clientAuth.kid');
      if (audience !== undefined) assertNonEmptyString(audience, 'clientAuth.audience');
      return {
        method: 'private_key_jwt',
        key: key as KeyInput,
        ...(alg !== undefined ? { alg } : {}),
        ...(kid !== undefined ? { kid } : {}),
        ...(audience !== undefined ? { audience } : {}),
      };
    }
    default:
      throw invalid(`clientAuth.method must be none, client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth or self_signed_tls_client_auth, got "${String(auth.method)}"`);
  }
}

// application/x-www-form-urlencoded of one value (RFC 6749 Appendix B).
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

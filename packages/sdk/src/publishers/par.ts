import { isSigningAlg, keyMismatch, kidOf, type SigningAlg } from '../crypto/algorithms.js';
import { clientAssertion } from '../crypto/assertion.js';
import type { KeyInput } from '../crypto/types.js';
import { OAuthJarError, ResponseError } from '../errors.js';
import { jsonObject, oauthError, request } from '../http/client.js';
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
 */
export type ClientAuthentication =
  | { method: 'none' }
  | { method: 'client_secret_basic' | 'client_secret_post'; clientSecret: string }
  | {
      method: 'private_key_jwt';
      /** The client's private key: a `CryptoKey`, a private JWK, or a Node.js `KeyObject`. */
      key: KeyInput;
      /** The assertion's JWS algorithm, e.g. `ES256` or `PS256`. */
      alg: SigningAlg;
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
  }

  /**
   * POSTs `client_id` and `request` (plus the client authentication) form-encoded to the PAR
   * endpoint; returns the `request_uri` and `expires_in` of its 201 answer (RFC 9126 §2.2).
   */
  async publish(requestObject: string, context: PublishContext): Promise<{ requestUri: string; expiresIn: number }> {
    assertNonEmptyString(requestObject, 'request object');
    assertNonEmptyString(context?.clientId, 'clientId');
    const { clientId } = context;
    const endpoint =
      this.#endpoint ??
      (context.pushedAuthorizationRequestEndpoint !== undefined
        ? absoluteUrl(context.pushedAuthorizationRequestEndpoint, 'pushed_authorization_request_endpoint', { schemes: ['https:', 'http:'] })
        : undefined);
    if (!endpoint) {
      throw new OAuthJarError('ERR_MISSING_ENDPOINT', 'no PAR endpoint: pass "endpoint", or give the builder the server metadata with .server(as)');
    }

    // RFC 9126 §3: with a request object, the pushed body is client_id and request (plus auth).
    const body = new URLSearchParams({ client_id: clientId, request: requestObject });
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.#auth;
    switch (auth.method) {
      case 'none':
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
        let assertion: string;
        try {
          const kid = auth.kid ?? kidOf(auth.key);
          assertion = await clientAssertion(clientId, audience, auth.key, kid === undefined ? { alg: auth.alg } : { alg: auth.alg, kid });
        } catch (cause) {
          throw new OAuthJarError('ERR_SIGN_FAILED', `signing the client assertion with ${auth.alg} failed: ${(cause as Error)?.message}`, { cause });
        }
        body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        body.set('client_assertion', assertion);
        break;
      }
    }

    const what = 'the PAR endpoint';
    const res = await request({
      method: 'POST',
      url: endpoint,
      headers,
      body,
      options: { ...(this.#timeout !== undefined ? { timeout: this.#timeout } : {}), ...(this.#fetch ? { fetch: this.#fetch } : {}) },
      errorCode: 'ERR_PUBLISH_FAILED',
      what,
    });
    // RFC 9126 §2.2: success is 201 Created; §2.3: errors use the token endpoint's format.
    if (res.status !== 201) throw oauthError(res, what);
    const json = jsonObject(res, what);
    const { request_uri: requestUri, expires_in: expiresIn } = json;
    if (typeof requestUri !== 'string' || requestUri === '') {
      throw new ResponseError('ERR_RESPONSE', `${what} answered 201 without a "request_uri"`, { status: res.status });
    }
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new ResponseError('ERR_RESPONSE', `${what} answered 201 without a positive "expires_in"`, { status: res.status });
    }
    return { requestUri, expiresIn };
  }
}

function checkAuth(auth: unknown): ClientAuthentication {
  if (!isPlainObject(auth)) throw invalid('clientAuth must be an object with a "method"');
  switch (auth.method) {
    case 'none':
      return { method: 'none' };
    case 'client_secret_basic':
    case 'client_secret_post':
      assertNonEmptyString(auth.clientSecret, 'clientAuth.clientSecret');
      return { method: auth.method, clientSecret: auth.clientSecret };
    case 'private_key_jwt': {
      const { key, alg, kid, audience } = auth;
      if (!isSigningAlg(alg) || alg.startsWith('HS')) {
        throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `clientAuth.alg "${String(alg)}" is not an asymmetric signing algorithm`);
      }
      const mismatch = keyMismatch(key as KeyInput, alg, 'sign');
      if (mismatch) throw new OAuthJarError('ERR_KEY_MISMATCH', `the client assertion key does not fit: ${mismatch}`);
      if (kid !== undefined) assertNonEmptyString(kid, 'clientAuth.kid');
      if (audience !== undefined) assertNonEmptyString(audience, 'clientAuth.audience');
      return {
        method: 'private_key_jwt',
        key: key as KeyInput,
        alg,
        ...(kid !== undefined ? { kid } : {}),
        ...(audience !== undefined ? { audience } : {}),
      };
    }
    default:
      throw invalid(`clientAuth.method must be none, client_secret_basic, client_secret_post or private_key_jwt, got "${String(auth.method)}"`);
  }
}

// application/x-www-form-urlencoded of one value (RFC 6749 Appendix B).
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

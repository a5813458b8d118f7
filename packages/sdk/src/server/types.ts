import type { DecryptionKey } from '../crypto/decrypt.js';
import type { JSONWebKeySet, JWK } from '../crypto/types.js';
import type { NetworkPolicy } from '../http/guard.js';
import type { JwksUriFetchOptions } from '../http/jwks.js';
import type { RequestUriFetchOptions } from '../http/request-uri.js';
import type { VerificationStepRecord } from './errors.js';
import type { ReplayStore } from './replay.js';

/**
 * A registered client as the verifier reads it: RFC 7591 / OIDC Registration names, as a client
 * database holds them. Other members are ignored.
 *
 * @example
 * ```ts
 * const client: ClientMetadata = {
 *   client_id: 's6BhdRkqt3',
 *   redirect_uris: ['https://client.example.org/cb'],
 *   jwks_uri: 'https://client.example.org/jwks.json',
 *   request_object_signing_alg: 'PS256',
 *   request_uris: ['https://client.example.org/ro/'],
 *   require_signed_request_object: true,
 * };
 * ```
 */
export interface ClientMetadata {
  client_id?: string;
  /**
   * The client's registered redirection URIs (RFC 7591 §2). When present, a request's
   * `redirect_uri` must equal one of them exactly (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3), or be
   * absent with exactly one registered; otherwise {@link RequestObjectVerifier.verify} refuses the
   * request with a non-redirectable `invalid_request`. Refusals after the client and its
   * `redirect_uri` are validated carry both, for {@link authorizationErrorResponse} to redirect.
   * Without it, the verifier does not check `redirect_uri` and errors answer with a direct 400.
   */
  redirect_uris?: string[];
  /** The client's public keys, by value. */
  jwks?: JSONWebKeySet;
  /**
   * Where the client's public keys are published: fetched under the verifier's `network` /
   * `jwksUri` rules (https, no private addresses, byte cap, deadline), cached, fetched again for
   * an unknown `kid` at most once per cooldown.
   */
  jwks_uri?: string;
  /** The shared secret; the only key for HS256/384/512 request objects. */
  client_secret?: string;
  /** The one JWS `alg` this client's request objects must use (OIDC Registration: others MUST be rejected). */
  request_object_signing_alg?: string;
  /** The JWE `alg` this client encrypts with, when it encrypts. */
  request_object_encryption_alg?: string;
  /** The JWE `enc` this client encrypts with, when it encrypts. */
  request_object_encryption_enc?: string;
  /** The `request_uri` values (or prefixes ending in `/`) this client may send. */
  request_uris?: string[];
  /** Whether this client's authorization requests must carry a request object (RFC 9101 §10.5). */
  require_signed_request_object?: boolean;
  [member: string]: unknown;
}

/**
 * What the PAR store hook returns for a `urn:ietf:params:oauth:request_uri:` value: the pushed
 * request object (verified again like one sent by value), or the parameters that the PAR endpoint
 * stored.
 *
 * A pushed object was verified at the PAR endpoint, where its `jti` went into the replay store;
 * at the authorization endpoint it is not a replay of itself: the one use of its `request_uri`
 * (RFC 9126 §4) is what the verifier records then. Sent again by value, it is a replay.
 *
 * Stored `parameters` carry no signature. Where a signed request object is required (the
 * verifier's `requireSignedRequestObject`, `profile: 'fapi2'`, or the client's
 * `require_signed_request_object`, RFC 9101 §10.5) they are refused with `invalid_request`
 * unless `fromSignedRequestObject` is `true`.
 *
 * @example
 * ```ts
 * pushedAuthorizationRequests: async (requestUri, clientId) => {
 *   const entry = await par.take(requestUri); // deletes it: one use (RFC 9126 §4)
 *   return entry && entry.clientId === clientId && entry.expiresAt > Date.now() ? { request: entry.request } : undefined;
 * },
 * ```
 */
export type PushedAuthorizationRequest =
  | { request: string }
  | {
      parameters: Record<string, unknown>;
      /**
       * `true` only when the PAR endpoint took these parameters from a request object that it
       * verified (signature included) with this verifier, e.g. `(await verifier.verify(body)).parameters`
       * where `requestObject` was defined. Without it, stored parameters are refused wherever a
       * signed request object is required.
       * @default false
       */
      fromSignedRequestObject?: boolean;
    };

/**
 * Options of {@link RequestObjectVerifier}. Every option but `issuer` and `getClient` has a safe default.
 *
 * @example
 * ```ts
 * const options: RequestObjectVerifierOptions = {
 *   issuer: 'https://as.example.com',
 *   getClient: (id) => clients.get(id),
 *   profile: 'fapi2',
 *   replayStore: new MemoryReplayStore(),
 * };
 * ```
 */
export interface RequestObjectVerifierOptions {
  /** This authorization server's issuer identifier (RFC 8414 `issuer`): the `aud` a request object must carry. */
  issuer: string;
  /**
   * Looks a client up by `client_id`; `undefined` when there is no such client. It is waited for
   * at most `storeTimeout` milliseconds: a lookup that does not answer in time is refused with
   * `temporarily_unavailable` (503), one that throws with `server_error` (500); neither is redirected.
   */
  getClient: (clientId: string) => ClientMetadata | undefined | Promise<ClientMetadata | undefined>;
  /**
   * The server's private keys for nested (encrypted) request objects: a private JWK set, or a list
   * of `{ key, alg?, kid? }` where `key` is a private `CryptoKey` (non-extractable ones too), a
   * Node.js private `KeyObject`, a private JWK or a `Uint8Array` secret, `alg` the JWE `alg` it
   * serves (any that fits the key when absent) and `kid` the key id clients name. A public key, a
   * PEM string or a key that can serve no JWE `alg` is refused by the constructor. Without keys,
   * encrypted objects are refused.
   *
   * @example
   * ```ts
   * decryptionKeys: { keys: [asPrivateEncryptionJwk] }
   * decryptionKeys: [{ key: await importPKCS8(pem, 'RSA-OAEP-256'), alg: 'RSA-OAEP-256', kid: 'as-enc-1' }]
   * ```
   */
  decryptionKeys?: { keys: JWK[] } | DecryptionKey[] | undefined;
  /**
   * Require a request object on every authorization request (RFC 9101 §10.5). A client's own
   * `require_signed_request_object` also counts.
   * @default false
   */
  requireSignedRequestObject?: boolean;
  /**
   * Accept request objects by value (`request`).
   * @default true
   */
  requestParameterSupported?: boolean;
  /**
   * The rules of every fetch the verifier makes because a client or a request named a URL (a
   * `request_uri`, a client's `jwks_uri`): https only, no loopback / private / link-local hosts,
   * no redirects, a total deadline, a streamed byte cap, failures remembered for a cooldown.
   * `requestUri` and `jwksUri` override them per use.
   *
   * Private addresses: IP literals and `localhost` are refused everywhere. On Node.js (the `node`
   * export condition of `oauth-jar/server`), host names are also checked after DNS resolution, at
   * connect time; in browsers, Deno, Bun and Workers the runtime does not expose the resolved
   * address, so only the literal check applies there (put the verifier behind an egress proxy).
   * A `fetch` given here replaces the connection, and with it that Node check.
   * @default { timeout: 5000, maxBytes: 65536, allowHttp: false, allowPrivateNetwork: false, cooldown: 5000 }
   */
  network?: NetworkPolicy;
  /**
   * The `request_uri` fetcher's rules (over `network`), or `false` to refuse by-reference request
   * objects (PAR URNs still go to {@link pushedAuthorizationRequests}).
   * @default the `network` rules
   */
  requestUri?: RequestUriFetchOptions | false;
  /**
   * Fetch only `request_uri` values that the client registered in `request_uris` (OIDC Discovery
   * `require_request_uri_registration`).
   * @default true
   */
  requireRequestUriRegistration?: boolean;
  /**
   * The AS's own PAR store (RFC 9126): called with a `urn:ietf:params:oauth:request_uri:` value and
   * the client it was presented by. It must return the pushed request only when it was pushed by
   * this client, has not expired and was not used before (and mark it used); else `undefined`.
   */
  pushedAuthorizationRequests?: (requestUri: string, clientId: string) => Promise<PushedAuthorizationRequest | undefined>;
  /**
   * Remembers each `jti` so that a request object is accepted once (RFC 9101 §10.3). With a store,
   * a request object needs a `jti` of at most 256 characters and an `exp`.
   */
  replayStore?: ReplayStore | undefined;
  /**
   * Milliseconds to wait for the replay store, the PAR store ({@link pushedAuthorizationRequests})
   * and `getClient` on each call. A store that throws or does not answer in time fails the request at once with
   * `temporarily_unavailable` (503): nothing is accepted because a store could not be asked.
   * @default 1000
   */
  storeTimeout?: number;
  /**
   * How far in the future a request object's `exp` may lie, in seconds from now (plus
   * `clockTolerance`). `exp` itself is always required: an object without one is refused
   * (`invalid_request_object`), as it could be replayed for ever. It bounds how long a replay store holds each `jti`; request objects are
   * short-lived (RFC 9101 §5.2, FAPI: at most 60 minutes).
   * @default 3600
   */
  maxExpiresIn?: number;
  /** `'fapi2'`: FAPI 2.0 Message Signing rules (PS256/ES256/EdDSA, `exp`/`nbf` required, 60 min, `redirect_uri`). */
  profile?: 'fapi2' | undefined;
  /**
   * The JWS algorithms accepted. `none` is never accepted this way.
   * @default every asymmetric and HMAC algorithm (FAPI 2: PS256, ES256, EdDSA, Ed25519)
   */
  signingAlgorithms?: string[];
  /** The JWE key management algorithms accepted. @default those the `decryptionKeys` can serve (never RSA1_5, PBES2) */
  keyManagementAlgorithms?: string[];
  /** The JWE content encryption algorithms accepted. @default every AES-GCM and AES-CBC-HMAC `enc` */
  contentEncryptionAlgorithms?: string[];
  /**
   * Seconds of leeway for `exp`, `nbf` and `iat`. Under `profile: 'fapi2'` the leeway for `nbf`
   * and `iat` in the future is this value clamped to 10–60 s, whatever is given: objects up to 10 s
   * ahead are accepted, more than 60 s ahead refused (FAPI 2.0 Security Profile §5.3.2.1 item 13).
   * @default 10
   */
  clockTolerance?: number;
  /**
   * The longest request object accepted, in characters, checked before any crypto.
   * @default 65536
   */
  maxLength?: number;
  /**
   * Accept unsigned (`alg: none`) request objects from clients that neither register a signing
   * alg nor require signed objects (OIDC Core §6.1). Never with the FAPI profile, never with
   * `requireSignedRequestObject`.
   * @default false
   */
  allowUnsigned?: boolean;
  /**
   * OIDC Core §6.3.3: add the query's parameters that the request object lacks (the object wins).
   * RFC 9101 §5 uses only the object's, which is the default.
   * @default false
   */
  mergeQueryParameters?: boolean;
  /**
   * The clients' `jwks_uri` fetcher (over `network`) and key-set cache. The cache belongs to this
   * verifier. Any fetch failure reads `the client's keys could not be fetched` to the client; the
   * detail is the error's `cause`.
   * @default the `network` rules, `{ cacheMaxAge: 600000, cooldown: 5000, maxEntries: 1000 }`
   */
  jwksUri?: JwksUriFetchOptions;
  /** The clock, in milliseconds since the epoch (tests): request object times and the fetch caches. */
  now?: () => number;
}

/**
 * What {@link RequestObjectVerifier.verify} accepts: the authorization endpoint's query (or a PAR
 * endpoint's form body) as `URLSearchParams`, or as the object a framework parsed it into:
 * Express' `req.query` (`ParsedQs`), Koa's `ctx.query`, Hono's `c.req.query()` /
 * `c.req.queries()`, a typed Fastify `request.query`. Values must be strings or arrays of strings;
 * nested values (`a[b]=c` parsed by `qs`) are refused at run time with `invalid_request`.
 *
 * @example
 * ```ts
 * app.get('/authorize', async (req, res) => {
 *   const { parameters } = await verifier.verify(req.query); // Express 5: ParsedQs, no cast
 * });
 * ```
 */
export type AuthorizationRequestInput = URLSearchParams | Readonly<Record<string, unknown>>;

/**
 * The parameters of an accepted authorization request. The registered OAuth 2.0 and OpenID
 * Connect parameters have their JSON types, whether they came in a request object or a query
 * (where `max_age` is parsed to a number and `claims` / `authorization_details` from JSON);
 * extension parameters are `unknown`, as sent.
 *
 * @example
 * ```ts
 * const { parameters } = await verifier.verify(query);
 * if (parameters.max_age === 0) forceLogin();
 * const tenant = parameters['x-tenant']; // unknown: check before use
 * ```
 */
export interface AuthorizationRequestParameters {
  /** RFC 6749 §3.1.1. */
  response_type?: string;
  client_id?: string;
  /** RFC 6749 §3.1.2: equal to one of the client's `redirect_uris` when it registered any. */
  redirect_uri?: string;
  /** Space-separated scope tokens (RFC 6749 §3.3). */
  scope?: string;
  state?: string;
  /** OIDC Core §3.1.2.1. */
  nonce?: string;
  /** RFC 7636 §4.3. */
  code_challenge?: string;
  code_challenge_method?: string;
  /** OAuth 2.0 Multiple Response Type Encoding Practices §2.1, JARM. */
  response_mode?: string;
  prompt?: string;
  /** Seconds (OIDC Core §3.1.2.1); `0` included. */
  max_age?: number;
  /** The OIDC `claims` request (OIDC Core §5.5). */
  claims?: Record<string, unknown>;
  /** RFC 9396 §2. */
  authorization_details?: Array<Record<string, unknown>>;
  /** RFC 8707 §2: one resource indicator, or several. */
  resource?: string | string[];
  /** RFC 9449 §10. */
  dpop_jkt?: string;
  login_hint?: string;
  id_token_hint?: string;
  acr_values?: string;
  ui_locales?: string;
  claims_locales?: string;
  display?: string;
  /** Extension parameters, as sent. */
  [name: string]: unknown;
}

/**
 * What {@link RequestObjectVerifier.verify} returns for an accepted request.
 *
 * @example
 * ```ts
 * const { clientId, parameters, requestObject } = await verifier.verify(query);
 * if (requestObject?.encryptionHeader) console.log('the request was encrypted');
 * ```
 */
export interface VerifiedAuthorizationRequest {
  /** The query's `client_id`, equal to the request object's. */
  clientId: string;
  /** The client's metadata, as `getClient` returned it. */
  client: ClientMetadata;
  /**
   * The authorization request parameters to use: the request object's claims (without the JWT
   * claims `iss`, `aud`, `exp`, `nbf`, `iat`, `jti`) when there is one, else the query's.
   * JSON types are kept (`max_age` a number, `claims` an object). A null-prototype object:
   * `parameters.toString` is `undefined` unless the request sent it; use `Object.hasOwn` or `in`.
   * A parameter or claim named `__proto__` is refused.
   */
  parameters: AuthorizationRequestParameters;
  /** The verified request object, or `undefined` for a plain request (or stored PAR parameters). */
  requestObject: VerifiedRequestObject | undefined;
  /** With `verify(query, { trace: true })`: the steps that ran, in order, all passed. */
  steps?: readonly VerificationStepRecord[];
}

/**
 * A request object that passed every check.
 *
 * @example
 * ```ts
 * const { requestObject } = await verifier.verify(query);
 * console.log(requestObject?.source, requestObject?.header.kid, requestObject?.claims.jti);
 * ```
 */
export interface VerifiedRequestObject {
  /** How it arrived. */
  source: 'request' | 'request_uri' | 'par';
  /** The `request_uri` it was fetched from or pushed under. */
  requestUri: string | undefined;
  /** The JWS protected header. */
  header: Record<string, unknown>;
  /** The JWE protected header, when the object was encrypted. */
  encryptionHeader: Record<string, unknown> | undefined;
  /** All claims, JWT claims included. */
  claims: Record<string, unknown>;
}

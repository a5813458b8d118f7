import type { JSONWebKeySet, JWK } from '../crypto/types.js';
import type { RequestUriFetchOptions } from '../http/request-uri.js';
import type { ReplayStore } from './replay.js';

/**
 * A registered client as the verifier reads it: RFC 7591 / OIDC Registration names, as a client
 * database holds them. Other members are ignored.
 *
 * @example
 * ```ts
 * const client: ClientMetadata = {
 *   client_id: 's6BhdRkqt3',
 *   jwks_uri: 'https://client.example.org/jwks.json',
 *   request_object_signing_alg: 'PS256',
 *   request_uris: ['https://client.example.org/ro/'],
 *   require_signed_request_object: true,
 * };
 * ```
 */
export interface ClientMetadata {
  client_id?: string;
  /** The client's public keys, by value. */
  jwks?: JSONWebKeySet;
  /** Where the client's public keys are published; fetched with jose's remote JWK set, cached. */
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
 * already verified and stored.
 *
 * @example
 * ```ts
 * pushedAuthorizationRequests: async (requestUri, clientId) => {
 *   const entry = await par.take(requestUri); // deletes it: one use (RFC 9126 §4)
 *   return entry && entry.clientId === clientId && entry.expiresAt > Date.now() ? { request: entry.request } : undefined;
 * },
 * ```
 */
export type PushedAuthorizationRequest = { request: string } | { parameters: Record<string, unknown> };

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
  /** Looks a client up by `client_id`; `undefined` when there is no such client. */
  getClient: (clientId: string) => ClientMetadata | undefined | Promise<ClientMetadata | undefined>;
  /** The server's private keys for nested (encrypted) request objects. Without them, encrypted objects are refused. */
  decryptionKeys?: { keys: JWK[] } | undefined;
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
   * The built-in `request_uri` fetcher's options, or `false` to refuse by-reference request
   * objects (PAR URNs still go to {@link pushedAuthorizationRequests}).
   * @default { timeout: 5000, maxBytes: 65536, allowHttp: false, allowPrivateNetwork: false }
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
  /** Remembers each `jti` so that a request object is accepted once. */
  replayStore?: ReplayStore | undefined;
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
  /** Options for the clients' `jwks_uri` key sets. */
  jwksUri?: { timeout?: number; cacheMaxAge?: number; cooldown?: number };
  /** The clock, in milliseconds since the epoch (tests). */
  now?: () => number;
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
  parameters: Record<string, unknown>;
  /** The verified request object, or `undefined` for a plain request (or stored PAR parameters). */
  requestObject: VerifiedRequestObject | undefined;
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

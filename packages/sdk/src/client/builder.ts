import { OAuthJarError } from '../errors.js';
import {
  isContentEncryptionAlg,
  isKeyManagementAlg,
  isSigningAlg,
  keyMismatch,
  kidOf,
  type ContentEncryptionAlg,
  type KeyManagementAlg,
  type SigningAlg,
} from '../crypto/algorithms.js';
import { randomToken, sha256b64u } from '../crypto/encoding.js';
import type { KeyInput } from '../crypto/types.js';
import { Cache } from '../lib/cache.js';
import { MAX_REQUEST_OBJECT_LIFETIME } from '../lib/jwt.js';
import { absoluteUrl, assertNonEmptyString, describe, invalid, isPlainObject, jsonCopy } from '../lib/validate.js';
import type { RequestUriPublisher } from '../publishers/types.js';
import type { AuthorizationServerMetadata } from './discovery.js';
import type { AuthorizationRequest, Encryption, RequestSpec, Signing } from './request.js';

export type { AuthorizationRequest } from './request.js';

// The build stages (client/build.ts) load with the first build(): a page that has not built yet
// has loaded only the setters and their checks (the bundle target in docs/performance.md). The
// promise is kept: a dynamic import() per build costs ~25 µs in Node.
let stages: Promise<typeof import('./build.js')> | undefined;

// An app makes a new builder per login with the same endpoint and redirect_uri strings: each is
// parsed and checked once, not at every login. Only URLs that passed are kept; the URL objects are
// never mutated (the URL stage copies the endpoint).
// One cache per kind of URL, keyed by the string itself: a constant string's hash is computed once.
const checkedEndpoints = /* @__PURE__ */ new Cache<string, URL>({ max: 32, ttl: Infinity });
const checkedRedirectUris = /* @__PURE__ */ new Cache<string, URL>({ max: 32, ttl: Infinity });
// Any scheme but those that run code or read local data in a user agent: https for servers, a
// wallet's custom scheme (openid4vp://, haip-vp://, OpenID4VP 1.0 §13.1.2) for wallets.
const ENDPOINT_RULES = { fragment: false, unsafe: /^(javascript|data|vbscript|file|blob|about):$/ } as const;
const NO_FRAGMENT = { fragment: false } as const;

function checkedUrl(value: string | URL, what: 'endpoint' | 'redirect_uri', rules: { schemes?: readonly string[]; fragment?: boolean; unsafe?: RegExp }): URL {
  const check = () => {
    const url = absoluteUrl(value, what, rules);
    if (rules.unsafe?.test(url.protocol)) throw new OAuthJarError('ERR_INVALID_URL', `${what} cannot use ${url.protocol}`);
    return url;
  };
  if (typeof value !== 'string') return check();
  const cache = what === 'endpoint' ? checkedEndpoints : checkedRedirectUris;
  let url = cache.get(value, 0);
  if (url === undefined) cache.set(value, (url = check()), Infinity, 0);
  return url;
}

// A key object is checked against an algorithm once: an app signs every login with the same key.
// (CryptoKeys and KeyObjects cannot change; a JWK is taken as not changing once given, as the
// key-import cache in crypto/keys.ts takes it.) Secrets are checked each time, which is cheap.
const keyFits = /* @__PURE__ */ new WeakMap<object, Map<string, string | undefined>>();
function keyMismatchOnce(key: KeyInput, alg: string, use: 'sign' | 'encrypt'): string | undefined {
  if (typeof key !== 'object' || key === null || key instanceof Uint8Array) return keyMismatch(key, alg, use);
  let byAlg = keyFits.get(key);
  if (byAlg === undefined) keyFits.set(key, (byAlg = new Map()));
  const id = use === 'sign' ? alg : `${alg} encrypt`;
  if (byAlg.has(id)) return byAlg.get(id);
  const mismatch = keyMismatch(key, alg, use);
  byAlg.set(id, mismatch);
  return mismatch;
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey !== 'undefined' && key instanceof CryptoKey;
}

/** The media type of a request object (RFC 9101 §10.8, §9.3): the default JWS `typ`. */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';

/** Default lifetime of a request object in seconds. */
const DEFAULT_LIFETIME = 300;

/** Parameters that only the constructor, the JWT claims or the transport may set. */
const RESERVED: Record<string, string> = {
  request: 'a request object never contains "request" (RFC 9101 §10.7)',
  request_uri: 'a request object never contains "request_uri" (RFC 9101 §10.7)',
  client_id: 'client_id is the builder\'s second constructor argument',
  response_type: 'response_type is the builder\'s first constructor argument',
  iss: 'use .requestObjectIssuer() to set "iss"',
  aud: 'use .audience() to set "aud"',
  exp: 'use .expiresIn() to set the lifetime',
  nbf: 'nbf is set from the clock',
  iat: 'iat is set from the clock',
  jti: 'use .jti() to set the jti source',
};

/** How {@link AuthorizationRequestBuilder.signWith} signs the request object. */
export interface SignWithOptions {
  /**
   * The JWS algorithm. `none` is refused (RFC 9101 §5: a request object is signed). Left out, it
   * is negotiated at build: the first of the server's `request_object_signing_alg_values_supported`
   * (from {@link AuthorizationRequestBuilder.server}) that fits the key.
   */
  alg?: SigningAlg;

  /** The `kid` header. Defaults to the JWK's own `kid` when the key is a JWK that has one. */
  kid?: string;
  /**
   * The `typ` header.
   * @default 'oauth-authz-req+jwt' (RFC 9101 §10.8). `false` leaves it out, for servers that predate RFC 9101.
   */
  typ?: string | false;
  /**
   * The `x5c` header: the certificate chain of the signing key, leaf first, each certificate
   * base64 (not base64url) DER (RFC 7515 §4.1.6). OpenID4VP's `x509_san_dns:` and `x509_hash:`
   * client identifiers authenticate the verifier with it (OpenID4VP 1.0 §5.9.3).
   */
  x5c?: readonly string[];
  /**
   * The `jwt` header: a verifier attestation JWT (`typ: verifier-attestation+jwt`) whose `cnf`
   * binds the signing key, for the `verifier_attestation:` client identifier (OpenID4VP 1.0 §12).
   */
  jwt?: string;
}

/** How {@link AuthorizationRequestBuilder.encryptWith} encrypts the signed request object. */
export interface EncryptWithOptions {
  /**
   * The JWE key management algorithm, e.g. `RSA-OAEP-256` or `ECDH-ES+A256KW`. RSA1_5 and PBES2
   * are refused. Left out (key-less form only), it is negotiated at build from the server's
   * `request_object_encryption_alg_values_supported` and its `use: "enc"` keys.
   */
  alg?: KeyManagementAlg;
  /**
   * The JWE content encryption algorithm, e.g. `A256GCM`. Left out, the first of the server's
   * `request_object_encryption_enc_values_supported` that oauth-jar supports (`A256GCM` when it lists none).
   */
  enc?: ContentEncryptionAlg;
  /** The server key's `kid`. Defaults to the JWK's own `kid` when the key is a JWK that has one. */
  kid?: string;
}

/** Parameters copied to the query by {@link AuthorizationRequestBuilder.includeInQuery} with no names (OIDC Core §6.1). */
const OIDC_QUERY_COPIES = ['response_type', 'scope', 'redirect_uri'] as const;

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// RFC 7636 §4.1: code-verifier = 43*128unreserved
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const SINGLE_TOKEN = /^\S+$/;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account', 'create']);
const DISPLAYS = new Set(['page', 'popup', 'touch', 'wap']);

function spaceList(values: readonly string[], what: string, pattern?: RegExp): string {
  if (values.length === 0) throw invalid(`${what} needs at least one value`);
  for (const v of values) {
    assertNonEmptyString(v, what);
    if (pattern ? !pattern.test(v) : /\s/.test(v)) {
      throw invalid(`${what} values are single tokens without spaces; pass each one as its own argument`);
    }
  }
  return values.join(' ');
}

/**
 * Builds an OAuth 2.0 authorization request and, once {@link signWith} is called, puts every one
 * of its parameters into a request object (RFC 9101): a JWT signed with the client's key,
 * optionally encrypted to the authorization server's key. Modelled on Nimbus'
 * `AuthorizationRequest.Builder`: setters validate their argument and return `this`; no key is
 * used before {@link build}.
 *
 * The builder can be kept and built many times: each build gets a fresh `jti`, `iat` and `exp`.
 *
 * Names: "issuer" means the authorization server everywhere in oauth-jar ({@link audience} takes
 * its issuer identifier); the request object's own `iss`, the client, is set by
 * {@link requestObjectIssuer}. {@link codeChallenge} takes the PKCE code **verifier** and computes
 * the challenge, as Nimbus' `codeChallenge(CodeVerifier, CodeChallengeMethod)` does.
 *
 * @typeParam CodeVerifier `string` once {@link codeChallenge} was called: the built request's
 *   `codeVerifier` is then typed `string`, not `string | undefined`.
 *
 * @example
 * ```ts
 * import { AuthorizationRequestBuilder } from 'oauth-jar';
 *
 * const request = await new AuthorizationRequestBuilder('code', '123') // response_type, client_id
 *   .endpoint('https://c2id.com/login')   // the authorization endpoint
 *   .audience('https://c2id.com')         // the server's issuer identifier
 *   .redirectUri('https://example.com/cb')
 *   .scope('read', 'write')
 *   .state('81c33d57-59c7-4b41-9a15-80e2ed1482e2')
 *   .signWith(clientPrivateKey, { alg: 'RS256', kid: 'client-key-1' })
 *   .encryptWith(serverPublicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc-1' })
 *   .build();
 *
 * location.assign(request.url); // https://c2id.com/login?client_id=123&request=eyJ…
 * ```
 *
 * @see [RFC 9101 §4](https://www.rfc-editor.org/rfc/rfc9101#section-4) Request Object
 */
export class AuthorizationRequestBuilder<CodeVerifier extends string | undefined = string | undefined> {
  readonly #clientId: string;
  readonly #params = new Map<string, unknown>();
  #endpoint: URL | undefined;
  #audience: string | string[] | undefined;
  #issuer: string | undefined;
  #signing: Signing | undefined;
  #encryption: Encryption | undefined;
  #lifetime = DEFAULT_LIFETIME;
  #now: () => number = Date.now;
  #jti: (() => string) | undefined;
  #queryCopies: readonly string[] = [];
  #publisher: RequestUriPublisher | undefined;
  #server: AuthorizationServerMetadata | undefined;
  #codeVerifier: string | undefined;
  #codeChallengeMethod: 'S256' | 'plain' = 'S256';
  #codeChallenge: Promise<string> | undefined;
  #profile: 'fapi2' | undefined;

  /**
   * @param responseType The `response_type`, e.g. `'code'`; several values as an array or one space-separated string.
   * @param clientId The client's `client_id`. It becomes the request object's `client_id` and, by default, its `iss`.
   */
  constructor(responseType: string | readonly string[], clientId: string) {
    if (typeof responseType === 'string' && SINGLE_TOKEN.test(responseType)) {
      this.#params.set('response_type', responseType); // the usual 'code', without the list's work
    } else {
      const rt = typeof responseType === 'string' ? responseType.split(' ').filter(Boolean) : responseType;
      if (!Array.isArray(rt)) throw invalid(`response_type must be a string or an array of strings, got ${describe(responseType)}`);
      this.#params.set('response_type', spaceList(rt, 'response_type'));
    }
    assertNonEmptyString(clientId, 'client_id');
    this.#clientId = clientId;
    this.#params.set('client_id', clientId);
  }

  /**
   * The authorization endpoint. Its own query parameters are kept in the emitted URL. A wallet's
   * custom scheme (`openid4vp://`, `haip-vp://`, OpenID4VP 1.0 §13.1.2) is accepted too;
   * `javascript:`, `data:`, `file:` and the like are not.
   *
   * @example
   * ```ts
   * builder.endpoint('https://as.example.com/authorize');
   * builder.endpoint('openid4vp://'); // a wallet
   * ```
   */
  endpoint(url: string | URL): this {
    this.#endpoint = checkedUrl(url, 'endpoint', ENDPOINT_RULES);
    return this;
  }

  /**
   * The request object's `aud`: the authorization server's issuer identifier (RFC 8414 `issuer`),
   * exactly, trailing slash included — not an endpoint URL (RFC 9101 §4).
   *
   * @example
   * ```ts
   * builder.audience('https://as.example.com');
   * ```
   */
  audience(issuer: string | readonly string[]): this {
    const list = typeof issuer === 'string' ? [issuer] : issuer;
    if (!Array.isArray(list) || list.length === 0) throw invalid('audience must be a string or a non-empty array of strings');
    for (const a of list) assertNonEmptyString(a, 'audience');
    this.#audience = typeof issuer === 'string' ? issuer : [...list];
    return this;
  }

  /**
   * The request object's `iss` claim: the **client** that issues the object, not the authorization
   * server (that one is {@link audience}). Defaults to the client_id, which is what RFC 9101 §4
   * asks for; set it only for a server that wants something else.
   *
   * @example
   * ```ts
   * builder.requestObjectIssuer('https://client.example.org'); // iss; aud stays the AS's issuer
   * ```
   */
  requestObjectIssuer(iss: string): this {
    assertNonEmptyString(iss, 'requestObjectIssuer');
    this.#issuer = iss;
    return this;
  }

  /**
   * The request object's `iss` claim (the client), under its old name.
   *
   * @deprecated Use {@link requestObjectIssuer}: "issuer" names the authorization server
   *   everywhere else in oauth-jar, and this method never set the server.
   *
   * @example
   * ```ts
   * builder.requestObjectIssuer('https://client.example.org'); // instead of builder.issuer(…)
   * ```
   */
  issuer(iss: string): this {
    return this.requestObjectIssuer(iss);
  }

  /**
   * The `redirect_uri` (RFC 6749 §3.1.2): an absolute URI without a fragment. Private-use schemes
   * (`com.example.app:/cb`, RFC 8252) are fine.
   */
  redirectUri(uri: string | URL): this {
    const url = checkedUrl(uri, 'redirect_uri', NO_FRAGMENT);
    this.#params.set('redirect_uri', typeof uri === 'string' ? uri : url.href);
    return this;
  }

  /**
   * The `scope`: each scope token as its own argument (RFC 6749 §3.3). Replaces earlier scopes.
   *
   * @example
   * ```ts
   * builder.scope('openid', 'profile');
   * ```
   */
  scope(...scopes: string[]): this {
    this.#params.set('scope', spaceList(scopes, 'scope', SCOPE_TOKEN));
    return this;
  }

  /** The opaque `state` value (RFC 6749 §4.1.1). */
  state(state: string): this {
    return this.#string('state', state);
  }

  /** The `response_mode` (OAuth 2.0 Multiple Response Types; `jwt` modes of JARM). */
  responseMode(mode: string): this {
    return this.#string('response_mode', mode);
  }

  /** The OpenID Connect `nonce` (OIDC Core §3.1.2.1). */
  nonce(nonce: string): this {
    return this.#string('nonce', nonce);
  }

  /** The OpenID Connect `display`: `page`, `popup`, `touch` or `wap`. */
  display(display: 'page' | 'popup' | 'touch' | 'wap'): this {
    if (!DISPLAYS.has(display)) throw invalid(`display must be one of page, popup, touch, wap`);
    return this.#string('display', display);
  }

  /** The OpenID Connect `prompt` values; `none` stands alone (OIDC Core §3.1.2.1). */
  prompt(...values: Array<'none' | 'login' | 'consent' | 'select_account' | 'create'>): this {
    for (const v of values) if (!PROMPTS.has(v)) throw invalid(`prompt values are none, login, consent, select_account, create`);
    if (values.includes('none') && values.length > 1) throw invalid('prompt "none" must not be combined with other values');
    this.#params.set('prompt', spaceList(values, 'prompt'));
    return this;
  }

  /** The OpenID Connect `max_age` in seconds: a JSON number in the request object, `0` included (RFC 9101 §4). */
  maxAge(seconds: number): this {
    if (!Number.isSafeInteger(seconds) || seconds < 0) throw invalid('max_age must be a non-negative integer number of seconds');
    this.#params.set('max_age', seconds);
    return this;
  }

  /** The `ui_locales`: BCP 47 language tags in order of preference. */
  uiLocales(...tags: string[]): this {
    this.#params.set('ui_locales', spaceList(tags, 'ui_locales'));
    return this;
  }

  /** The `claims_locales`: BCP 47 language tags in order of preference. */
  claimsLocales(...tags: string[]): this {
    this.#params.set('claims_locales', spaceList(tags, 'claims_locales'));
    return this;
  }

  /** The `id_token_hint`: an ID Token previously issued by the server. */
  idTokenHint(idToken: string): this {
    return this.#string('id_token_hint', idToken);
  }

  /** The `login_hint`. */
  loginHint(hint: string): this {
    return this.#string('login_hint', hint);
  }

  /** The `acr_values`, in order of preference. */
  acrValues(...values: string[]): this {
    this.#params.set('acr_values', spaceList(values, 'acr_values'));
    return this;
  }

  /**
   * The OpenID Connect `claims` request (OIDC Core §5.5): kept as a JSON object inside the request
   * object (not a string, unlike Nimbus).
   *
   * @example
   * ```ts
   * builder.claims({ id_token: { acr: { essential: true } }, userinfo: { email: null } });
   * ```
   */
  claims(claims: Record<string, unknown>): this {
    if (!isPlainObject(claims)) throw invalid(`claims must be a JSON object, got ${describe(claims)}`);
    this.#params.set('claims', jsonCopy(claims, 'claims'));
    return this;
  }

  /**
   * PKCE (RFC 7636): takes the code **verifier** (not a challenge) and puts the
   * `code_challenge` computed from it, with `code_challenge_method`, into the request at
   * {@link build}; the name and argument mirror Nimbus' `codeChallenge(CodeVerifier, CodeChallengeMethod)`.
   * Keep the verifier for the token request: the built request returns it as `codeVerifier`,
   * typed `string`.
   *
   * @param verifier The code verifier: 43 to 128 unreserved characters; {@link generateCodeVerifier} makes one.
   * @param method `S256` (default) or `plain`; prefer `S256` (RFC 7636 §4.2, RFC 9700 §2.1.1).
   *
   * @example
   * ```ts
   * const verifier = generateCodeVerifier();
   * builder.codeChallenge(verifier);
   * ```
   */
  codeChallenge(verifier: string, method: 'S256' | 'plain' = 'S256'): AuthorizationRequestBuilder<string> {
    if (typeof verifier !== 'string' || !CODE_VERIFIER.test(verifier)) {
      throw invalid('code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)');
    }
    if (method !== 'S256' && method !== 'plain') throw invalid('code_challenge_method must be S256 or plain');
    this.#codeVerifier = verifier;
    this.#codeChallengeMethod = method;
    // The S256 hash (RFC 7636 §4.2) is asynchronous in WebCrypto: started here, it runs while the
    // app calls the other setters, and build() only awaits it (Nimbus computes it in the setter too).
    this.#codeChallenge = method === 'S256' ? sha256b64u(verifier) : undefined;
    this.#codeChallenge?.catch(() => {}); // a failure is build()'s to report
    return this as AuthorizationRequestBuilder<string>;
  }

  /**
   * Resource indicators (RFC 8707): absolute URIs without a fragment. One becomes a string, several an array.
   */
  resource(...uris: Array<string | URL>): this {
    if (uris.length === 0) throw invalid('resource needs at least one URI');
    const list = uris.map((u) => {
      const url = absoluteUrl(u, 'resource', { fragment: false });
      return typeof u === 'string' ? u : url.href;
    });
    this.#params.set('resource', list.length === 1 ? list[0] : list);
    return this;
  }

  /**
   * Rich authorization requests (RFC 9396): an array of objects, each with a `type`.
   *
   * @example
   * ```ts
   * builder.authorizationDetails([{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '12.00' } }]);
   * ```
   */
  authorizationDetails(details: ReadonlyArray<{ type: string } & Record<string, unknown>>): this {
    if (!Array.isArray(details)) throw invalid(`authorization_details must be an array, got ${describe(details)}`);
    for (const d of details) {
      if (!isPlainObject(d) || typeof d.type !== 'string' || d.type === '') {
        throw invalid('each authorization_details entry must be an object with a non-empty "type" (RFC 9396 §2)');
      }
    }
    this.#params.set('authorization_details', jsonCopy(details, 'authorization_details'));
    return this;
  }

  /**
   * The `dpop_jkt` (RFC 9449 §10): the JWK SHA-256 thumbprint (RFC 7638) of the DPoP key, which
   * binds the authorization code to it. Given the DPoP key pair (or its public key), the
   * thumbprint is computed at build.
   *
   * @example
   * ```ts
   * const dpop = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
   * builder.dpopJkt(dpop);
   * ```
   */
  dpopJkt(thumbprintOrKey: string | CryptoKeyPair | CryptoKey): this {
    // A key pair or public key is kept as is; build() replaces it with its thumbprint.
    const key = (thumbprintOrKey as Partial<CryptoKeyPair>)?.publicKey ?? thumbprintOrKey;
    if (!(isCryptoKey(key) ? key.type === 'public' && key.extractable : typeof key === 'string' && /^[\w-]{43}$/.test(key))) {
      throw invalid('dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 7638), the DPoP key pair or its (extractable) public key');
    }
    this.#params.set('dpop_jkt', key);
    return this;
  }

  /**
   * Applies a security profile's rules, checked at build. `'fapi2'` (FAPI 2.0 Security Profile
   * and Message Signing): the request object is pushed (PAR) and signed with PS256, ES256 or
   * EdDSA, lives at most 60 minutes (`exp` − `nbf`), carries a PKCE S256 challenge and a
   * `redirect_uri`; negotiated algorithms are chosen within that list.
   *
   * @example
   * ```ts
   * builder.profile('fapi2').server(as).signWith(clientKey).codeChallenge(verifier).publishWith(par);
   * ```
   *
   * @see [FAPI 2.0 Security Profile §5.3.2](https://openid.net/specs/fapi-security-profile-2_0-final.html)
   */
  profile(name: 'fapi2'): this {
    if (name !== 'fapi2') throw invalid(`profile must be "fapi2", got "${String(name)}"`);
    this.#profile = name;
    return this;
  }

  /** `include_granted_scopes` (incremental authorization): a JSON boolean in the request object. */
  includeGrantedScopes(include = true): this {
    if (typeof include !== 'boolean') throw invalid('include_granted_scopes must be a boolean');
    this.#params.set('include_granted_scopes', include);
    return this;
  }

  /** The OpenID Connect for Identity Assurance `purpose`: 3 to 300 characters. */
  purpose(purpose: string): this {
    assertNonEmptyString(purpose, 'purpose');
    if (purpose.length < 3 || purpose.length > 300) throw invalid('purpose must be 3 to 300 characters long');
    return this.#string('purpose', purpose);
  }

  /**
   * Any other (extension) parameter, kept with its JSON type inside the request object.
   * `undefined` removes it. `request` and `request_uri` are refused (RFC 9101 §10.7).
   *
   * @example
   * ```ts
   * builder.param('acr_claims', { essential: true }).param('x-tenant', 'eu-1');
   * ```
   */
  param(name: string, value: unknown): this {
    assertNonEmptyString(name, 'parameter name');
    if (name === 'request' || name === 'request_uri') {
      throw new OAuthJarError('ERR_FORBIDDEN_PARAMETER', RESERVED[name]!);
    }
    if (Object.hasOwn(RESERVED, name)) throw invalid(`"${name}" cannot be set with param(): ${RESERVED[name]}`);
    if (value === undefined) {
      this.#params.delete(name);
      return this;
    }
    if (name === 'sub' && value === this.#clientId) throw subIsClient();
    this.#params.set(name, jsonCopy(value, `parameter "${name}"`));
    return this;
  }

  /**
   * Signs the request object with the client's private key (or HMAC secret for HS*).
   *
   * @param key A `CryptoKey` (non-extractable too), a private JWK (imported once, then reused),
   *   a Node.js `KeyObject`, or a `Uint8Array` secret for HS*.
   *
   * @example
   * ```ts
   * builder.signWith(privateJwk, { alg: 'ES256' }); // kid taken from the JWK
   * builder.server(as).signWith(clientKey);         // alg from as.request_object_signing_alg_values_supported
   * ```
   */
  signWith(key: KeyInput, options: SignWithOptions = {}): this {
    if (!isPlainObject(options)) throw invalid('signWith takes an options object');
    const { alg, kid, typ = REQUEST_OBJECT_TYP } = options;
    const { x5c, jwt } = options as SignWithOptions; // their shapes are checked at build
    // OpenID4VP 1.0 §5.9.3 (x5c and jwt themselves are checked at build, in client/openid4vp.ts).
    if (this.#clientId.startsWith('redirect_uri:')) throw new OAuthJarError('ERR_CLIENT_ID_PREFIX', 'redirect_uri: requests are never signed');
    // Without alg, the key is checked against each candidate at build (client/negotiate.ts).
    if (alg !== undefined && !isSigningAlg(alg)) {
      throw new OAuthJarError(
        'ERR_UNSUPPORTED_ALG',
        (alg as unknown) === 'none'
          ? 'alg "none" is refused: a request object must be signed (RFC 9101 §5)'
          : `"${String(alg)}" is not a supported signing algorithm`,
      );
    }
    const mismatch = alg === undefined ? undefined : keyMismatchOnce(key, alg, 'sign');
    if (mismatch) throw new OAuthJarError('ERR_KEY_MISMATCH', `the signing key does not fit: ${mismatch}`);
    if (kid !== undefined) assertNonEmptyString(kid, 'kid');
    if (typ !== false) assertNonEmptyString(typ, 'typ');
    this.#signing = { key, alg, kid: kid ?? kidOf(key), typ, x5c: Array.isArray(x5c) ? [...x5c] : x5c, jwt };
    return this;
  }

  /**
   * Configures the request for a discovered authorization server (see `discoverAuthorizationServer`):
   * the endpoint is its `authorization_endpoint`, the audience its `issuer`, a PAR publisher
   * without an endpoint uses its `pushed_authorization_request_endpoint`, and
   * {@link encryptWith} without a key encrypts to the `use: "enc"` key of its `jwks_uri` that fits
   * the algorithm (fetched once at build, then cached).
   *
   * @example
   * ```ts
   * const as = await discoverAuthorizationServer('https://as.example.com');
   * await new AuthorizationRequestBuilder('code', 'rp-1')
   *   .server(as)
   *   .signWith(clientKey, { alg: 'PS256' })
   *   .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }) // key from as.jwks_uri
   *   .build();
   * ```
   */
  server(as: AuthorizationServerMetadata): this {
    if (typeof as !== 'object' || as === null || typeof as.issuer !== 'string') {
      throw invalid('server() needs authorization server metadata with an "issuer" (from discoverAuthorizationServer)');
    }
    if (as.authorization_endpoint !== undefined) this.endpoint(as.authorization_endpoint);
    this.audience(as.issuer);
    if (as.jwks_uri !== undefined) absoluteUrl(as.jwks_uri, 'jwks_uri', { schemes: ['https:', 'http:'] });
    if (as.pushed_authorization_request_endpoint !== undefined) {
      absoluteUrl(as.pushed_authorization_request_endpoint, 'pushed_authorization_request_endpoint', { schemes: ['https:', 'http:'] });
    }
    this.#server = as;
    return this;
  }

  /**
   * Encrypts the signed request object to the authorization server's public key (or a shared
   * symmetric key), making a nested JWT: signed first, then encrypted (RFC 9101 §4, RFC 7519 §11.2).
   * Without a key (only the options, or `undefined` as the key), the key is picked at build from
   * the JWK set of the server given to {@link server}.
   *
   * @example
   * ```ts
   * builder.signWith(clientKey, { alg: 'PS256' })
   *   .encryptWith(serverEncJwk, { alg: 'RSA-OAEP-256', enc: 'A256GCM' });
   * ```
   */
  encryptWith(options?: EncryptWithOptions): this;
  encryptWith(key: KeyInput | undefined, options: EncryptWithOptions & { alg: KeyManagementAlg; enc: ContentEncryptionAlg }): this;
  encryptWith(keyOrOptions?: KeyInput | EncryptWithOptions, maybeOptions?: EncryptWithOptions): this {
    const keyless = arguments.length <= 1;
    const key = keyless ? undefined : (keyOrOptions as KeyInput | undefined);
    const options = keyless ? ((keyOrOptions as EncryptWithOptions | undefined) ?? {}) : maybeOptions;
    if (!isPlainObject(options)) throw invalid('encryptWith needs an options object with "alg" and "enc"');
    const { alg, enc, kid } = options;
    // Only the key-less form negotiates: with a key in hand, the caller knows what it is for.
    const negotiated = key === undefined;
    if (!(negotiated && alg === undefined) && !isKeyManagementAlg(alg)) {
      throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `"${String(alg)}" is not a supported key management algorithm (RSA1_5 and PBES2 are refused)`);
    }
    if (!(negotiated && enc === undefined) && !isContentEncryptionAlg(enc)) {
      throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `"${String(enc)}" is not a supported content encryption algorithm`);
    }
    if (key !== undefined && alg !== undefined) {
      const mismatch = keyMismatchOnce(key, alg, 'encrypt') ?? encryptionUseMismatch(key, alg);
      if (mismatch) throw new OAuthJarError('ERR_KEY_MISMATCH', `the encryption key does not fit: ${mismatch}`);
    }
    if (kid !== undefined) assertNonEmptyString(kid, 'kid');
    this.#encryption = { key, alg, enc, kid: kid ?? (key === undefined ? undefined : kidOf(key)) };
    return this;
  }

  /**
   * The request object's lifetime (`exp - nbf`) in seconds.
   * @default 300. At most 3600 (FAPI 1.0 Advanced §5.2.2-13).
   */
  expiresIn(seconds: number): this {
    if (!Number.isSafeInteger(seconds) || seconds <= 0) throw invalid('expiresIn must be a positive integer number of seconds');
    if (seconds > MAX_REQUEST_OBJECT_LIFETIME) {
      throw new OAuthJarError('ERR_LIFETIME_TOO_LONG', `a request object lives at most ${MAX_REQUEST_OBJECT_LIFETIME} s, asked for ${seconds} s`);
    }
    this.#lifetime = seconds;
    return this;
  }

  /**
   * The clock used for `iat`, `nbf` and `exp`, for deterministic tests.
   * @default Date.now
   *
   * @example
   * ```ts
   * builder.clock(() => new Date('2030-01-01T00:00:00Z'));
   * ```
   */
  clock(now: () => Date | number): this {
    if (typeof now !== 'function') throw invalid('clock must be a function returning a Date or epoch milliseconds');
    this.#now = () => {
      const t = now();
      return typeof t === 'number' ? t : t.getTime();
    };
    return this;
  }

  /**
   * The `jti` source: a fixed value or a function. For tests; the default is 128 random bits.
   */
  jti(source: string | (() => string)): this {
    if (typeof source === 'string') {
      assertNonEmptyString(source, 'jti');
      this.#jti = () => source;
    } else if (typeof source === 'function') {
      this.#jti = source;
    } else {
      throw invalid('jti must be a string or a function returning one');
    }
    return this;
  }

  /**
   * Also copies parameters to the URL's query, for servers that need them outside the request
   * object (OIDC Core §6.1 requires `response_type`, `client_id` and `scope`; FAPI 1.0 without PAR
   * likewise). With no names: `response_type`, `scope` and `redirect_uri`. A JAR server uses only
   * the object's values (RFC 9101 §5).
   */
  includeInQuery(...names: string[]): this {
    for (const n of names) {
      assertNonEmptyString(n, 'parameter name');
      if (n === 'request' || n === 'request_uri') throw new OAuthJarError('ERR_FORBIDDEN_PARAMETER', RESERVED[n]!);
    }
    this.#queryCopies = names.length > 0 ? names : OIDC_QUERY_COPIES;
    return this;
  }

  /**
   * Sends the request object by reference: `build()` hands it to `publisher` (PAR, a self-hosted
   * store, or your own) and the URL carries `client_id` + `request_uri` only.
   */
  publishWith(publisher: RequestUriPublisher): this {
    if (typeof publisher !== 'object' || publisher === null || typeof publisher.publish !== 'function') {
      throw invalid('publishWith needs an object with a publish(requestObject, context) method');
    }
    this.#publisher = publisher;
    return this;
  }

  /**
   * Validates the whole request, then signs (and encrypts) the request object, publishes it when
   * asked to, and returns the authorization URL.
   *
   * Without {@link signWith} it returns a plain authorization request URL with every parameter in
   * the query, as Nimbus does without a request object.
   *
   * @throws {OAuthJarError} `ERR_MISSING_ENDPOINT`, `ERR_MISSING_AUDIENCE`, `ERR_ENCRYPT_WITHOUT_SIGN`,
   *   `ERR_SIGN_FAILED`, `ERR_ENCRYPT_FAILED`, `ERR_PUBLISH_FAILED` …
   */
  async build(): Promise<AuthorizationRequest<CodeVerifier>> {
    const spec = this.#spec(); // taken now: a setter called while the stages load changes nothing
    const { buildRequest } = await (stages ??= import('./build.js'));
    // codeVerifier is the verifier given to codeChallenge(), which is what made CodeVerifier `string`.
    return buildRequest(spec) as Promise<AuthorizationRequest<CodeVerifier>>;
  }

  // The settings as the build stages read them (client/request.ts).
  #spec(): RequestSpec {
    return {
      clientId: this.#clientId,
      parameters: Object.fromEntries(this.#params),
      endpoint: this.#endpoint,
      audience: this.#audience,
      issuer: this.#issuer,
      signing: this.#signing,
      encryption: this.#encryption,
      lifetime: this.#lifetime,
      now: this.#now,
      jti: this.#jti,
      queryCopies: this.#queryCopies,
      publisher: this.#publisher,
      server: this.#server,
      codeVerifier: this.#codeVerifier,
      codeChallengeMethod: this.#codeChallengeMethod,
      codeChallenge: this.#codeChallenge,
      profile: this.#profile,
    };
  }

  #string(name: string, value: string): this {
    assertNonEmptyString(value, name);
    this.#params.set(name, value);
    return this;
  }
}

const ENCRYPTING_OPS = ['encrypt', 'wrapKey', 'deriveKey'];

/**
 * A JWK that says it is for something else: `use: "sig"` (RFC 7517 §4.2), an `alg` other than the
 * JWE `alg` (a signing alg such as `RS256` included, RFC 7517 §4.4), or `key_ops` without an
 * encrypting operation (RFC 7517 §4.3). Encrypting to such a key would work cryptographically
 * for RSA, but the server would not decrypt with it.
 */
function encryptionUseMismatch(key: KeyInput, alg: string): string | undefined {
  if (key instanceof Uint8Array || typeof key !== 'object' || key === null) return undefined;
  const jwk = key as { kty?: unknown; use?: unknown; alg?: unknown; key_ops?: unknown };
  if (typeof jwk.kty !== 'string') return undefined;
  if (jwk.use !== undefined && jwk.use !== 'enc') return `the JWK is marked use "${String(jwk.use)}", not "enc" (RFC 7517 §4.2)`;
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    return `the JWK is marked alg "${String(jwk.alg)}"${isSigningAlg(jwk.alg) ? ', a signing algorithm,' : ''} not ${alg} (RFC 7517 §4.4)`;
  }
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.some((op) => ENCRYPTING_OPS.includes(op as string))) {
    return 'the JWK\'s key_ops allow no encryption (RFC 7517 §4.3)';
  }
  return undefined;
}

function subIsClient(): OAuthJarError {
  return new OAuthJarError(
    'ERR_FORBIDDEN_PARAMETER',
    '"sub" must not equal the client_id: the object could pass as a client assertion (RFC 9101 §10.8)',
  );
}

/**
 * Makes a PKCE code verifier: 32 random bytes, base64url-encoded (43 characters, RFC 7636 §4.1).
 *
 * @example
 * ```ts
 * const verifier = generateCodeVerifier();
 * builder.codeChallenge(verifier);
 * ```
 */
export function generateCodeVerifier(): string {
  return randomToken(32);
}

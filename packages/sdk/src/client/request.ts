// What a builder hands to its build stages (client/build.ts): a snapshot of its settings, taken when
// build() is called. Types only: nothing here costs a byte in the browser bundle.
import type { ContentEncryptionAlg, KeyManagementAlg, SigningAlg } from '../crypto/algorithms.js';
import type { KeyInput } from '../crypto/types.js';
import type { RequestUriPublisher } from '../publishers/types.js';
import type { AuthorizationServerMetadata } from './discovery.js';

/**
 * What {@link AuthorizationRequestBuilder.build} returns. `CodeVerifier` is `string` once
 * {@link AuthorizationRequestBuilder.codeChallenge} was called: then `codeVerifier` needs no `undefined` check.
 *
 * @example
 * ```ts
 * const request = await builder.codeChallenge(generateCodeVerifier()).build();
 * sessionStorage.setItem('pkce', request.codeVerifier); // a string: no undefined check needed
 * ```
 */
export interface AuthorizationRequest<CodeVerifier extends string | undefined = string | undefined> {
  /** The URL to send the user agent to. */
  readonly url: URL;
  /** The compact JWS, or the JWE that wraps it; `undefined` for a plain (unsigned) request. */
  readonly requestObject: string | undefined;
  /** The request's parameters: the request object's claims, or the query of a plain request. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The PKCE code verifier given to {@link AuthorizationRequestBuilder.codeChallenge}, for the token request. */
  readonly codeVerifier: CodeVerifier;
  /** The `request_uri`, when the object was published by reference. */
  readonly requestUri: string | undefined;
  /** The publisher's `expires_in` for the `request_uri`, in seconds, when it gave one. */
  readonly expiresIn: number | undefined;
}

export interface Signing {
  key: KeyInput;
  /** `undefined`: negotiated at build from the server's metadata (client/negotiate.ts). */
  alg: SigningAlg | undefined;
  kid: string | undefined;
  typ: string | false;
  /** The `x5c` header (RFC 7515 §4.1.6), as given: checked at build (client/openid4vp.ts). */
  x5c: readonly string[] | undefined;
  /** The `jwt` header: a verifier attestation (OpenID4VP 1.0 §12). */
  jwt: string | undefined;
}

export interface Encryption {
  /** `undefined`: picked from the server's jwks_uri at build (see `.server()`). */
  key: KeyInput | undefined;
  /** `undefined` (key-less form only): negotiated at build from the server's metadata. */
  alg: KeyManagementAlg | undefined;
  enc: ContentEncryptionAlg | undefined;
  kid: string | undefined;
}

/** The builder's settings as the build stages read them. */
export interface RequestSpec {
  readonly clientId: string;
  /** Every request parameter set through the builder, `client_id` and `response_type` included; a copy that build() may extend. */
  readonly parameters: Record<string, unknown>;
  readonly endpoint: URL | undefined;
  readonly audience: string | string[] | undefined;
  readonly issuer: string | undefined;
  readonly signing: Signing | undefined;
  readonly encryption: Encryption | undefined;
  /** Seconds between `nbf` and `exp`. */
  readonly lifetime: number;
  /** The clock, in epoch milliseconds. */
  readonly now: () => number;
  /** The `jti` source; `undefined`: 128 random bits. */
  readonly jti: (() => string) | undefined;
  readonly queryCopies: readonly string[];
  readonly publisher: RequestUriPublisher | undefined;
  readonly server: AuthorizationServerMetadata | undefined;
  readonly codeVerifier: string | undefined;
  readonly codeChallengeMethod: 'S256' | 'plain';
  /** The S256 challenge of `codeVerifier`, started when it was set (client/builder.ts). */
  readonly codeChallenge: Promise<string> | undefined;
  /** A security profile whose rules build() applies (`.profile()`). */
  readonly profile: 'fapi2' | undefined;
}

import type { AuthorizationServerMetadata } from '../client/discovery.js';

/**
 * Where a request object goes when it is sent by reference (RFC 9101 §5.2): PAR (RFC 9126), a
 * self-hosted store, or your own. The builder calls {@link RequestUriPublisher.publish} once per
 * build and puts the returned `requestUri` in the authorization URL.
 *
 * @example
 * ```ts
 * const myPublisher: RequestUriPublisher = {
 *   async publish(requestObject, { clientId }) {
 *     const id = await myStore.save(clientId, requestObject);
 *     return { requestUri: `https://rp.example.com/jar/${id}`, expiresIn: 60 };
 *   },
 * };
 * builder.signWith(key, { alg: 'ES256' }).publishWith(myPublisher);
 * ```
 */
export interface RequestUriPublisher {
  /**
   * Publishes a compact request object (JWS or JWE) and returns the `request_uri` that refers to it.
   */
  publish(requestObject: string, context: PublishContext): Promise<{ requestUri: string; expiresIn?: number; requestUriMethod?: 'get' | 'post' }>;
}

/**
 * What a wallet asked for when it POSTed to a `request_uri` (OpenID4VP 1.0 §5.10), as
 * {@link PublishContext.reissue} takes it.
 */
export interface ReissueOptions {
  /** The wallet's `wallet_nonce`: put in the object only when the wallet sent one. */
  walletNonce?: string;
  /** The `aud`: the wallet's `issuer`, when its metadata has one (OpenID4VP 1.0 §5.8). */
  audience?: string;
  /** The wallet's `request_object_signing_alg_values_supported`: the signing alg must be one. */
  signingAlgs?: readonly string[];
  /** Encrypt the object to this key of the wallet's `jwks`. */
  encryptTo?: { key: import('../crypto/types.js').JWK; alg: string; enc: string };
}

/**
 * What the builder tells a {@link RequestUriPublisher} about the request it publishes.
 */
export interface PublishContext {
  /** The request's `client_id`. */
  clientId: string;
  /**
   * The authorization server's issuer identifier, when the builder knows it (from `.audience()`
   * with one value, or `.server(as)`). PAR uses it as the `aud` of a `private_key_jwt` assertion.
   */
  issuer?: string;
  /** The AS's `pushed_authorization_request_endpoint`, when `.server(as)` gave one (RFC 9126 §5). */
  pushedAuthorizationRequestEndpoint?: string;
  /**
   * Makes a fresh request object for the same request, signed with the same key: for a wallet's
   * `request_uri_method=post` (OpenID4VP 1.0 §5.10), which may add a `wallet_nonce`, name its own
   * `aud`, limit the algorithms and ask for encryption.
   */
  reissue?: (options?: ReissueOptions) => Promise<string>;
  /**
   * The server's metadata, when `.server(as)` gave it: PAR reads its
   * `token_endpoint_auth_signing_alg_values_supported` and `mtls_endpoint_aliases` (RFC 8705 §5).
   */
  server?: AuthorizationServerMetadata;
}

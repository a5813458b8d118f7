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
  publish(requestObject: string, context: PublishContext): Promise<{ requestUri: string; expiresIn?: number }>;
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
   * The server's metadata, when `.server(as)` gave it: PAR reads its
   * `token_endpoint_auth_signing_alg_values_supported` and `mtls_endpoint_aliases` (RFC 8705 §5).
   */
  server?: AuthorizationServerMetadata;
}

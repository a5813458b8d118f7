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
  publish(requestObject: string, context: { clientId: string }): Promise<{ requestUri: string; expiresIn?: number }>;
}

import type { AuthorizationRequestParameters, ClientMetadata } from './types.js';

/**
 * The response modes an error redirect can be sent in: RFC 6749's `query` and `fragment`, OAuth
 * 2.0 Form Post Response Mode's `form_post`, and JARM's `jwt`, `query.jwt`, `fragment.jwt` and
 * `form_post.jwt`.
 *
 * @example
 * ```ts
 * if (err.responseMode?.endsWith('jwt')) console.log('the client asked for a JWT-secured response');
 * ```
 */
export type ResponseMode = 'query' | 'fragment' | 'form_post' | 'jwt' | 'query.jwt' | 'fragment.jwt' | 'form_post.jwt';

const MODES = new Set<string>(['query', 'fragment', 'form_post', 'jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt']);

/**
 * Where an error may be sent back to, once the client and its `redirect_uri` are validated: what
 * the verifier gives an {@link AuthorizationRequestError} (its `clientId`, `redirectUri`, `state`
 * and `responseMode`).
 *
 * @example
 * ```ts
 * const redirect: ErrorRedirect = { clientId: 'c1', redirectUri: 'https://client.example.org/cb', state: 'af0ifjsldkj', responseMode: 'query' };
 * throw new AuthorizationRequestError('invalid_request', 'profile', 'the request is missing nonce', { redirect });
 * ```
 */
export interface ErrorRedirect {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  responseMode: ResponseMode;
}

/**
 * The `redirect_uri` to use for `client`, or `undefined` when none is valid: `requested` when it
 * equals one of the client's registered `redirect_uris` character for character (RFC 6749
 * §3.1.2.3, RFC 9700 §4.1.3: exact string matching), or the only registered one when the request
 * names none (RFC 6749 §3.1.2.3). No port is ignored for loopback redirect URIs (RFC 8252 §7.3
 * allows it; oauth-jar does not: register each port, or compare yourself). A client without
 * registered `redirect_uris` has no valid one.
 */
export function registeredRedirectUri(client: ClientMetadata, requested: unknown): string | undefined {
  const registered = client.redirect_uris;
  if (!Array.isArray(registered)) return undefined;
  if (requested === undefined) return registered.length === 1 && typeof registered[0] === 'string' ? registered[0] : undefined;
  return typeof requested === 'string' && registered.includes(requested) ? requested : undefined;
}

/**
 * The response mode to answer in: the request's `response_mode` when it names a known mode, else
 * the default of its `response_type`: `fragment` when it issues a token from the authorization
 * endpoint (`token`, `id_token`: OAuth 2.0 Multiple Response Type Encoding Practices §5), `query`
 * otherwise (RFC 6749 §4.1.2.1).
 */
export function responseModeOf(responseMode: unknown, responseType: unknown): ResponseMode {
  if (typeof responseMode === 'string' && MODES.has(responseMode)) return responseMode as ResponseMode;
  const types = typeof responseType === 'string' ? responseType.split(' ') : [];
  return types.includes('token') || types.includes('id_token') ? 'fragment' : 'query';
}

/**
 * Where a refused request's error goes, read from parameters the verifier trusts: a plain
 * request's query, or a request object whose signature verified. Never from an object that did
 * not verify: there `state` and `response_mode` could be anyone's (RFC 9101 §6.3).
 */
export function errorRedirect(clientId: string, client: ClientMetadata, parameters: Readonly<AuthorizationRequestParameters>): ErrorRedirect | undefined {
  const redirectUri = registeredRedirectUri(client, parameters.redirect_uri);
  if (redirectUri === undefined) return undefined;
  return {
    clientId,
    redirectUri,
    state: typeof parameters.state === 'string' ? parameters.state : undefined,
    responseMode: responseModeOf(parameters.response_mode, parameters.response_type),
  };
}

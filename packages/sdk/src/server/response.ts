import { AuthorizationRequestError } from './errors.js';

/**
 * How {@link authorizationErrorResponse} answers.
 *
 * @example
 * ```ts
 * authorizationErrorResponse(err, { redirectUri: validatedRedirectUri, state, issuer, responseMode: 'fragment' });
 * ```
 */
export interface ErrorResponseOptions {
  /**
   * The client's `redirect_uri`, **only once the caller has validated it** against the client's
   * registration. Without it (or when the client itself is unknown) the answer is a direct 400.
   */
  redirectUri?: string | URL | undefined;
  /** The `state` to return with a redirect, as the caller trusts it. */
  state?: string | undefined;
  /** The authorization server's issuer identifier, sent as `iss` with a redirect (RFC 9207). */
  issuer?: string | undefined;
  /**
   * Where the redirect carries the parameters.
   * @default 'query'
   */
  responseMode?: 'query' | 'fragment';
  /**
   * The body of a direct answer.
   * @default 'json'
   */
  format?: 'json' | 'html';
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * Turns a verification failure into the HTTP answer RFC 6749 §4.1.2.1 prescribes: a `303`
 * redirect to the validated `redirect_uri` with `error`, `error_description`, `state` and `iss`
 * (RFC 9207), or, when there is no validated `redirect_uri` or the client is unknown, a direct
 * `400` in JSON or HTML. Anything that is not an {@link AuthorizationRequestError} becomes a
 * `500 server_error` whose description reveals nothing.
 *
 * @example
 * ```ts
 * try {
 *   const { parameters } = await verifier.verify(url.searchParams);
 *   // … validate parameters.redirect_uri against the client, then continue
 * } catch (err) {
 *   return authorizationErrorResponse(err, { issuer: 'https://as.example.com' }); // 400 JSON
 * }
 * ```
 *
 * @see [RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)
 */
export function authorizationErrorResponse(error: unknown, options: ErrorResponseOptions = {}): Response {
  const known = error instanceof AuthorizationRequestError;
  const code = known ? error.error : 'server_error';
  const description = known ? error.error_description : 'the authorization request could not be processed';
  const status = known ? error.status : 500;

  if (options.redirectUri !== undefined && (!known || error.redirectable)) {
    const location = new URL(options.redirectUri);
    const params = new URLSearchParams();
    params.set('error', code);
    params.set('error_description', description);
    if (options.state !== undefined) params.set('state', options.state);
    if (options.issuer !== undefined) params.set('iss', options.issuer);
    if (options.responseMode === 'fragment') {
      location.hash = params.toString();
    } else {
      params.forEach((v, k) => location.searchParams.set(k, v));
    }
    return new Response(null, { status: 303, headers: { location: location.href, 'cache-control': 'no-store' } });
  }

  if (options.format === 'html') {
    const body =
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(code)}</title></head>` +
      `<body><h1>${escapeHtml(code)}</h1><p>${escapeHtml(description)}</p></body></html>`;
    return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
  }
  return new Response(JSON.stringify({ error: code, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

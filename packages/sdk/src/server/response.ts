import { AuthorizationRequestError, safeDescription } from './errors.js';
import type { ResponseMode } from './redirect.js';

/**
 * How {@link authorizationErrorResponse} answers. With a refusal from the verifier, `issuer` is
 * usually all it needs: the error carries the validated `redirect_uri`, `state` and response mode.
 *
 * @example
 * ```ts
 * authorizationErrorResponse(err, { issuer: 'https://as.example.com' });
 * // a check of your own, after verify(): say where to redirect
 * authorizationErrorResponse(err, { redirectUri: validatedRedirectUri, state, issuer, responseMode: 'fragment' });
 * ```
 */
export interface ErrorResponseOptions {
  /**
   * The client's `redirect_uri`, **only once the caller has validated it** against the client's
   * registration; it replaces the error's own `redirectUri`, `state` and `responseMode` (the
   * `state` and `responseMode` given here are used, not the error's). Without it, the error's
   * validated `redirectUri` is used ({@link AuthorizationRequestError.redirectUri}); without
   * either (or when the client itself is unknown) the answer is a direct 400.
   * A value that does not parse, or whose scheme could run script or has no authority
   * (`javascript:`, `data:`, `vbscript:`, `blob:`, `file:`, `intent:`, …), is never redirected to: the answer
   * is the direct one. Private-use schemes of native apps (`com.example.app:/cb`, RFC 8252 §7.1)
   * are redirected to.
   */
  redirectUri?: string | URL | undefined;
  /** The `state` to return with a redirect to `redirectUri`, as the caller trusts it. */
  state?: string | undefined;
  /** The authorization server's issuer identifier, sent as `iss` with a redirect (RFC 9207). */
  issuer?: string | undefined;
  /**
   * Where a redirect to `redirectUri` carries the parameters: the query, the fragment, or an
   * auto-submitted HTML form (OAuth 2.0 Form Post Response Mode). JARM modes (`jwt`,
   * `*.jwt`) need a response JWT signed by the server, which this function does not make:
   * errors for such clients answer with the direct 400.
   * @default 'query'
   */
  responseMode?: ResponseMode;
  /**
   * The body of a direct answer.
   * @default 'json'
   */
  format?: 'json' | 'html';
}

// Schemes a browser would run, render or read locally instead of handing to an application:
// script and inline content, local files, browser internals and extensions, archive viewers, and
// Android's `intent:` (the browser itself parses it and may open any app or a fallback URL).
const NEVER_REDIRECT = new Set([
  'javascript:', 'data:', 'vbscript:', 'blob:', 'file:', 'about:', 'filesystem:', 'view-source:', 'mhtml:',
  'intent:', 'jar:', 'resource:', 'chrome:', 'chrome-extension:', 'moz-extension:', 'ms-browser-extension:',
  'safari-extension:', 'edge:', 'opera:', 'brave:',
]);
// RFC 8252 §7.1: a private-use scheme is a reverse domain name (at least one dot), with a path.
const PRIVATE_USE = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:\/[^/]/;
// RFC 6749 §4.1.2.1: error codes use the same character set as error_description.
const ERROR_CODE = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** The redirect target, or `undefined` when it must not be redirected to. Never throws. */
function redirectTarget(value: unknown): URL | undefined {
  if (typeof value !== 'string' && !(value instanceof URL)) return undefined;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return undefined;
  }
  if (NEVER_REDIRECT.has(url.protocol)) return undefined;
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.hostname === '' ? undefined : url;
  const afterScheme = url.href.slice(url.protocol.length);
  // Hierarchical with an authority (`myapp://cb`), or an RFC 8252 §7.1 private-use scheme.
  return afterScheme.startsWith('//') || PRIVATE_USE.test(url.href) ? url : undefined;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * Turns a verification failure into the HTTP answer RFC 6749 §4.1.2.1 prescribes: a `303`
 * redirect to the validated `redirect_uri` with `error`, `error_description`, `state` and `iss`
 * (RFC 9207) in the query, or in the fragment for `token` / `id_token` response types, or a `200`
 * page that posts them for `form_post`; or, when there is no validated `redirect_uri`, the client
 * is unknown, or the client asked for a JARM response (`*.jwt`), a direct `400` in JSON or HTML.
 * The validated `redirect_uri`, `state` and response mode come with the verifier's error
 * ({@link AuthorizationRequestError.redirectUri}), or from `options`. Anything that is not an {@link AuthorizationRequestError} becomes a
 * `500 server_error` whose description reveals nothing. The `error_description` is checked again
 * against the RFC 6749 §4.1.2.1 character set and length cap. Never throws.
 *
 * @example
 * ```ts
 * try {
 *   const { parameters } = await verifier.verify(url.searchParams);
 *   // parameters.redirect_uri is one the client registered (when it registered redirect_uris)
 * } catch (err) {
 *   // 303 to the client's redirect_uri with error, state and iss, or a 400 before that is valid
 *   return authorizationErrorResponse(err, { issuer: 'https://as.example.com' });
 * }
 * ```
 *
 * @see [RFC 6749 §4.1.2.1](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1)
 */
export function authorizationErrorResponse(error: unknown, options: ErrorResponseOptions = {}): Response {
  try {
    return respond(error, options ?? {});
  } catch {
    // Options of the wrong type (a Symbol state, …) must not turn an error answer into a crash.
    return respond(undefined, {});
  }
}

function respond(error: unknown, options: ErrorResponseOptions): Response {
  const known = error instanceof AuthorizationRequestError && typeof error.error === 'string' && ERROR_CODE.test(error.error);
  const code = known ? error.error : 'server_error';
  const description = safeDescription(known ? error.error_description : 'the authorization request could not be processed');
  const status = known && Number.isInteger(error.status) && error.status >= 400 && error.status <= 599 ? error.status : known ? 400 : 500;

  // The caller's validated redirect_uri, else the one the verifier validated (carried by the error).
  const own = options.redirectUri !== undefined;
  const target = own ? options.redirectUri : known ? error.redirectUri : undefined;
  const state = own ? options.state : known ? error.state : undefined;
  const mode = own ? options.responseMode : known ? error.responseMode : undefined;
  const jarm = typeof mode === 'string' && mode.endsWith('jwt');
  const location = target !== undefined && !jarm && (!known || error.redirectable === true) ? redirectTarget(target) : undefined;
  if (location) {
    const params = new URLSearchParams();
    params.set('error', code);
    params.set('error_description', description);
    if (typeof state === 'string') params.set('state', state);
    if (options.issuer !== undefined) params.set('iss', options.issuer);
    if (mode === 'form_post') return formPost(location, params);
    if (mode === 'fragment') {
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

/** OAuth 2.0 Form Post Response Mode §2: a page that POSTs the parameters to the redirect_uri. */
function formPost(location: URL, params: URLSearchParams): Response {
  let inputs = '';
  params.forEach((v, k) => {
    inputs += `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`;
  });
  const body =
    '<!doctype html><html><head><meta charset="utf-8"><title>Submit</title></head>' +
    `<body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(location.href)}">${inputs}` +
    '<noscript><button type="submit">Continue</button></noscript></form></body></html>';
  return new Response(body, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

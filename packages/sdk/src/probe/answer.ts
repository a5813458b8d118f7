import type { HttpResponse } from '../http/client.js';

/** What the authorization server did with one request. */
export interface Observation {
  answer: 'accepted' | 'refused' | 'error';
  status?: number;
  /** The OAuth `error` code of a refusal. */
  error?: string;
  /** The `state` of an error redirect. */
  state?: string;
  /** In words, for the report. */
  detail: string;
}

// OAuth error codes (RFC 6749 §4.1.2.1, RFC 9101 §7, OIDC Core §3.1.2.6), to find one in an HTML page.
const CODES =
  /\b(invalid_request_object|invalid_request_uri|request_not_supported|request_uri_not_supported|invalid_request|invalid_client|unauthorized_client|unsupported_response_type|invalid_scope|access_denied|server_error|temporarily_unavailable|login_required|interaction_required|consent_required|registration_not_supported)\b/;

// RFC 6749 §4.1.2.1: error codes use %x20-21 / %x23-5B / %x5D-7E. Anything else a server sends
// (escape sequences, markup) never reaches the terminal, the JSON or the JUnit report as it is.
const PRINTABLE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,80}$/;

/** The server's `error` (or `state`) value when it is printable, else a fixed placeholder. */
export function printable(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return PRINTABLE.test(value) ? value : '(unprintable value)';
}

/**
 * Reads an authorization endpoint's answer, never following it: an error redirect to the registered
 * `redirect_uri` or a 4xx is a refusal (RFC 6749 §4.1.2.1); a redirect elsewhere (login, consent) or a
 * 2xx page is an acceptance; anything else is an error.
 */
export function readAnswer(res: HttpResponse, endpoint: URL, redirectUri: string): Observation {
  const { status } = res;
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    if (!location) return { answer: 'error', status, detail: `${status} without a Location` };
    let target: URL;
    try {
      target = new URL(location, endpoint);
    } catch {
      return { answer: 'error', status, detail: `${status} to an unparsable Location` };
    }
    const cb = new URL(redirectUri);
    if (target.origin === cb.origin && target.pathname === cb.pathname) {
      // RFC 6749 §4.1.2.1 (query) or OIDC Core §3.2.2.6 (fragment).
      const params = new URLSearchParams(target.search || target.hash.slice(1));
      const error = printable(params.get('error'));
      const state = printable(params.get('state'));
      if (error) return { answer: 'refused', status, error, ...(state !== undefined ? { state } : {}), detail: `${status} to the redirect_uri: ${error}` };
      return { answer: 'accepted', status, ...(state !== undefined ? { state } : {}), detail: `${status} to the redirect_uri without an error` };
    }
    const where = target.origin === endpoint.origin ? target.pathname : target.origin;
    // Some servers send errors to a page of their own (`/error?error=…`): a refusal all the same.
    const error = printable(target.searchParams.get('error'));
    if (error) return { answer: 'refused', status, error, detail: `${status} to ${where}: ${error}` };
    return { answer: 'accepted', status, detail: `${status} to ${where}` };
  }
  if (status >= 400 && status < 500) {
    const error = errorCode(res);
    return { answer: 'refused', status, ...(error ? { error } : {}), detail: `${status}${error ? ` ${error}` : ''}` };
  }
  if (status >= 200 && status < 300) {
    // An error page served with 200 (some servers do) names its error code; a login page does not.
    const error = /\berror[\s"':=]+([a-z_]+)/.exec(res.text())?.[1];
    if (error !== undefined && CODES.test(error)) return { answer: 'refused', status, error, detail: `${status} error page: ${error}` };
    return { answer: 'accepted', status, detail: `${status} page` };
  }
  return { answer: 'error', status, detail: `HTTP ${status}` };
}

function errorCode(res: HttpResponse): string | undefined {
  const text = res.text();
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return printable(body.error);
  } catch {
    // an HTML error page
  }
  return CODES.exec(text)?.[1];
}

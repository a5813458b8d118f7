import type { RequestSpec } from './request.js';

/**
 * Writes one parameter to a query the way OAuth servers read it: strings as they are, numbers and
 * booleans as their decimal text, several `resource` values as repeated parameters (RFC 8707 §2),
 * and objects (`claims`, `authorization_details`) as JSON text (OIDC Core §5.5, RFC 9396 §2).
 */
export function setQueryParameter(query: URLSearchParams, name: string, value: unknown): void {
  query.delete(name);
  if (typeof value === 'string') query.append(name, value);
  else if (typeof value === 'number' || typeof value === 'boolean') query.append(name, String(value));
  else if (name === 'resource' && Array.isArray(value)) for (const v of value) query.append(name, String(v));
  else query.append(name, JSON.stringify(value));
}

/** A plain authorization request (RFC 6749 §4.1.1): every parameter in the endpoint's query. */
export function plainRequestUrl(endpoint: URL, parameters: Record<string, unknown>): URL {
  const url = new URL(endpoint.href);
  for (const [name, value] of Object.entries(parameters)) setQueryParameter(url.searchParams, name, value);
  return url;
}

/**
 * The authorization URL of a JAR request (RFC 9101 §5): the endpoint's own query, `client_id`,
 * exactly one of `request` / `request_uri`, then the parameters asked to be copied outside.
 */
export function requestObjectUrl(
  r: RequestSpec,
  parameters: Record<string, unknown>,
  reference: { request: string } | { requestUri: string; requestUriMethod?: 'get' | 'post' | undefined },
): URL {
  const url = new URL(r.endpoint!.href);
  const query = url.searchParams;
  // every change re-serializes the URL: delete only what the endpoint's own query has
  if (url.search !== '') {
    if (query.has('request')) query.delete('request');
    if (query.has('request_uri')) query.delete('request_uri');
    if (query.has('request_uri_method')) query.delete('request_uri_method');
  }
  query.set('client_id', r.clientId);
  if ('requestUri' in reference) {
    query.set('request_uri', reference.requestUri);
    // OpenID4VP 1.0 §5.1: the wallet is told to POST for the object (§5.10).
    if (reference.requestUriMethod === 'post') query.set('request_uri_method', 'post');
  } else {
    query.set('request', reference.request);
  }
  for (const name of r.queryCopies) {
    if (name !== 'client_id' && parameters[name] !== undefined) setQueryParameter(query, name, parameters[name]);
  }
  return url;
}

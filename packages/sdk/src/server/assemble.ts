import type { Query } from './resolve.js';

/** JWT claims that describe the request object itself, not the authorization request. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);

// A "__proto__" parameter must stay data, not become the prototype: defineProperty for it. Every
// other name is an own data property by plain assignment, which is several times faster.
function put(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

/** A plain request's parameters: one string per name, several `resource` values as an array (RFC 8707 §2). */
export function queryParameters(query: Query): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, values] of query) {
    if (name === 'request' || name === 'request_uri') continue;
    put(out, name, name === 'resource' && values.length > 1 ? [...values] : values[0]);
  }
  return out;
}

/**
 * Step 15 of SPEC-NOTES §2: the parameters to act on. RFC 9101 §5: only the request object's;
 * with `merge` (OIDC Core §6.3.3) the query's fill in what the object lacks.
 */
export function assemble(claims: Record<string, unknown>, query: Query, merge: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = merge ? queryParameters(query) : {};
  for (const [name, value] of Object.entries(claims)) {
    if (!JWT_CLAIMS.has(name)) put(out, name, value);
  }
  return out;
}

import type { Query } from './resolve.js';

/** JWT claims that describe the request object itself, not the authorization request. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);

// Parameters live in null-prototype objects: no name (constructor, toString, …) reads through to
// Object.prototype, and none can reach a prototype. A __proto__ name is refused before this point
// (verifier.ts, claims.ts): as an own property, Object.assign({}, parameters) would set the copy's prototype.
const empty = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;

/** A plain request's parameters: one string per name, several `resource` values as an array (RFC 8707 §2). */
export function queryParameters(query: Query): Record<string, unknown> {
  const out = empty();
  for (const [name, values] of query) {
    if (name === 'request' || name === 'request_uri') continue;
    out[name] = name === 'resource' && values.length > 1 ? [...values] : values[0];
  }
  return out;
}

/** Parameters a PAR store returned, copied into a null-prototype object. */
export function copyParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(empty(), parameters);
}

/**
 * The parameters to act on. RFC 9101 §5: only the request object's; with `merge` (OIDC Core
 * §6.3.3) the query's fill in what the object lacks.
 */
export function assemble(claims: Record<string, unknown>, query: Query, merge: boolean): Record<string, unknown> {
  const out = merge ? queryParameters(query) : empty();
  for (const [name, value] of Object.entries(claims)) {
    if (!JWT_CLAIMS.has(name)) out[name] = value;
  }
  return out;
}

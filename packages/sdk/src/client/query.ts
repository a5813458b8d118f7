/**
 * Writes one parameter to a query the way OAuth servers read it: strings as they are, numbers and
 * booleans as their decimal text, several `resource` values as repeated parameters (RFC 8707 §2),
 * and objects (`claims`, `authorization_details`) as JSON text (OIDC Core §5.5, RFC 9396 §2).
 */
export function toQuery(query: URLSearchParams, name: string, value: unknown): void {
  query.delete(name);
  if (typeof value === 'string') query.append(name, value);
  else if (typeof value === 'number' || typeof value === 'boolean') query.append(name, String(value));
  else if (name === 'resource' && Array.isArray(value)) for (const v of value) query.append(name, String(v));
  else query.append(name, JSON.stringify(value));
}

/**
 * The deepest nesting the verifier accepts in a request object's header or claims: the header or
 * claims object itself counts as level 1, so `{ "a": { "b": [1] } }` is 3 deep. No OAuth or
 * OpenID parameter comes close (OIDC Core §5.5 `claims` is 3–4 deep); deeper JSON only serves to
 * exhaust the recursion of whatever serializes the parameters later.
 *
 * @example
 * ```ts
 * import { MAX_JSON_DEPTH } from 'oauth-jar/server';
 * console.log(MAX_JSON_DEPTH); // 32
 * ```
 */
export const MAX_JSON_DEPTH = 32;

/**
 * What makes parsed JSON unacceptable: nesting deeper than `maxDepth`, or a `__proto__` member
 * (at any level), which no copy made with `Object.assign` or a deep merge can carry as data.
 * The recursion stops at `maxDepth`, so no input can exhaust the stack. `undefined` when the value is fine.
 */
export function jsonIssue(value: unknown, maxDepth = MAX_JSON_DEPTH): 'depth' | 'proto' | undefined {
  return typeof value === 'object' && value !== null ? walk(value, 1, maxDepth) : undefined;
}

function walk(node: object, depth: number, maxDepth: number): 'depth' | 'proto' | undefined {
  if (depth > maxDepth) return 'depth';
  if (Array.isArray(node)) {
    for (const item of node) {
      if (typeof item === 'object' && item !== null) {
        const problem = walk(item, depth + 1, maxDepth);
        if (problem) return problem;
      }
    }
    return undefined;
  }
  // for…in: JSON objects have no inherited enumerable members, and it allocates no key array.
  for (const key in node) {
    if (key === '__proto__') return 'proto';
    const item = (node as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) {
      const problem = walk(item, depth + 1, maxDepth);
      if (problem) return problem;
    }
  }
  return undefined;
}

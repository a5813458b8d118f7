// What a compact JWT looks like, and how long a request object may live: one home for each.

/** RFC 7515 §7.1 / RFC 7516 §7.1: base64url segments separated by dots (3 for a JWS, 5 for a JWE). */
const SEGMENT = '[A-Za-z0-9_-]*';
const COMPACT_JWS = new RegExp(`^${SEGMENT}(\\.${SEGMENT}){2}$`);
const COMPACT_JWE = new RegExp(`^${SEGMENT}(\\.${SEGMENT}){4}$`);

/** Whether `value` has the shape of a compact JWS (3 segments). Nothing is decoded or verified. */
export function isCompactJws(value: string): boolean {
  return COMPACT_JWS.test(value);
}

/** Whether `value` has the shape of a compact JWE (5 segments). Nothing is decoded or verified. */
export function isCompactJwe(value: string): boolean {
  return COMPACT_JWE.test(value);
}

/** Whether `value` has the shape of a compact JWS or JWE. */
export function isCompactJwt(value: string): boolean {
  return COMPACT_JWS.test(value) || COMPACT_JWE.test(value);
}

/**
 * The longest a request object may live, in seconds: FAPI 1.0 Advanced §5.2.2-13 and FAPI 2.0
 * Message Signing allow `exp - nbf` of at most 60 minutes (and an `nbf` at most that old).
 */
export const MAX_REQUEST_OBJECT_LIFETIME = 3600;

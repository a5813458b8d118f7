import { isPlainObject } from '../lib/validate.js';
import { refuse } from './errors.js';
import { jsonIssue, MAX_JSON_DEPTH } from './json.js';
import type { AuthorizationRequestParameters } from './types.js';

// Registered parameters that are JSON objects, arrays or numbers inside a request object but
// strings in a query (OIDC Core §5.5 `claims`, RFC 9396 §2 `authorization_details`, OIDC Core
// §3.1.2.1 `max_age`): a plain request's (or a merge's, or a PAR store's) values are parsed here,
// so that `parameters` has one type per name, whatever carried it.
const STRINGS = [
  'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method',
  'response_mode', 'prompt', 'dpop_jkt', 'login_hint', 'id_token_hint', 'acr_values', 'ui_locales', 'claims_locales', 'display',
] as const;

const wrongType = (name: string, expected: string) =>
  refuse('invalid_request', 'claim_type', `the ${name} parameter must be ${expected}`);

function parsedJson(value: string, name: string, expected: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw wrongType(name, expected);
  }
  const flaw = jsonIssue(parsed);
  if (flaw === 'depth') throw refuse('invalid_request', 'claim_type', `the ${name} parameter is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (flaw === 'proto') throw refuse('invalid_request', 'claim_type', `the ${name} parameter has a __proto__ member`);
  return parsed;
}

/**
 * Gives the registered parameters their types, in place: strings stay strings, `max_age` becomes
 * a number, `claims` an object, `authorization_details` an array of objects, `resource` a string
 * or an array of strings. A value that cannot have its type is refused (`invalid_request`).
 * Extension parameters are left as they came.
 */
export function typeParameters(parameters: Record<string, unknown>): AuthorizationRequestParameters {
  for (const name of STRINGS) {
    if (parameters[name] !== undefined && typeof parameters[name] !== 'string') throw wrongType(name, 'a string');
  }
  const maxAge = parameters.max_age;
  if (typeof maxAge === 'string') {
    if (!/^\d{1,15}$/.test(maxAge)) throw wrongType('max_age', 'a non-negative integer');
    parameters.max_age = Number(maxAge);
  } else if (maxAge !== undefined && !(Number.isSafeInteger(maxAge) && (maxAge as number) >= 0)) {
    throw wrongType('max_age', 'a non-negative integer');
  }
  if (typeof parameters.claims === 'string') parameters.claims = parsedJson(parameters.claims, 'claims', 'a JSON object');
  if (parameters.claims !== undefined && !isPlainObject(parameters.claims)) throw wrongType('claims', 'a JSON object');
  const details = 'authorization_details';
  if (typeof parameters[details] === 'string') parameters[details] = parsedJson(parameters[details], details, 'a JSON array of objects');
  if (parameters[details] !== undefined && !(Array.isArray(parameters[details]) && parameters[details].every(isPlainObject))) {
    throw wrongType(details, 'a JSON array of objects');
  }
  const resource = parameters.resource;
  if (resource !== undefined && typeof resource !== 'string' && !(Array.isArray(resource) && resource.every((r) => typeof r === 'string'))) {
    throw wrongType('resource', 'a string or an array of strings');
  }
  return parameters as AuthorizationRequestParameters;
}

import { fetchRequestObject } from '../http/request-uri.js';
import { withDeadline } from '../lib/deadline.js';
import type { GuardedFetcher } from '../http/guard.js';
import type { Config } from './config.js';
import { AuthorizationRequestError, preview, refuse } from './errors.js';
import { checkClientMetadata } from './metadata.js';
import type { ClientMetadata } from './types.js';

/**
 * RFC 9126 §2.2: the URN prefix of a pushed authorization request's `request_uri`.
 *
 * @example
 * ```ts
 * const requestUri = `${PAR_URN_PREFIX}${randomId}`;
 * ```
 */
export const PAR_URN_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** The query of an authorization request: every value of every parameter, in order. */
export type Query = Map<string, string[]>;

/** What the authorization request is before any crypto: who sent it and where its request object is. */
export interface Resolved {
  clientId: string;
  client: ClientMetadata;
  query: Query;
  source: 'query' | 'request' | 'request_uri' | 'par';
  /** The compact request object (JWS or JWE), when there is one. */
  object: string | undefined;
  requestUri: string | undefined;
  /** Parameters a PAR store returned already verified. */
  pushedParameters: Record<string, unknown> | undefined;
  /** Whether the PAR store vouches that `pushedParameters` came from a verified signed request object. */
  pushedFromSignedObject: boolean;
}

/** Accepts a `URLSearchParams`, or a plain object as Express' `req.query` / a parsed form body gives. */
export function toQuery(input: unknown): Query {
  const query: Query = new Map();
  const add = (k: string, v: unknown) => {
    if (typeof v !== 'string') {
      // The parameter name is the request's: it goes to `detail` (logs), not error_description.
      throw refuse('invalid_request', 'repeated_parameter', 'every parameter value must be a string', undefined, `parameter ${preview(k)}`);
    }
    const list = query.get(k);
    if (list) list.push(v);
    else query.set(k, [v]);
  };
  if (input instanceof URLSearchParams) {
    input.forEach((v, k) => add(k, v));
  } else if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    for (const [k, v] of Object.entries(input)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) add(k, item);
      else add(k, v);
    }
  } else {
    throw refuse('invalid_request', 'repeated_parameter', 'the authorization request parameters must be a URLSearchParams or an object');
  }
  return query;
}

function single(query: Query, name: string): string | undefined {
  const values = query.get(name);
  if (values === undefined) return undefined;
  // RFC 6749 §3.1: parameters MUST NOT be included more than once.
  if (values.length > 1) throw refuse('invalid_request', 'repeated_parameter', `the ${name} parameter is repeated (RFC 6749 §3.1)`);
  return values[0];
}

// What follows a registered prefix must stay below it for the host too: an encoded `/` or `\`, a
// raw `\`, or an encoded dot (`%2e%2e`, `.%2E`) is a way out on servers that decode before routing.
const ESCAPES = /%2f|%5c|\\|%2e/i;
const escapes = (rest: string) => ESCAPES.test(rest.replace(/[?#].*$/, ''));

/**
 * Whether `uri` matches one of the client's registered `request_uris`: the same URL with the
 * fragment ignored, or a registered value ending in `/` that prefixes it. Both sides are compared
 * after URL normalization, so `..` segments cannot climb out of a registered prefix; a path below
 * the prefix that holds an encoded `/` or `\` or an encoded dot (`..%2F`, `%2e%2e`) is no match.
 *
 * @example
 * ```ts
 * matchesRegisteredRequestUri('https://c.example/ro/abc#x', ['https://c.example/ro/']); // true
 * matchesRegisteredRequestUri('https://c.example/ro/../admin', ['https://c.example/ro/']); // false
 * matchesRegisteredRequestUri('https://c.example/ro/..%2Fadmin', ['https://c.example/ro/']); // false
 * ```
 */
export function matchesRegisteredRequestUri(uri: string, registered: unknown): boolean {
  if (!Array.isArray(registered)) return false;
  let target: string;
  try {
    const u = new URL(uri);
    u.hash = '';
    target = u.href;
  } catch {
    return false;
  }
  for (const value of registered) {
    if (typeof value !== 'string') continue;
    let reg: string;
    try {
      const u = new URL(value);
      u.hash = '';
      reg = u.href;
    } catch {
      continue;
    }
    if (target === reg) return true;
    if (reg.endsWith('/') && value.replace(/#.*$/, '').endsWith('/') && target.startsWith(reg) && !escapes(target.slice(reg.length))) return true;
  }
  return false;
}

/** RFC 9101 §5, §6 and RFC 6749 §4.1.2.1, before any crypto: parameters, client, feature switches, signed-object requirement, request_uri. */
export async function resolve(input: unknown, cfg: Config): Promise<Resolved> {
  const query = toQuery(input);
  // 0: the parameters that steer verification must be unambiguous.
  const clientId = single(query, 'client_id');
  const request = single(query, 'request');
  const requestUri = single(query, 'request_uri');

  // 1: the client, before anything that could lead to a redirect (RFC 6749 §4.1.2.1).
  if (clientId === undefined || clientId === '') {
    throw refuse('invalid_request', 'client_id', 'the client_id parameter is missing (RFC 9101 §5)');
  }
  let client: ClientMetadata | undefined;
  try {
    client = await cfg.getClient(clientId);
  } catch (cause) {
    throw new AuthorizationRequestError('server_error', 'internal', 'the client could not be looked up', { cause });
  }
  if (client === undefined || client === null || typeof client !== 'object') {
    throw refuse('invalid_client', 'client', 'the client_id does not name a registered client');
  }
  // Before any member of the registration steers a decision (require_signed_request_object below).
  checkClientMetadata(client);

  // 2: RFC 9101 §5: request and request_uri are mutually exclusive.
  if (request !== undefined && requestUri !== undefined) {
    throw refuse('invalid_request', 'request_and_request_uri', 'request and request_uri must not both be present (RFC 9101 §5)');
  }

  // 3: feature switches.
  const isPar = requestUri !== undefined && requestUri.startsWith(PAR_URN_PREFIX);
  if (request !== undefined && !cfg.requestSupported) {
    throw refuse('request_not_supported', 'request_not_supported', 'this server does not accept the request parameter');
  }
  if (requestUri !== undefined && (isPar ? cfg.par === undefined : cfg.requestUri === false)) {
    throw refuse(
      'request_uri_not_supported',
      'request_uri_not_supported',
      isPar ? 'this server has no pushed authorization request store' : 'this server does not fetch request_uri values',
    );
  }

  // 4: RFC 9101 §10.5: a server or client that requires request objects refuses plain requests.
  if (request === undefined && requestUri === undefined && (cfg.requireSigned || cfg.fapi || client.require_signed_request_object === true)) {
    throw refuse('invalid_request', 'signed_request_object_required', 'this request must carry a signed request object (require_signed_request_object)');
  }

  const base = { clientId, client, query, requestUri, pushedParameters: undefined, pushedFromSignedObject: false };
  if (request !== undefined) return { ...base, source: 'request', object: request };
  if (requestUri === undefined) return { ...base, source: 'query', object: undefined };

  // 5: resolve the reference.
  if (requestUri.length > 512) {
    throw refuse('invalid_request_uri', 'request_uri', 'the request_uri is longer than 512 characters (RFC 9101 §5.2)');
  }
  if (isPar) {
    let stored;
    try {
      stored = await withDeadline(() => cfg.par!(requestUri, clientId), cfg.storeTimeout, 'the PAR store');
    } catch (cause) {
      // Fail closed at once: an unreachable or slow store never lets a request through, nor holds it.
      throw new AuthorizationRequestError('temporarily_unavailable', 'internal', 'the pushed authorization request could not be looked up', { cause });
    }
    if (stored === undefined || stored === null) {
      throw refuse('invalid_request_uri', 'request_uri', 'the request_uri is unknown, expired, used, or was pushed by another client (RFC 9126 §4)');
    }
    if ('request' in stored && typeof stored.request === 'string') {
      return { ...base, source: 'par', object: stored.request };
    }
    if ('parameters' in stored && typeof stored.parameters === 'object' && stored.parameters !== null) {
      return {
        ...base,
        source: 'par',
        object: undefined,
        pushedParameters: stored.parameters,
        pushedFromSignedObject: (stored as { fromSignedRequestObject?: unknown }).fromSignedRequestObject === true,
      };
    }
    throw new AuthorizationRequestError('server_error', 'internal', 'the PAR store returned neither a request nor parameters');
  }

  if (cfg.requireRegistration && !matchesRegisteredRequestUri(requestUri, client.request_uris)) {
    throw refuse('invalid_request_uri', 'request_uri', 'the request_uri is not one of the client\'s registered request_uris');
  }
  let object: string;
  try {
    object = await fetchRequestObject(requestUri, cfg.requestUri as GuardedFetcher);
  } catch (cause) {
    // RFC 9101 §10.4: one answer whatever the network did (refused address, closed port, non-200,
    // wrong type, timeout), or the verifier becomes a port scanner. The detail is in `cause`.
    throw refuse('invalid_request_uri', 'request_uri', 'the request_uri could not be fetched', cause);
  }
  return { ...base, source: 'request_uri', object };
}

import { OAuthJarError } from '../errors.js';
import { fetchRequestObject } from '../http/request-uri.js';
import { withDeadline } from '../lib/deadline.js';
import type { GuardedFetcher } from '../http/guard.js';
import type { Config } from './config.js';
import { AuthorizationRequestError, preview, refuse } from './errors.js';
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

/** Accepts a `URLSearchParams`, or a plain object as Express' `req.query` / a parsed form body gives. */
function toQuery(input: unknown): Query {
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

// What follows a registered prefix must stay below it for the host too, whatever the host
// decodes or rewrites before routing. So its path is held to an allow-list (RFC 3986 §3.3 pchar
// without `%` and `;`): no percent-encoding at all (`%2e%2e`, `%252e`, overlong UTF-8 `%c0%ae`),
// no `;` (`..;/` path parameters), no `\`, and no `.` or `..` segment. The query is not routed, so
// it is left as the URL parser encoded it.
const SUFFIX_PATH = /^[A-Za-z0-9._~!$&'()*+,=:@/-]*$/;
function staysBelow(rest: string): boolean {
  const path = rest.replace(/[?#].*$/, '');
  return SUFFIX_PATH.test(path) && !path.split('/').some((segment) => segment === '.' || segment === '..');
}

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
    if (reg.endsWith('/') && value.replace(/#.*$/, '').endsWith('/') && target.startsWith(reg) && staysBelow(target.slice(reg.length))) return true;
  }
  return false;
}

/** The authorization request's parameters, checked (step `repeated_parameter`). */
export interface Parameters {
  query: Query;
  clientId: string | undefined;
  request: string | undefined;
  requestUri: string | undefined;
}

/**
 * Step `repeated_parameter` (RFC 6749 §3.1): string values only, no parameter repeated (RFC 8707
 * §2 allows several `resource` values), none named `__proto__`. In every mode: a JAR server
 * ignores the query's copies, but a merge or a later step might not.
 */
export function readParameters(input: unknown): Parameters {
  const query = toQuery(input);
  for (const [name, values] of query) {
    if (values.length > 1 && name !== 'resource') {
      throw refuse('invalid_request', 'repeated_parameter', 'a parameter is repeated (RFC 6749 §3.1)', undefined, `parameter ${preview(name)}`);
    }
    if (name === '__proto__') throw refuse('invalid_request', 'repeated_parameter', 'a parameter named __proto__ is refused');
  }
  const first = (name: string) => query.get(name)?.[0];
  return { query, clientId: first('client_id'), request: first('request'), requestUri: first('request_uri') };
}

/**
 * Step `client`: the registered client, looked up before anything that could lead to a redirect
 * (RFC 6749 §4.1.2.1). A synchronous `getClient` is answered synchronously.
 */
export function lookUpClient(clientId: string, cfg: Config): ClientMetadata | Promise<ClientMetadata> {
  let answer: unknown;
  try {
    answer = cfg.getClient(clientId);
  } catch (cause) {
    throw lookupFailed(cause);
  }
  if (answer instanceof Promise || isThenable(answer)) {
    return withDeadline(() => answer as Promise<ClientMetadata | undefined>, cfg.storeTimeout, 'getClient').then(registered, (cause: unknown) => {
      throw lookupFailed(cause);
    });
  }
  return registered(answer as ClientMetadata | undefined);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A lookup that does not answer in time fails closed at once, like the stores; one that throws is a server error. */
function lookupFailed(cause: unknown): AuthorizationRequestError {
  if (cause instanceof OAuthJarError && cause.code === 'ERR_TIMEOUT') {
    return new AuthorizationRequestError('temporarily_unavailable', 'internal', 'the client could not be looked up', { cause });
  }
  return new AuthorizationRequestError('server_error', 'internal', 'the client could not be looked up', { cause });
}

function registered(client: ClientMetadata | undefined | null): ClientMetadata {
  if (client === undefined || client === null || typeof client !== 'object') {
    throw refuse('invalid_client', 'client', 'the client_id does not name a registered client');
  }
  return client;
}

/** Whether `requestUri` is a pushed authorization request's URN (RFC 9126 §2.2). */
export const isParUrn = (requestUri: string) => requestUri.startsWith(PAR_URN_PREFIX);

/**
 * RFC 9101 §10.5: whether this request must carry a signed request object: the server requires
 * it, the FAPI profile does, or the client registered `require_signed_request_object`. The one
 * place this is decided.
 */
export function signedObjectRequired(cfg: Config, client: ClientMetadata): boolean {
  return cfg.requireSigned || cfg.fapi || client.require_signed_request_object === true;
}

/** Where step `request_uri` found the request object, or the parameters a PAR store held. */
export type Dereferenced =
  | { source: 'request_uri' | 'par'; object: string }
  | { source: 'par'; object: undefined; pushedParameters: Record<string, unknown>; pushedFromSignedObject: boolean };

/**
 * Step `request_uri` (RFC 9101 §5.2, §10.4; RFC 9126 §4): a PAR URN from the AS's own store
 * (bound to this client, unexpired, one use); a URL only when registered, fetched under the
 * network guards.
 */
export async function dereference(requestUri: string, clientId: string, client: ClientMetadata, cfg: Config): Promise<Dereferenced> {
  if (requestUri.length > 512) {
    throw refuse('invalid_request_uri', 'request_uri', 'the request_uri is longer than 512 characters (RFC 9101 §5.2)');
  }
  if (isParUrn(requestUri)) {
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
    if ('request' in stored && typeof stored.request === 'string') return { source: 'par', object: stored.request };
    if ('parameters' in stored && typeof stored.parameters === 'object' && stored.parameters !== null) {
      if (Object.hasOwn(stored.parameters, '__proto__')) {
        throw refuse('invalid_request', 'request_uri', 'a parameter named __proto__ is refused');
      }
      // RFC 9126 §4: the request_uri is bound to the client that pushed it.
      const storedClientId = (stored.parameters as Record<string, unknown>).client_id;
      if (storedClientId !== undefined && storedClientId !== clientId) {
        throw refuse('invalid_request_uri', 'request_uri', 'the request_uri was pushed by another client (RFC 9126 §4)');
      }
      return {
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
  try {
    return { source: 'request_uri', object: await fetchRequestObject(requestUri, cfg.requestUri as GuardedFetcher) };
  } catch (cause) {
    // RFC 9101 §10.4: one answer whatever the network did (refused address, closed port, non-200,
    // wrong type, timeout), or the verifier becomes a port scanner. The detail is in `cause`.
    throw refuse('invalid_request_uri', 'request_uri', 'the request_uri could not be fetched', cause);
  }
}

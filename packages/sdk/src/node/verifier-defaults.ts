import type { NetworkPolicy } from '../http/guard.js';
import type { RequestObjectVerifierOptions } from '../server/types.js';
import { guardedFetch } from './guarded-fetch.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The verifier's options with Node's resolved-address check as the connection of every use that
 * has no `fetch` of its own (RFC 9101 §10.4: refuse private addresses after DNS resolution where
 * the runtime allows it). Options of the wrong shape are passed on for the verifier to report.
 */
export function withResolvedAddressCheck(options: RequestObjectVerifierOptions): RequestObjectVerifierOptions {
  if (!isObject(options)) return options;
  const network: NetworkPolicy = isObject(options.network) ? options.network : {};
  if (options.network !== undefined && !isObject(options.network)) return options;
  const fetches = new Map<boolean, typeof fetch>();
  const fetchFor = (allowPrivateNetwork: boolean) => {
    let f = fetches.get(allowPrivateNetwork);
    if (!f) fetches.set(allowPrivateNetwork, (f = guardedFetch({ allowPrivateNetwork })));
    return f;
  };
  const withFetch = <T extends NetworkPolicy>(use: T | undefined): T | undefined => {
    if (use !== undefined && !isObject(use)) return use;
    if (use?.fetch !== undefined || network.fetch !== undefined) return use;
    return { ...(use ?? {}), fetch: fetchFor((use?.allowPrivateNetwork ?? network.allowPrivateNetwork) === true) } as T;
  };
  const out: RequestObjectVerifierOptions = { ...options };
  if (options.requestUri !== false) {
    const requestUri = withFetch(options.requestUri);
    if (requestUri !== undefined) out.requestUri = requestUri;
  }
  const jwksUri = withFetch(options.jwksUri);
  if (jwksUri !== undefined) out.jwksUri = jwksUri;
  return out;
}

import { OAuthJarError, ResponseError } from '../errors.js';
import { DEFAULT_MAX_BYTES, request } from './client.js';

/**
 * How the verifier fetches a `request_uri` (RFC 9101 §5.2.3) — the SSRF guards of §10.4.
 *
 * @example
 * ```ts
 * new RequestObjectVerifier({ issuer, getClient, requestUri: { timeout: 3000, maxBytes: 32 * 1024 } });
 * ```
 */
export interface RequestUriFetchOptions {
  /**
   * Milliseconds for the whole fetch: connect, headers and body.
   * @default 5000
   */
  timeout?: number;
  /**
   * The largest request object accepted, in bytes, enforced while streaming.
   * @default 65536
   */
  maxBytes?: number;
  /**
   * Fetch `http:` URIs too. Only for loopback tests: a request object over plain HTTP can be read
   * and replaced on the way.
   * @default false
   */
  allowHttp?: boolean;
  /**
   * Fetch from IP-literal hosts in loopback, private, link-local and other reserved ranges, and from
   * `localhost`. Only for loopback tests.
   * @default false
   */
  allowPrivateNetwork?: boolean;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

const ACCEPTED_TYPES = new Set(['application/oauth-authz-req+jwt', 'application/jwt']);

function refuse(message: string): OAuthJarError {
  return new OAuthJarError('ERR_INVALID_URL', message);
}

/** Parses a dotted IPv4 address into its four octets (the WHATWG URL parser already normalized it). */
function ipv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m ? m.slice(1).map(Number) : undefined;
}

function reservedIpv4([a, b]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 || // RFC 1918
    a === 127 || // loopback
    (a === 100 && b! >= 64 && b! <= 127) || // RFC 6598 shared address space
    (a === 169 && b === 254) || // link-local (cloud metadata endpoints live here)
    (a === 172 && b! >= 16 && b! <= 31) || // RFC 1918
    (a === 192 && b === 168) || // RFC 1918
    (a === 192 && b === 0) || // RFC 6890 special purpose
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a! >= 224 // multicast and reserved, broadcast
  );
}

/** Expands an IPv6 literal (without brackets) into 8 16-bit groups. */
function ipv6Groups(host: string): number[] | undefined {
  let text = host;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // a dotted IPv4 tail (::ffff:127.0.0.1)
    const o = ipv4(last);
    if (!o) return undefined;
    tail.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const missing = 8 - h.length - r.length - tail.length;
  if (rest === undefined && missing !== 0) return undefined;
  const groups = [...h, ...new Array(Math.max(missing, 0)).fill(0), ...r, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function reservedIpv6(g: number[]): boolean {
  if (g.slice(0, 7).every((x) => x === 0) && (g[7] === 0 || g[7] === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible: judge the embedded IPv4 address
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    return reservedIpv4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  }
  if (g[0] === 0x64 && g[1] === 0xff9b) return reservedIpv4([g[6]! >> 8, g[6]! & 0xff]); // NAT64
  return (
    (g[0]! & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (g[0]! & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g[0]! & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (g[0]! & 0xff00) === 0xff00 || // multicast
    (g[0] === 0x2001 && g[1] === 0x0db8) // documentation
  );
}

/**
 * Whether a URL host is a name or IP literal that a `request_uri` must not point to: loopback,
 * private, link-local and other reserved ranges, and `localhost` names. Only IP literals and
 * reserved names are judged; a DNS name that resolves to a private address is not (the runtime
 * gives no portable way to pin the resolved address).
 *
 * @example
 * ```ts
 * isPrivateHost(new URL('https://169.254.169.254/latest').hostname); // true
 * isPrivateHost('example.com'); // false
 * ```
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[') && host.endsWith(']')) {
    const groups = ipv6Groups(host.slice(1, -1).replace(/%.*$/, ''));
    return groups === undefined ? true : reservedIpv6(groups);
  }
  const v4 = ipv4(host);
  return v4 ? reservedIpv4(v4) : false;
}

/**
 * Checks a `request_uri` against the guards that need no network: an absolute `https` URL (or
 * `http` with `allowHttp`), no credentials, no private host unless allowed. Returns the URL to
 * fetch, fragment stripped (RFC 9101 §5.2.3).
 */
export function checkRequestUri(uri: string, options: RequestUriFetchOptions = {}): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (cause) {
    throw new OAuthJarError('ERR_INVALID_URL', 'the request_uri is not an absolute URL', { cause });
  }
  if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:')) {
    throw refuse(`the request_uri must use https:, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') throw refuse('the request_uri must not contain credentials');
  if (!options.allowPrivateNetwork && isPrivateHost(url.hostname)) {
    throw refuse('the request_uri points to a loopback, private or link-local address');
  }
  url.hash = '';
  return url;
}

/**
 * Fetches a request object by reference (RFC 9101 §5.2.3) under the guards of §10.4: https only,
 * no private hosts, no redirects, a total deadline, a byte cap enforced while streaming, and the
 * content type `application/oauth-authz-req+jwt` (`application/jwt` tolerated; `text/html` and
 * everything else refused). Returns the compact JWT text. Throws {@link OAuthJarError}.
 */
export async function fetchRequestObject(uri: string, options: RequestUriFetchOptions = {}): Promise<string> {
  const url = checkRequestUri(uri, options);
  const res = await request({
    method: 'GET',
    url,
    headers: { accept: 'application/oauth-authz-req+jwt, application/jwt;q=0.9' },
    options: {
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    },
    errorCode: 'ERR_RESPONSE',
    what: 'the request_uri',
  });
  if (res.status !== 200) {
    throw new ResponseError('ERR_RESPONSE', `the request_uri answered HTTP ${res.status}, expected 200 (redirects are not followed)`, {
      status: res.status,
    });
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!ACCEPTED_TYPES.has(type)) {
    throw new ResponseError('ERR_RESPONSE', `the request_uri answered with content type "${type || '(none)'}", expected application/oauth-authz-req+jwt`, {
      status: res.status,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(res.body).trim();
  } catch (cause) {
    throw new ResponseError('ERR_RESPONSE', 'the request_uri answered with a body that is not UTF-8', { status: res.status, cause });
  }
  return text;
}

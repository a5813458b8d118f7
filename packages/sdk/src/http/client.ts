import ky, { isTimeoutError, type KyInstance, type Options } from 'ky';
import { OAuthJarError, ResponseError, type OAuthJarErrorCode } from '../errors.js';

/** Defaults shared by every outbound call oauth-jar makes. */
export interface HttpOptions {
  /**
   * Milliseconds for the whole exchange: connecting, the response headers and reading the body.
   * @default 5000
   */
  timeout?: number;
  /**
   * The largest response body accepted, in bytes, enforced while the body streams in.
   * @default 65536
   */
  maxBytes?: number;
  /** A `fetch` to use instead of the global one (tests, proxies, Workers bindings). */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT = 5000;
export const DEFAULT_MAX_BYTES = 64 * 1024;

// One ky instance for the package (docs/architecture.md: expensive work is done once). Retries are off: PAR's POST must never be repeated
// (a request_uri is single-use), and every caller owns its own retry decision. Redirects are not
// followed: a 3xx is an answer like any other, so a request_uri or discovery host cannot bounce us
// to a host that was never allowed (RFC 9101 §10.4).
// Created on first use, not at module load: a top-level call would keep ky in every browser
// bundle, including apps that only sign and never make a request.
let base: KyInstance | undefined;
function http(): KyInstance {
  return (base ??= ky.create({ retry: 0, throwHttpErrors: false, redirect: 'manual' }));
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: URLSearchParams;
  options?: HttpOptions | undefined;
  /** The error code to use for transport failures and timeouts. */
  errorCode: OAuthJarErrorCode;
  /** What the request is, for messages: "the PAR endpoint", "the request_uri". */
  what: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text(): string;
}

const utf8 = new TextDecoder();

/**
 * Makes one HTTP request with a total deadline and a streamed body cap, and maps every failure to
 * an {@link OAuthJarError} that carries the cause. Never throws anything else.
 *
 * The deadline is enforced in two parts that add up to one: ky's `timeout` up to the response
 * headers (ky aborts its own controller, so no second `AbortSignal` is chained to it), then a
 * timer for whatever is left while the body streams. Each request on this path is an undici
 * `Request` built by ky and cloned once; every extra signal or timer is measurable on a
 * low-latency link (docs/performance.md).
 */
export async function request(req: HttpRequest): Promise<HttpResponse> {
  const timeout = req.options?.timeout ?? DEFAULT_TIMEOUT;
  const maxBytes = req.options?.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = performance.now(); // monotonic: a clock step must not stretch the deadline
  let response: Response;
  try {
    // ky refuses a timeout above the largest timer delay (2^31 - 1 ms)
    const options: Options = { timeout: Math.min(timeout, 2_147_483_647) };
    if (req.method !== 'GET') options.method = req.method; // GET is ky's default: one option less to merge
    if (req.headers) options.headers = req.headers;
    if (req.body) options.body = req.body;
    if (req.options?.fetch) options.fetch = req.options.fetch;
    response = await http()(req.url, options);
  } catch (cause) {
    throw transportError(req, cause, timeout);
  }
  try {
    const body = await readLimited(response, maxBytes, timeout - (performance.now() - started));
    return { status: response.status, headers: response.headers, body, text: () => utf8.decode(body) };
  } catch (cause) {
    if (cause instanceof OAuthJarError) throw cause;
    throw transportError(req, cause, timeout);
  }
}

function transportError(req: HttpRequest, cause: unknown, timeout: number): OAuthJarError {
  if (cause === BODY_TIMEOUT || isTimeoutError(cause) || (cause as Error)?.name === 'TimeoutError' || (cause as Error)?.name === 'AbortError') {
    return new OAuthJarError('ERR_TIMEOUT', `${req.what} did not answer within ${timeout} ms`, { cause: cause === BODY_TIMEOUT ? undefined : cause });
  }
  return new OAuthJarError(req.errorCode, `${req.what} could not be reached: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}

/** The reason a body read is cancelled with when the deadline passes while it streams. */
const BODY_TIMEOUT = Symbol('body timeout');

/**
 * Reads a body, refusing (and cancelling the stream) as soon as it grows past `maxBytes` or the
 * `remaining` milliseconds of the deadline run out.
 */
async function readLimited(response: Response, maxBytes: number, remaining: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  // A cancel is never awaited: it may never settle (a tee'd body kept by a custom fetch).
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body?.cancel().catch(() => {});
    throw new ResponseError('ERR_RESPONSE', `the response body is larger than ${maxBytes} bytes`, { status: response.status });
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    void reader.cancel().catch(() => {});
  }, Math.min(Math.max(remaining, 0), 2_147_483_647));
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (expired) throw BODY_TIMEOUT;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => {});
        throw new ResponseError('ERR_RESPONSE', `the response body is larger than ${maxBytes} bytes`, { status: response.status });
      }
      chunks.push(value);
    }
  } catch (cause) {
    throw expired ? BODY_TIMEOUT : cause;
  } finally {
    clearTimeout(timer);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * Parses a JSON object body. A body that is not a JSON object is a {@link ResponseError}.
 */
export function jsonObject(res: HttpResponse, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(res.text());
  } catch (cause) {
    throw new ResponseError('ERR_RESPONSE', `${what} did not answer with JSON (HTTP ${res.status})`, { status: res.status, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ResponseError('ERR_RESPONSE', `${what} answered with JSON that is not an object (HTTP ${res.status})`, { status: res.status });
  }
  return value as Record<string, unknown>;
}

/**
 * Turns an OAuth error answer (RFC 6749 §5.2 shape) into a {@link ResponseError} carrying the
 * server's `error` and `error_description`.
 */
export function oauthError(res: HttpResponse, what: string, code: OAuthJarErrorCode = 'ERR_RESPONSE'): ResponseError {
  let error: string | undefined;
  let description: string | undefined;
  try {
    const body = JSON.parse(res.text()) as Record<string, unknown>;
    if (typeof body.error === 'string') error = body.error;
    if (typeof body.error_description === 'string') description = body.error_description;
  } catch {
    // not JSON: the status alone speaks
  }
  const detail = error ? `: ${error}${description ? ` (${description})` : ''}` : '';
  return new ResponseError(code, `${what} answered HTTP ${res.status}${detail}`, {
    status: res.status,
    ...(error !== undefined ? { error } : {}),
    ...(description !== undefined ? { error_description: description } : {}),
  });
}

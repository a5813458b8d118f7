import { ResponseError } from '../errors.js';
import { DEFAULT_MAX_BYTES, request } from './client.js';
import { checkRequestUri, type RequestUriFetchOptions } from './request-uri.js';

const ACCEPTED_TYPES = new Set(['application/oauth-authz-req+jwt', 'application/jwt']);

/**
 * Fetches a request object by reference for a wallet: GET (RFC 9101 §5.2.3) or, for
 * `request_uri_method=post`, a form POST (OpenID4VP 1.0 §5.10) with `Accept:
 * application/oauth-authz-req+jwt`. The same guards as the verifier's fetch: https only, no
 * private hosts, no redirects (OpenID4VP 1.0 §14.8), a total deadline, a streamed byte cap, and
 * the request object media type. Returns the compact JWT text. Throws {@link OAuthJarError}.
 */
export async function fetchRequestObjectFor(
  uri: string,
  method: 'get' | 'post',
  form: URLSearchParams | undefined,
  options: RequestUriFetchOptions = {},
): Promise<string> {
  const url = checkRequestUri(uri, options);
  const res = await request({
    method: method === 'post' ? 'POST' : 'GET',
    url,
    headers: {
      accept: 'application/oauth-authz-req+jwt, application/jwt;q=0.9',
      ...(method === 'post' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(method === 'post' ? { body: form ?? new URLSearchParams() } : {}),
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
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(res.body).trim();
  } catch (cause) {
    throw new ResponseError('ERR_RESPONSE', 'the request_uri answered with a body that is not UTF-8', { status: res.status, cause });
  }
}

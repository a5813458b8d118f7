import {
  isContentEncryptionAlg,
  isKeyManagementAlg,
  isSigningAlg,
  keyMismatch,
  type ContentEncryptionAlg,
  type KeyManagementAlg,
  type SigningAlg,
} from '../crypto/algorithms.js';
import { encryptCompact } from '../crypto/encrypt.js';
import { signCompact } from '../crypto/sign.js';
import type { KeyInput } from '../crypto/types.js';
import { OAuthJarError } from '../errors.js';
import { absoluteUrl, assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';

/** Default lifetime of a response JWT in seconds: long enough for a redirect, short enough to be useless later (JARM §2.1). */
export const DEFAULT_RESPONSE_LIFETIME = 120;

/** Options of {@link issueAuthorizationResponse}. */
export interface IssueAuthorizationResponseOptions {
  /** The authorization server's issuer identifier: the JWT's `iss`. */
  issuer: string;
  /** The client the response goes to: the JWT's `aud`. */
  clientId: string;
  /** The server's private signing key (CryptoKey, private JWK or KeyObject). */
  key: KeyInput;
  /** The JWS algorithm, e.g. `PS256` or `ES256` (the client's `authorization_signed_response_alg`). */
  alg: SigningAlg;
  /** The `kid` header. Defaults to the JWK's own `kid`. */
  kid?: string;
  /**
   * Seconds until `exp`.
   * @default 120
   */
  expiresIn?: number;
  /**
   * Encrypts the signed JWT to the client (JARM §2.3: signed, then encrypted), with the client's
   * public key and its `authorization_encrypted_response_alg` / `_enc`.
   */
  encryption?: { key: KeyInput; alg: KeyManagementAlg; enc: ContentEncryptionAlg; kid?: string };
  /** The clock in epoch milliseconds, for tests. @default Date.now */
  now?: () => number;
}

/**
 * Makes a JWT-secured authorization response (JARM): the response parameters (`code`, `state`,
 * or `error`, `error_description`) plus `iss`, `aud` and `exp`, signed with the server's key and,
 * when asked, encrypted to the client. The default lifetime is 120 seconds.
 *
 * @example
 * ```ts
 * import { authorizationResponse, issueAuthorizationResponse } from 'oauth-jar/server';
 *
 * const jwt = await issueAuthorizationResponse(
 *   { code, state },
 *   { issuer: 'https://as.example.com', clientId: 'rp-1', key: serverPrivateJwk, alg: 'ES256' },
 * );
 * return authorizationResponse(jwt, { redirectUri, responseMode: 'query.jwt' });
 * ```
 *
 * @see [JARM §2.1](https://openid.net/specs/oauth-v2-jarm.html#section-2.1) The JWT Response Document
 */
export async function issueAuthorizationResponse(
  parameters: Readonly<Record<string, string>>,
  options: IssueAuthorizationResponseOptions,
): Promise<string> {
  if (!isPlainObject(parameters)) throw invalid('the response parameters must be an object of strings');
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value !== 'string') throw invalid(`the response parameter "${name}" must be a string`);
    if (name === 'iss' || name === 'aud' || name === 'exp') throw invalid(`"${name}" is set from the options, not the parameters`);
  }
  if (!isPlainObject(options)) throw invalid('issueAuthorizationResponse needs options with issuer, clientId, key and alg');
  const { issuer, clientId, key, alg, kid, expiresIn = DEFAULT_RESPONSE_LIFETIME, encryption, now = Date.now } = options;
  assertNonEmptyString(issuer, 'issuer');
  assertNonEmptyString(clientId, 'clientId');
  if (!isSigningAlg(alg)) throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `"${String(alg)}" is not a supported signing algorithm`);
  const mismatch = keyMismatch(key, alg, 'sign');
  if (mismatch) throw new OAuthJarError('ERR_KEY_MISMATCH', `the signing key does not fit: ${mismatch}`);
  if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0) throw invalid('expiresIn must be a positive integer number of seconds');
  if (encryption !== undefined) {
    if (!isPlainObject(encryption) || !isKeyManagementAlg(encryption.alg) || !isContentEncryptionAlg(encryption.enc)) {
      throw new OAuthJarError('ERR_UNSUPPORTED_ALG', 'encryption needs a key and supported "alg" and "enc" (RSA1_5 and PBES2 are refused)');
    }
    const bad = keyMismatch(encryption.key, encryption.alg, 'encrypt');
    if (bad) throw new OAuthJarError('ERR_KEY_MISMATCH', `the encryption key does not fit: ${bad}`);
  }

  const iat = Math.floor(now() / 1000);
  const claims = { ...parameters, iss: issuer, aud: clientId, iat, exp: iat + expiresIn };
  const ownKid = kid ?? jwkKid(key);
  let jwt: string;
  try {
    jwt = await signCompact(claims, key, ownKid === undefined ? { alg } : { alg, kid: ownKid });
  } catch (cause) {
    throw new OAuthJarError('ERR_SIGN_FAILED', `signing the response with ${alg} failed: ${(cause as Error)?.message}`, { cause });
  }
  if (encryption) {
    const encKid = encryption.kid ?? jwkKid(encryption.key);
    // RFC 7519 §5.2: cty "JWT" marks the nested JWT; never zip (RFC 8725 §3.6).
    const header = { alg: encryption.alg, enc: encryption.enc, cty: 'JWT', ...(encKid !== undefined ? { kid: encKid } : {}) };
    try {
      jwt = await encryptCompact(jwt, encryption.key, header);
    } catch (cause) {
      throw new OAuthJarError('ERR_ENCRYPT_FAILED', `encrypting the response with ${encryption.alg}/${encryption.enc} failed: ${(cause as Error)?.message}`, { cause });
    }
  }
  return jwt;
}

/** The response modes {@link authorizationResponse} answers in (OAuth 2.0 Multiple Response Types, Form Post, JARM §2.3). */
export type AuthorizationResponseMode = 'query' | 'fragment' | 'form_post' | 'jwt' | 'query.jwt' | 'fragment.jwt' | 'form_post.jwt';

/** Options of {@link authorizationResponse}. */
export interface AuthorizationResponseOptions {
  /** The client's `redirect_uri`, **validated** against its registration. */
  redirectUri: string | URL;
  /** The response mode the request asked for. */
  responseMode: AuthorizationResponseMode;
  /**
   * The request's `response_type`; decides what `jwt` means (JARM §2.3.4: `query.jwt` for `code`,
   * `fragment.jwt` for types that return tokens).
   * @default 'code'
   */
  responseType?: string;
}

// The form_post page's only script; its hash is in the page's CSP, so nothing else can run.
const SUBMIT_SCRIPT = 'document.forms[0].submit()';
const SUBMIT_SCRIPT_HASH = "'sha256-ePniVEkSivX/c7XWBGafqh8tSpiRrKiqYeqbG7N1TOE='";
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * Delivers an authorization response to the client in its response mode: a `303` redirect with
 * the parameters in the query or the fragment, or (`form_post`, `form_post.jwt`) a page that
 * POSTs them to the `redirect_uri` by itself, under a CSP that allows only its own script and a
 * form to that URI. For the `jwt` modes pass the JWT from {@link issueAuthorizationResponse}; it
 * travels as `response`.
 *
 * @example
 * ```ts
 * const jwt = await issueAuthorizationResponse({ code, state }, { issuer, clientId, key, alg: 'PS256' });
 * return authorizationResponse(jwt, { redirectUri: 'https://rp.example.com/cb', responseMode: 'form_post.jwt' });
 * ```
 *
 * @see [JARM §2.3](https://openid.net/specs/oauth-v2-jarm.html#section-2.3) Response Modes
 */
export function authorizationResponse(response: string | Readonly<Record<string, string>>, options: AuthorizationResponseOptions): Response {
  if (!isPlainObject(options)) throw invalid('authorizationResponse needs options with redirectUri and responseMode');
  const redirect = absoluteUrl(options.redirectUri, 'redirectUri', { fragment: false });
  let mode: string = options.responseMode;
  if (mode === 'jwt') mode = (options.responseType ?? 'code').split(' ').some((t) => t === 'token' || t === 'id_token') ? 'fragment.jwt' : 'query.jwt';
  const jwtMode = mode.endsWith('.jwt');
  const params = new URLSearchParams();
  if (jwtMode) {
    assertNonEmptyString(response, 'the response JWT');
    params.set('response', response);
  } else {
    if (!isPlainObject(response)) throw invalid(`the ${mode} response mode takes the parameters as an object`);
    for (const [name, value] of Object.entries(response)) {
      assertNonEmptyString(value, `response parameter "${name}"`);
      params.set(name, value);
    }
  }
  const headers = { 'cache-control': 'no-store' };
  switch (mode) {
    case 'query':
    case 'query.jwt':
      params.forEach((v, k) => redirect.searchParams.set(k, v));
      return new Response(null, { status: 303, headers: { ...headers, location: redirect.href } });
    case 'fragment':
    case 'fragment.jwt':
      redirect.hash = params.toString();
      return new Response(null, { status: 303, headers: { ...headers, location: redirect.href } });
    case 'form_post':
    case 'form_post.jwt': {
      let inputs = '';
      params.forEach((v, k) => (inputs += `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`));
      const body =
        '<!doctype html><html><head><meta charset="utf-8"><title>Submitting…</title></head><body>' +
        `<form method="post" action="${escapeHtml(redirect.href)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>` +
        `<script>${SUBMIT_SCRIPT}</script></body></html>`;
      const csp = `default-src 'none'; script-src ${SUBMIT_SCRIPT_HASH}; form-action ${cspSource(redirect)}; frame-ancestors 'none'; base-uri 'none'`;
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' },
      });
    }
    default:
      throw invalid(`unknown response mode "${options.responseMode}"`);
  }
}

// A CSP source expression for the redirect URI: its origin (custom schemes: the scheme alone).
function cspSource(url: URL): string {
  return url.origin !== 'null' ? url.origin : url.protocol;
}

function jwkKid(key: KeyInput): string | undefined {
  const kid = (key as { kid?: unknown }).kid;
  return typeof kid === 'string' && !(key instanceof Uint8Array) ? kid : undefined;
}

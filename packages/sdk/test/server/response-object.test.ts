// issueAuthorizationResponse and authorizationResponse (JARM §2, §2.3 response modes).
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorizationResponse, DEFAULT_RESPONSE_LIFETIME, issueAuthorizationResponse, OAuthJarError } from '../../src/server.js';

let key: CryptoKey;
let pub: CryptoKey;
const NOW = Date.UTC(2030, 0, 1);

beforeAll(async () => {
  ({ privateKey: key, publicKey: pub } = await generateKeyPair('PS256'));
});

describe('issueAuthorizationResponse', () => {
  it('signs the parameters with iss, aud and a short exp (JARM §2.1)', async () => {
    const jwt = await issueAuthorizationResponse({ code: 'c', state: 's' }, { issuer: 'https://as.example.com', clientId: 'rp-1', key, alg: 'PS256', kid: 'k1', now: () => NOW });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'PS256', kid: 'k1' });
    const { payload } = await jwtVerify(jwt, pub, { currentDate: new Date(NOW), issuer: 'https://as.example.com', audience: 'rp-1' });
    expect(payload).toEqual({ code: 'c', state: 's', iss: 'https://as.example.com', aud: 'rp-1', iat: NOW / 1000, exp: NOW / 1000 + DEFAULT_RESPONSE_LIFETIME });
    expect(DEFAULT_RESPONSE_LIFETIME).toBeLessThanOrEqual(600);
  });

  it('refuses parameters that would overwrite iss, aud or exp, non-string values, and a key that does not fit', async () => {
    const opts = { issuer: 'https://as.example.com', clientId: 'rp-1', key, alg: 'PS256' as const };
    await expect(issueAuthorizationResponse({ iss: 'x' }, opts)).rejects.toBeInstanceOf(OAuthJarError);
    await expect(issueAuthorizationResponse({ code: 1 as never }, opts)).rejects.toBeInstanceOf(OAuthJarError);
    await expect(issueAuthorizationResponse({ code: 'c' }, { ...opts, alg: 'ES256' })).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
  });
});

describe('authorizationResponse: each response mode', () => {
  const jwt = 'eyJh.eyJp.sig';
  const redirectUri = 'https://rp.example.com/cb?tenant=1';

  it('query.jwt: 303 with response in the query, the redirect URI\'s own query kept', () => {
    const res = authorizationResponse(jwt, { redirectUri, responseMode: 'query.jwt' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(Object.fromEntries(location.searchParams)).toEqual({ tenant: '1', response: jwt });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('fragment.jwt: 303 with response in the fragment', () => {
    const location = new URL(authorizationResponse(jwt, { redirectUri, responseMode: 'fragment.jwt' }).headers.get('location')!);
    expect(new URLSearchParams(location.hash.slice(1)).get('response')).toBe(jwt);
    expect(location.searchParams.get('response')).toBeNull();
  });

  it('jwt: query.jwt for code, fragment.jwt when tokens travel in the front channel (JARM §2.3.4)', () => {
    expect(new URL(authorizationResponse(jwt, { redirectUri, responseMode: 'jwt' }).headers.get('location')!).searchParams.get('response')).toBe(jwt);
    const hybrid = new URL(authorizationResponse(jwt, { redirectUri, responseMode: 'jwt', responseType: 'code id_token' }).headers.get('location')!);
    expect(hybrid.hash).toContain('response=');
  });

  it('form_post.jwt: a self-submitting form under a CSP that allows only its own script', async () => {
    const res = authorizationResponse(`${jwt}"><script>alert(1)</script>`, { redirectUri, responseMode: 'form_post.jwt' });
    expect(res.status).toBe(200);
    const body = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('form-action https://rp.example.com');
    // The one script's hash is the one the CSP allows.
    const scripts = [...body.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(csp).toContain(`'sha256-${createHash('sha256').update(scripts[0]!).digest('base64')}'`);
    expect(body).toContain('action="https://rp.example.com/cb?tenant=1"');
    expect(body).toContain('name="response" value="eyJh.eyJp.sig&quot;&gt;&lt;script&gt;');
  });

  it('plain modes take the parameters; jwt modes need the JWT', () => {
    const res = authorizationResponse({ code: 'c', state: 's', iss: 'https://as.example.com' }, { redirectUri, responseMode: 'query' });
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBe('c');
    expect(() => authorizationResponse({ code: 'c' }, { redirectUri, responseMode: 'query.jwt' })).toThrow(OAuthJarError);
    expect(() => authorizationResponse(jwt, { redirectUri, responseMode: 'form_post' })).toThrow(OAuthJarError);
    expect(() => authorizationResponse(jwt, { redirectUri, responseMode: 'web_message' as never })).toThrow(OAuthJarError);
  });

  it('the response JWT round-trips through decodeJwt unchanged', async () => {
    const real = await issueAuthorizationResponse({ code: 'c' }, { issuer: 'https://as.example.com', clientId: 'rp-1', key, alg: 'PS256' });
    const location = new URL(authorizationResponse(real, { redirectUri, responseMode: 'query.jwt' }).headers.get('location')!);
    expect(decodeJwt(location.searchParams.get('response')!).code).toBe('c');
  });
});

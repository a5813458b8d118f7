// The verifier's test fixtures, one set for every test of oauth-jar/server: the AS (ISSUER at
// NOW), a client (CLIENT_ID with an ES256 key and a client_secret), good claims, a verifier with
// test defaults, and signers for request objects that are well formed or deliberately hostile.
import { CompactEncrypt, CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { beforeAll, expect } from 'vitest';
import { AuthorizationRequestBuilder } from '../../src/index.js';
import {
  AuthorizationRequestError,
  RequestObjectVerifier,
  type ClientMetadata,
  type RequestObjectVerifierOptions,
} from '../../src/server.js';
import { failure } from './failure.js';

export const ISSUER = 'https://as.example.com';
export const CLIENT_ID = 'client-1';
export const NOW = Date.UTC(2030, 0, 1, 0, 0, 0);
export const NOW_S = NOW / 1000;

/** RFC 6749 §4.1.2.1: the characters an `error_description` may contain. */
export const ERROR_DESCRIPTION_CHARSET = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/** A string's UTF-8 bytes in base64url, as a compact JWS/JWE segment. */
export const b64url = (s: string): string => Buffer.from(s).toString('base64url');

export interface Keys {
  es256: { privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK };
  other: { privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK };
  rsaEnc: { privateKey: CryptoKey; publicKey: CryptoKey; privateJwk: JWK; publicJwk: JWK };
  secret: string;
}

export async function makeKeys(): Promise<Keys> {
  const es = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256', { extractable: true });
  const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  return {
    es256: { ...es, publicJwk: { ...(await exportJWK(es.publicKey)), kid: 'c1', alg: 'ES256', use: 'sig' } },
    other: { ...other, publicJwk: { ...(await exportJWK(other.publicKey)), kid: 'attacker' } },
    rsaEnc: {
      ...enc,
      privateJwk: { ...(await exportJWK(enc.privateKey)), kid: 'as-enc', use: 'enc', alg: 'RSA-OAEP-256' },
      publicJwk: { ...(await exportJWK(enc.publicKey)), kid: 'as-enc', use: 'enc', alg: 'RSA-OAEP-256' },
    },
    secret: 'a-very-long-client-secret-of-at-least-32-bytes!!',
  };
}

/**
 * The keys of the calling test file, made once in a `beforeAll` of that file. The object is filled
 * in place, so it can be captured by the file's helpers before the keys exist.
 */
export function useKeys(): Keys {
  const keys = {} as Keys;
  beforeAll(async () => void Object.assign(keys, await makeKeys()));
  return keys;
}

export function clientFor(keys: Keys, extra: Record<string, unknown> = {}): ClientMetadata {
  return { client_id: CLIENT_ID, jwks: { keys: [keys.es256.publicJwk] }, client_secret: keys.secret, ...extra };
}

export function makeVerifier(
  keys: Keys,
  opts: Partial<RequestObjectVerifierOptions> = {},
  client: ClientMetadata | ((id: string) => ClientMetadata | undefined) = clientFor(keys),
): RequestObjectVerifier {
  return new RequestObjectVerifier({
    issuer: ISSUER,
    getClient: (id) => (typeof client === 'function' ? client(id) : id === CLIENT_ID ? client : undefined),
    decryptionKeys: { keys: [keys.rsaEnc.privateJwk] },
    now: () => NOW,
    ...opts,
  });
}

/** Good claims for CLIENT_ID at NOW; a member of `extra` set to `undefined` is left out. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c: Record<string, unknown> = {
    iss: CLIENT_ID,
    aud: ISSUER,
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: 'https://client.example.org/cb',
    scope: 'openid',
    state: 'st',
    iat: NOW_S,
    nbf: NOW_S,
    exp: NOW_S + 300,
    jti: `jti-${Math.random()}`,
    ...extra,
  };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete c[k];
  return c;
}

/** This SDK's builder, set up for CLIENT_ID and ISSUER at NOW: the requests the verifier must accept. */
export function builder(): AuthorizationRequestBuilder {
  return new AuthorizationRequestBuilder('code', CLIENT_ID)
    .endpoint(`${ISSUER}/authorize`)
    .audience(ISSUER)
    .redirectUri('https://client.example.org/cb')
    .scope('openid')
    .clock(() => NOW);
}

const enc = new TextEncoder();

/** Signs exactly these claims with exactly this header: for hostile objects. */
export async function sign(
  payload: Record<string, unknown> | string,
  key: CryptoKey | Uint8Array,
  header: Record<string, unknown> = { alg: 'ES256', kid: 'c1', typ: 'oauth-authz-req+jwt' },
): Promise<string> {
  const bytes = enc.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key);
}

export async function encrypt(
  plaintext: string,
  key: CryptoKey | Uint8Array,
  header: Record<string, unknown> = { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc', cty: 'JWT' },
): Promise<string> {
  return new CompactEncrypt(enc.encode(plaintext)).setProtectedHeader(header as { alg: string; enc: string }).encrypt(key);
}

/** An unsigned (alg none) JWT. */
export function unsigned(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify(payload))}.`;
}

/** The query of a request by value: CLIENT_ID and `request`, plus any other parameters. */
export function req(request: string, extra: Record<string, string | string[]> = {}): URLSearchParams {
  return query({ client_id: CLIENT_ID, request, ...extra });
}

export function query(params: Record<string, string | string[]>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) q.append(k, item);
  return q;
}

/** Runs verify and returns the AuthorizationRequestError it throws (fails the test on success or another error). */
export async function refusal(verifier: RequestObjectVerifier, q: URLSearchParams | Record<string, string>): Promise<AuthorizationRequestError> {
  const err = await failure(verifier.verify(q));
  expect(err).toBeInstanceOf(AuthorizationRequestError);
  return err as AuthorizationRequestError;
}

/**
 * Signs a header and payload given as JSON text with WebCrypto directly (ES256): for JSON that
 * JSON.stringify cannot produce (deep nesting, `__proto__` members).
 */
export async function signText(headerJson: string, payloadJson: string, key: CryptoKey): Promise<string> {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key as globalThis.CryptoKey, enc.encode(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

/** Signs with WebCrypto directly (ES256), for headers jose refuses to produce (unknown crit, …). */
export function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  return signText(JSON.stringify(header), JSON.stringify(payload), key);
}

/** Replaces a compact token's protected header (the signature/tag no longer matches). */
export function withHeader(token: string, header: Record<string, unknown>): string {
  return token.replace(/^[^.]*/, b64url(JSON.stringify(header)));
}

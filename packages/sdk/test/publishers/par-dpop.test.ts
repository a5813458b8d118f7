// DPoP at the PAR endpoint (RFC 9449 §4, §8, §10.1) against a loopback server that plays the AS.
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, PushedAuthorizationRequestPublisher, ResponseError } from '../../src/index.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';

let server: Server;
let origin: string;
let seen: Array<{ url: string; dpop: string | undefined; body: URLSearchParams }> = [];
let route: (req: IncomingMessage, res: ServerResponse, n: number) => void;
let dpop: CryptoKeyPair;

const created = (res: ServerResponse, headers: Record<string, string> = {}) =>
  res.writeHead(201, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ request_uri: 'urn:ietf:params:oauth:request_uri:x', expires_in: 60 }));
const needNonce = (res: ServerResponse, nonce: string) =>
  res.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': nonce }).end(JSON.stringify({ error: 'use_dpop_nonce' }));

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url!, dpop: req.headers.dpop as string | undefined, body: new URLSearchParams(body) });
      route(req, res, seen.length);
    });
  });
  origin = await listen(server);
  dpop = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
});
afterAll(() => close(server));
beforeEach(() => {
  seen = [];
  route = (_req, res) => created(res);
});

const publisher = (endpoint = `${origin}/par?tenant=1`) => new PushedAuthorizationRequestPublisher({ endpoint, clientAuth: { method: 'none' }, dpop });

describe('PAR with a DPoP key', () => {
  it('sends a DPoP proof: typ dpop+jwt, the public jwk, htm, htu without query, iat, jti (RFC 9449 §4.2)', async () => {
    await publisher().publish('h.p.s', { clientId: 'rp-1' });
    const proof = seen[0]!.dpop!;
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(header.jwk).not.toHaveProperty('d');
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ htm: 'POST', htu: `${origin}/par` });
    expect(payload.jti).toMatch(/^[\w-]{20,}$/);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(payload).not.toHaveProperty('nonce');
  });

  it('retries once with the nonce on 400 use_dpop_nonce, then uses the nonce for the next push', async () => {
    route = (req, res, n) => (n === 1 ? needNonce(res, 'n-1') : created(res));
    const p = publisher();
    expect(await p.publish('h.p.s', { clientId: 'rp-1' })).toMatchObject({ expiresIn: 60 });
    expect(seen).toHaveLength(2);
    expect(decodeJwt(seen[1]!.dpop!).nonce).toBe('n-1');
    expect(decodeJwt(seen[1]!.dpop!).jti).not.toBe(decodeJwt(seen[0]!.dpop!).jti);
    expect(p.dpopNonce()).toBe('n-1');
    expect(p.dpopNonce(`${origin}/token`)).toBe('n-1');
    // The next push starts with the nonce: no second round trip.
    await p.publish('h.p.s', { clientId: 'rp-1' });
    expect(seen).toHaveLength(3);
    expect(decodeJwt(seen[2]!.dpop!).nonce).toBe('n-1');
  });

  it('keeps the newest nonce a successful answer carries', async () => {
    route = (_req, res) => created(res, { 'dpop-nonce': 'n-2' });
    const p = publisher();
    await p.publish('h.p.s', { clientId: 'rp-1' });
    expect(p.dpopNonce()).toBe('n-2');
  });

  it('retries only once: a server that keeps demanding new nonces gets two pushes, then a ResponseError', async () => {
    route = (_req, res, n) => needNonce(res, `n-${n}`);
    const err = await failure(publisher().publish('h.p.s', { clientId: 'rp-1' }));
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'ERR_RESPONSE', status: 400, error: 'use_dpop_nonce' });
    expect(seen).toHaveLength(2);
  });

  it('does not retry a 400 without a DPoP-Nonce header, nor another error', async () => {
    route = (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'use_dpop_nonce' }));
    await failure(publisher().publish('h.p.s', { clientId: 'rp-1' }));
    expect(seen).toHaveLength(1);
    seen = [];
    route = (_req, res) => res.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': 'n' }).end(JSON.stringify({ error: 'invalid_request' }));
    await failure(publisher().publish('h.p.s', { clientId: 'rp-1' }));
    expect(seen).toHaveLength(1);
  });

  it('keeps nonces per server: another origin starts without one', async () => {
    route = (req, res, n) => (n === 1 ? needNonce(res, 'n-a') : created(res));
    const p = publisher();
    await p.publish('h.p.s', { clientId: 'rp-1' });
    expect(p.dpopNonce(origin)).toBe('n-a');
    expect(p.dpopNonce('http://localhost:1')).toBeUndefined();
  });

  it('a private_key_jwt retry carries a fresh client assertion (its jti is single-use)', async () => {
    const key = (await generateKeyPair('ES256')).privateKey;
    route = (req, res, n) => (n === 1 ? needNonce(res, 'n-1') : created(res));
    const p = new PushedAuthorizationRequestPublisher({ endpoint: `${origin}/par`, clientAuth: { method: 'private_key_jwt', key, alg: 'ES256' }, dpop, issuer: origin });
    await p.publish('h.p.s', { clientId: 'rp-1' });
    const [a, b] = seen.map((s) => decodeJwt(s.body.get('client_assertion')!));
    expect(a!.jti).not.toBe(b!.jti);
  });
});

describe('builder.dpopJkt with the key pair', () => {
  it('computes the RFC 7638 thumbprint of the public key', async () => {
    const built = await new AuthorizationRequestBuilder('code', 'rp-1').endpoint(`${origin}/authorize`).dpopJkt(dpop).build();
    const expected = await calculateJwkThumbprint(await exportJWK(dpop.publicKey), 'sha256');
    expect(built.parameters.dpop_jkt).toBe(expected);
    expect(built.url.searchParams.get('dpop_jkt')).toBe(expected);
  });

  it('refuses a private key alone', () => {
    expect(() => new AuthorizationRequestBuilder('code', 'rp-1').dpopJkt(dpop.privateKey)).toThrow(/public key/);
  });
});

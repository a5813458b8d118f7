import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthorizationRequestBuilder,
  OAuthJarError,
  PushedAuthorizationRequestPublisher,
  ResponseError,
  type ClientAuthentication,
} from '../../src/index.js';
import { close, listen } from '../helpers/loopback.js';
import { failure } from '../helpers/failure.js';

let server: Server;
let origin: string;
let route: (req: IncomingMessage, res: ServerResponse, body: string) => void;
let seen: Array<{ method: string; headers: IncomingMessage['headers']; body: URLSearchParams }> = [];
let es256: { privateKey: CryptoKey; publicKey: CryptoKey };

beforeAll(async () => {
  es256 = await generateKeyPair('ES256', { extractable: true });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, headers: req.headers, body: new URLSearchParams(body) });
      route(req, res, body);
    });
  });
  origin = await listen(server);
});
afterAll(async () => {
  await close(server);
});
beforeEach(() => {
  seen = [];
  route = (_req, res) => json(res, 201, { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 });
});

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const par = (clientAuth: ClientAuthentication = { method: 'none' }, extra: { timeout?: number; issuer?: string } = {}) =>
  new PushedAuthorizationRequestPublisher({ endpoint: `${origin}/par`, clientAuth, ...extra });

describe('PushedAuthorizationRequestPublisher: the request', () => {
  it('POSTs client_id and request form-encoded, once, and returns request_uri and expires_in', async () => {
    const result = await par().publish('h.p.s', { clientId: 'rp 1' });
    expect(result).toEqual({ requestUri: 'urn:ietf:params:oauth:request_uri:abc', expiresIn: 60 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(seen[0]!.body)).toEqual({ client_id: 'rp 1', request: 'h.p.s' });
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it('client_secret_basic: HTTP Basic of the form-encoded id and secret (RFC 6749 §2.3.1)', async () => {
    await par({ method: 'client_secret_basic', clientSecret: 's3cr:t+/ é' }).publish('h.p.s', { clientId: 'rp:1' });
    const basic = seen[0]!.headers.authorization!;
    expect(basic).toMatch(/^Basic /);
    expect(Buffer.from(basic.slice(6), 'base64').toString()).toBe('rp%3A1:s3cr%3At%2B%2F+%C3%A9');
    expect(seen[0]!.body.has('client_secret')).toBe(false);
  });

  it('client_secret_post: the secret in the body', async () => {
    await par({ method: 'client_secret_post', clientSecret: 'sekret' }).publish('h.p.s', { clientId: 'rp-1' });
    expect(Object.fromEntries(seen[0]!.body)).toEqual({ client_id: 'rp-1', request: 'h.p.s', client_secret: 'sekret' });
  });

  it('private_key_jwt: a jose-verifiable assertion with aud = the issuer, iss = sub = client_id', async () => {
    await par({ method: 'private_key_jwt', key: es256.privateKey, alg: 'ES256', kid: 'k1' }, { issuer: 'https://as.example.com' }).publish('h.p.s', {
      clientId: 'rp-1',
    });
    const body = seen[0]!.body;
    expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = body.get('client_assertion')!;
    const { payload, protectedHeader } = await jwtVerify(assertion, es256.publicKey, {
      audience: 'https://as.example.com',
      issuer: 'rp-1',
      subject: 'rp-1',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toBe('k1');
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('private_key_jwt: aud falls back to the builder\'s issuer, then to the endpoint origin', async () => {
    const jwk = { ...(await exportJWK(es256.privateKey)), kid: 'from-jwk' };
    const p = par({ method: 'private_key_jwt', key: jwk, alg: 'ES256' });
    await new AuthorizationRequestBuilder('code', 'rp-1')
      .endpoint('https://as.example.com/authorize')
      .audience('https://as.example.com/tenant/')
      .signWith(es256.privateKey, { alg: 'ES256' })
      .publishWith(p)
      .build();
    await p.publish('h.p.s', { clientId: 'rp-1' });
    const [viaBuilder, bare] = seen.map((s) => s.body.get('client_assertion')!);
    expect(decodeJwt(viaBuilder!).aud).toBe('https://as.example.com/tenant/');
    expect(decodeProtectedHeader(viaBuilder!).kid).toBe('from-jwk');
    expect(decodeJwt(bare!).aud).toBe(origin);
  });

  it('the builder emits client_id + request_uri only', async () => {
    const request = await new AuthorizationRequestBuilder('code', 'rp-1')
      .endpoint('https://as.example.com/authorize')
      .audience('https://as.example.com')
      .scope('openid')
      .signWith(es256.privateKey, { alg: 'ES256' })
      .publishWith(par())
      .build();
    expect(request.url.href).toBe('https://as.example.com/authorize?client_id=rp-1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc');
    expect(seen[0]!.body.get('request')).toBe(request.requestObject);
  });

  it('without an endpoint, it uses the one from the builder context, else ERR_MISSING_ENDPOINT', async () => {
    const p = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'none' } });
    await p.publish('h.p.s', { clientId: 'rp-1', pushedAuthorizationRequestEndpoint: `${origin}/par` });
    expect(seen).toHaveLength(1);
    expect((await failure(p.publish('h.p.s', { clientId: 'rp-1' }))).code).toBe('ERR_MISSING_ENDPOINT');
  });

  it('refuses bad options with typed errors', async () => {
    const bad: unknown[] = [
      { clientAuth: { method: 'client_secret_jwt' } },
      { clientAuth: { method: 'client_secret_basic' } },
      { clientAuth: { method: 'none' }, dpop: { privateKey: 'k', publicKey: 'k' } },
      { clientAuth: { method: 'none' }, profile: 'fapi2' },
      { clientAuth: { method: 'private_key_jwt', key: es256.privateKey }, profile: 'fapi2' },
      { clientAuth: { method: 'private_key_jwt', key: es256.privateKey, alg: 'HS256' } },
      { clientAuth: { method: 'private_key_jwt', key: es256.privateKey, alg: 'RS256' } },
      { endpoint: 'not a url', clientAuth: { method: 'none' } },
      { endpoint: `${origin}/par`, clientAuth: { method: 'none' }, timeout: -1 },
    ];
    for (const options of bad) {
      expect(() => new PushedAuthorizationRequestPublisher(options as never), JSON.stringify(options)).toThrow(OAuthJarError);
    }
  });
});

describe('PushedAuthorizationRequestPublisher: bad answers become typed errors', () => {
  it('400 with an OAuth error body → ResponseError carrying error and error_description', async () => {
    route = (_req, res) => json(res, 400, { error: 'invalid_request_object', error_description: 'bad signature' });
    const err = await failure(par().publish('h.p.s', { clientId: 'rp-1' }));
    expect(err).toBeInstanceOf(ResponseError);
    expect(err).toMatchObject({ code: 'ERR_RESPONSE', status: 400, error: 'invalid_request_object', error_description: 'bad signature' });
    expect(seen).toHaveLength(1); // never retried
  });

  it('401 invalid_client', async () => {
    route = (_req, res) => json(res, 401, { error: 'invalid_client' });
    expect(await failure(par().publish('h.p.s', { clientId: 'rp-1' }))).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it('500 with an HTML body → ResponseError with the status, not retried', async () => {
    route = (_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>');
    const err = await failure(par().publish('h.p.s', { clientId: 'rp-1' }));
    expect(err).toMatchObject({ code: 'ERR_RESPONSE', status: 500, error: undefined });
    expect(seen).toHaveLength(1);
  });

  it('201 with a body that is not JSON', async () => {
    route = (_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"request_uri":');
    expect(await failure(par().publish('h.p.s', { clientId: 'rp-1' }))).toMatchObject({ code: 'ERR_RESPONSE', status: 201 });
  });

  it('201 without request_uri, or without a positive expires_in', async () => {
    for (const body of [{ expires_in: 60 }, { request_uri: '', expires_in: 60 }, { request_uri: 'urn:x', expires_in: '60' }, { request_uri: 'urn:x' }, []]) {
      route = (_req, res) => json(res, 201, body);
      const err = await failure(par().publish('h.p.s', { clientId: 'rp-1' }));
      expect(err, JSON.stringify(body)).toMatchObject({ code: 'ERR_RESPONSE', status: 201 });
    }
  });

  it('200 instead of 201 is refused (RFC 9126 §2.2)', async () => {
    route = (_req, res) => json(res, 200, { request_uri: 'urn:x', expires_in: 60 });
    expect(await failure(par().publish('h.p.s', { clientId: 'rp-1' }))).toMatchObject({ code: 'ERR_RESPONSE', status: 200 });
  });

  it('a redirect is not followed', async () => {
    route = (_req, res) => res.writeHead(307, { location: `${origin}/elsewhere` }).end();
    expect(await failure(par().publish('h.p.s', { clientId: 'rp-1' }))).toMatchObject({ code: 'ERR_RESPONSE', status: 307 });
    expect(seen).toHaveLength(1);
  });

  it('a hung server → ERR_TIMEOUT within the timeout', async () => {
    route = () => {}; // never answers
    // ERR_TIMEOUT comes only from the 300 ms deadline; vitest's own timeout is 20 s.
    const err = await failure(par({ method: 'none' }, { timeout: 300 }).publish('h.p.s', { clientId: 'rp-1' }));
    expect(err.code).toBe('ERR_TIMEOUT');
  });

  it('a server that sends headers then stalls the body → ERR_TIMEOUT', async () => {
    route = (_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"request_uri":');
    };
    expect((await failure(par({ method: 'none' }, { timeout: 300 }).publish('h.p.s', { clientId: 'rp-1' }))).code).toBe('ERR_TIMEOUT');
  });

  it('an unreachable endpoint → ERR_PUBLISH_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const p = new PushedAuthorizationRequestPublisher({ endpoint: `http://127.0.0.1:${port}/par`, clientAuth: { method: 'none' } });
    expect((await failure(p.publish('h.p.s', { clientId: 'rp-1' }))).code).toBe('ERR_PUBLISH_FAILED');
  });

  it('the builder passes the AS error through unchanged', async () => {
    route = (_req, res) => json(res, 400, { error: 'invalid_request', error_description: 'nope' });
    const build = new AuthorizationRequestBuilder('code', 'rp-1')
      .endpoint('https://as.example.com/authorize')
      .audience('https://as.example.com')
      .signWith(es256.privateKey, { alg: 'ES256' })
      .publishWith(par())
      .build();
    expect(await failure(build)).toMatchObject({ code: 'ERR_RESPONSE', error: 'invalid_request', error_description: 'nope' });
  });
});

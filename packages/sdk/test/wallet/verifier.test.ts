import { createServer, type Server } from 'node:http';
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WalletRequestError, WalletRequestVerifier, x509Hash } from '../../src/wallet.js';
import { close, listen } from '../helpers/loopback.js';
import { issueCertificate, makePki, type Pki } from '../helpers/pki.js';

const SELF_ISSUED = 'https://self-issued.me/v2';
const CLIENT_ID = 'x509_san_dns:verifier.example';
const dcqlQuery = { credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] } }] };

async function refusal(p: Promise<unknown>): Promise<WalletRequestError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WalletRequestError);
    return err as WalletRequestError;
  }
  throw new Error('expected a refusal');
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    client_id: CLIENT_ID,
    response_type: 'vp_token',
    response_mode: 'direct_post.jwt',
    response_uri: 'https://verifier.example/response',
    nonce: 'n-0S6_WzA2Mj',
    state: 'st-1',
    dcql_query: dcqlQuery,
    aud: SELF_ISSUED,
    iat: now,
    exp: now + 120,
    ...overrides,
  };
}

async function sign(payload: Record<string, unknown>, header: Record<string, unknown>, key: JWK): Promise<string> {
  const clean = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
  const { importJWK } = await import('jose');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(clean)))
    .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', ...header } as { alg: string })
    .sign(await importJWK(key, 'ES256'));
}

function url(params: Record<string, string>, base = 'openid4vp://'): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

let pki: Pki;
let wallet: WalletRequestVerifier;

beforeAll(async () => {
  pki = await makePki('verifier.example');
  wallet = new WalletRequestVerifier({ trustAnchors: [pki.root.pem] });
});

describe('WalletRequestVerifier: x509_san_dns and x509_hash (OpenID4VP 1.0 §5.9.3)', () => {
  it('accepts a request object signed by the leaf of a chain to a trust anchor', async () => {
    const jws = await sign(claims(), { x5c: pki.x5c }, pki.leaf.privateJwk);
    const verified = await wallet.verify(url({ client_id: CLIENT_ID, request: jws }));
    expect(verified).toMatchObject({ clientId: CLIENT_ID, clientIdPrefix: 'x509_san_dns', clientIdValue: 'verifier.example', certificateChain: pki.x5c });
    expect(verified.parameters.dcql_query).toEqual(dcqlQuery);
  });

  it('accepts x509_hash: with the SHA-256 of the leaf, and refuses a wrong hash', async () => {
    const clientId = `x509_hash:${await x509Hash(pki.leaf.b64)}`;
    const jws = await sign(claims({ client_id: clientId }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    await expect(wallet.verify(url({ client_id: clientId, request: jws }))).resolves.toMatchObject({ clientIdPrefix: 'x509_hash' });
    const other = await issueCertificate({ subject: 'CN=other', dns: ['verifier.example'], issuer: pki.intermediate });
    const wrongId = `x509_hash:${await x509Hash(other.b64)}`;
    const wrong = await sign(claims({ client_id: wrongId }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: wrongId, request: wrong })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'client_id_binding']);
  });

  it('refuses a chain to an unknown root', async () => {
    const foreign = await makePki('verifier.example');
    const jws = await sign(claims(), { x5c: foreign.x5c }, foreign.leaf.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'certificate_chain']);
    expect(err.message).toContain('untrusted');
  });

  it('refuses an expired leaf', async () => {
    const expired = await issueCertificate({ subject: 'CN=old', dns: ['verifier.example'], issuer: pki.intermediate, notAfter: new Date(Date.now() - 60_000) });
    const jws = await sign(claims(), { x5c: [expired.b64, pki.intermediate.b64] }, expired.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'certificate_chain']);
    expect(err.message).toContain('expired');
  });

  it('refuses a self-signed leaf', async () => {
    const self = await issueCertificate({ subject: 'CN=verifier.example', dns: ['verifier.example'] });
    const selfTrusting = new WalletRequestVerifier({ trustAnchors: [pki.root.pem, self.pem] });
    const jws = await sign(claims(), { x5c: [self.b64] }, self.privateJwk);
    const err = await refusal(selfTrusting.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'certificate_chain']);
    expect(err.message).toContain('self_signed');
  });

  it('refuses a leaf whose SAN does not match the client_id', async () => {
    const jws = await sign(claims({ client_id: 'x509_san_dns:evil.example' }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: 'x509_san_dns:evil.example', request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'client_id_binding']);
  });

  it('refuses a signature by another key than the leaf', async () => {
    const other = await issueCertificate({ subject: 'CN=x', dns: ['verifier.example'], issuer: pki.intermediate });
    const jws = await sign(claims(), { x5c: pki.x5c }, other.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'signature']);
  });

  it('refuses a response_uri on another host than the x509_san_dns name', async () => {
    const jws = await sign(claims({ response_uri: 'https://attacker.example/collect' }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'client_id_binding']);
  });
});

describe('WalletRequestVerifier: the request object (RFC 9101, OpenID4VP 1.0 §5)', () => {
  it('refuses a missing typ and a typ other than oauth-authz-req+jwt', async () => {
    for (const typ of [undefined, 'JWT', 'oauth-authz-req+JWT']) {
      const jws = await sign(claims(), { x5c: pki.x5c, typ }, pki.leaf.privateJwk);
      const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
      expect([err.error, err.check]).toEqual(['invalid_request_object', 'typ']);
    }
  });

  it('refuses a request object for another client_id', async () => {
    const jws = await sign(claims({ client_id: 'x509_san_dns:other.example' }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'client_id_claim']);
  });

  it('checks aud: the wallet issuer or https://self-issued.me/v2 by default, configurable', async () => {
    const jws = await sign(claims({ aud: 'https://as.example.com' }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    const err = await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'audience']);
    const withIssuer = new WalletRequestVerifier({ trustAnchors: [pki.root.pem], walletMetadata: { issuer: 'https://wallet.example' } });
    const forIssuer = await sign(claims({ aud: 'https://wallet.example' }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    await expect(withIssuer.verify(url({ client_id: CLIENT_ID, request: forIssuer }))).resolves.toBeDefined();
    const legacy = new WalletRequestVerifier({ trustAnchors: [pki.root.pem], audiences: ['https://as.example.com'] });
    await expect(legacy.verify(url({ client_id: CLIENT_ID, request: jws }))).resolves.toBeDefined();
  });

  it('checks exp and iat', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(claims({ exp: now - 600, iat: now - 900 }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    expect((await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: expired })))).check).toBe('lifetime');
    const future = await sign(claims({ iat: now + 600 }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    expect((await refusal(wallet.verify(url({ client_id: CLIENT_ID, request: future })))).check).toBe('lifetime');
  });

  it('refuses request_uri_method values other than get and post without fetching anything', async () => {
    const fetchSpy = vi.fn(async () => new Response('x'));
    const spied = new WalletRequestVerifier({ trustAnchors: [pki.root.pem], requestUri: { fetch: fetchSpy as typeof fetch } });
    const err = await refusal(spied.verify(url({ client_id: CLIENT_ID, request_uri: 'https://verifier.example/request/abc', request_uri_method: 'put' })));
    expect([err.error, err.check]).toEqual(['invalid_request_uri_method', 'request_uri_method']);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('refuses a request_uri on a private address without any outbound request', async () => {
    const fetchSpy = vi.fn(async () => new Response('x'));
    const spied = new WalletRequestVerifier({ trustAnchors: [pki.root.pem], requestUri: { fetch: fetchSpy as typeof fetch } });
    for (const uri of ['https://169.254.169.254/latest/meta-data', 'https://10.0.0.7/request', 'http://verifier.example/request']) {
      const err = await refusal(spied.verify(url({ client_id: CLIENT_ID, request_uri: uri })));
      expect([err.error, err.check]).toEqual(['invalid_request_uri', 'request_uri']);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('refuses unsupported and reserved prefixes, and pre-registered client_ids it has no registry for', async () => {
    for (const clientId of ['openid_federation:https://fed.example', 'origin:https://verifier.example', 'verifier.example', 'decentralized_identifier:did:example:123']) {
      const err = await refusal(wallet.verify(url({ client_id: clientId, request: 'a.b.c' })));
      expect([err.error, err.check]).toEqual(['invalid_client', 'client_id_prefix']);
    }
  });
});

describe('WalletRequestVerifier: decentralized_identifier: (OpenID4VP 1.0 §5.9.3)', () => {
  const did = 'did:example:verifier';
  const clientId = `decentralized_identifier:${did}`;

  it('verifies with the key resolveDid returns for the kid, a DID URL of the DID', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const seen: string[] = [];
    const didWallet = new WalletRequestVerifier({ resolveDid: async (didUrl) => (seen.push(didUrl), didUrl === `${did}#key-1` ? publicKey : undefined) });
    const jws = await sign(claims({ client_id: clientId, response_uri: 'https://v.example/r' }), { kid: `${did}#key-1` }, await exportJWK(privateKey));
    await expect(didWallet.verify(url({ client_id: clientId, request: jws }))).resolves.toMatchObject({ clientIdPrefix: 'decentralized_identifier', clientIdValue: did });
    expect(seen).toEqual([`${did}#key-1`]);
    // a kid of another DID is refused before any resolution
    const other = await sign(claims({ client_id: clientId }), { kid: 'did:example:attacker#key-1' }, await exportJWK(privateKey));
    const err = await refusal(didWallet.verify(url({ client_id: clientId, request: other })));
    expect([err.error, err.check]).toEqual(['invalid_client', 'client_id_binding']);
    expect(seen).toHaveLength(1);
    // an unknown verification method
    const unknown = await sign(claims({ client_id: clientId }), { kid: `${did}#key-2` }, await exportJWK(privateKey));
    expect((await refusal(didWallet.verify(url({ client_id: clientId, request: unknown })))).check).toBe('client_id_binding');
  });
});

describe('WalletRequestVerifier: redirect_uri: (unsigned only)', () => {
  const clientId = 'redirect_uri:https://verifier.example/response';

  it('accepts a plain unsigned request whose response_uri is the client_id value', async () => {
    const verified = await wallet.verify(
      url({ client_id: clientId, response_type: 'vp_token', response_mode: 'direct_post', response_uri: 'https://verifier.example/response', nonce: 'n1', dcql_query: JSON.stringify(dcqlQuery) }),
    );
    expect(verified.clientIdPrefix).toBe('redirect_uri');
    expect(verified.parameters.dcql_query).toEqual(dcqlQuery);
  });

  it('refuses a response_uri other than the client_id value', async () => {
    const err = await refusal(
      wallet.verify(url({ client_id: clientId, response_type: 'vp_token', response_mode: 'direct_post', response_uri: 'https://attacker.example/response', nonce: 'n1' })),
    );
    expect([err.error, err.check]).toEqual(['invalid_client', 'client_id_binding']);
  });

  it('refuses a signed redirect_uri: request', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jws = await sign(claims({ client_id: clientId, response_uri: 'https://verifier.example/response' }), {}, await exportJWK(privateKey));
    const err = await refusal(wallet.verify(url({ client_id: clientId, request: jws })));
    expect([err.error, err.check]).toEqual(['invalid_request', 'client_id_prefix']);
  });
});

describe('WalletRequestVerifier: request_uri by GET and by POST (OpenID4VP 1.0 §5.10)', () => {
  let server: Server;
  let origin: string;
  let answer: (form: URLSearchParams, method: string) => Promise<string | undefined>;
  const seen: Array<{ method: string; form: URLSearchParams; accept: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      seen.push({ method: req.method!, form, accept: req.headers.accept });
      const jwt = await answer(form, req.method!);
      if (jwt === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jwt);
    });
    origin = await listen(server);
  });
  afterAll(() => close(server));

  const loopback = () => new WalletRequestVerifier({
    trustAnchors: [pki.root.pem],
    walletMetadata: { vp_formats_supported: { 'dc+sd-jwt': {} }, request_object_signing_alg_values_supported: ['ES256'] },
    requestUri: { allowHttp: true, allowPrivateNetwork: true },
  });

  it('GETs the request object when no method is given', async () => {
    answer = async () => sign(claims(), { x5c: pki.x5c }, pki.leaf.privateJwk);
    seen.length = 0;
    const verified = await loopback().verify(url({ client_id: CLIENT_ID, request_uri: `${origin}/request/1` }));
    expect(seen.map((s) => s.method)).toEqual(['GET']);
    expect(verified.walletNonce).toBeUndefined();
  });

  it('POSTs wallet_metadata and a fresh wallet_nonce, and accepts the object that carries it back', async () => {
    answer = async (form) => sign(claims({ wallet_nonce: form.get('wallet_nonce') ?? undefined }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    seen.length = 0;
    const wallet = loopback();
    const first = await wallet.verify(url({ client_id: CLIENT_ID, request_uri: `${origin}/request/2`, request_uri_method: 'post' }));
    const second = await wallet.verify(url({ client_id: CLIENT_ID, request_uri: `${origin}/request/2`, request_uri_method: 'post' }));
    expect(seen.map((s) => s.method)).toEqual(['POST', 'POST']);
    expect(seen[0]!.accept).toContain('application/oauth-authz-req+jwt');
    expect(JSON.parse(seen[0]!.form.get('wallet_metadata')!)).toMatchObject({ request_object_signing_alg_values_supported: ['ES256'] });
    expect(first.walletNonce).toBe(seen[0]!.form.get('wallet_nonce'));
    expect(first.walletNonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second.walletNonce).not.toBe(first.walletNonce);
  });

  it('refuses an object without the wallet_nonce, or with another one', async () => {
    answer = async () => sign(claims(), { x5c: pki.x5c }, pki.leaf.privateJwk);
    let err = await refusal(loopback().verify(url({ client_id: CLIENT_ID, request_uri: `${origin}/request/3`, request_uri_method: 'post' })));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'wallet_nonce']);
    answer = async () => sign(claims({ wallet_nonce: 'replayed-nonce' }), { x5c: pki.x5c }, pki.leaf.privateJwk);
    err = await refusal(loopback().verify(url({ client_id: CLIENT_ID, request_uri: `${origin}/request/3`, request_uri_method: 'post' })));
    expect([err.error, err.check]).toEqual(['invalid_request_object', 'wallet_nonce']);
  });

  it('reports any fetch failure as invalid_request_uri with fixed text', async () => {
    answer = async () => undefined;
    const err = await refusal(loopback().verify(url({ client_id: CLIENT_ID, request_uri: `${origin}/request/404` })));
    expect([err.error, err.check, err.error_description]).toEqual(['invalid_request_uri', 'request_uri', 'the request_uri could not be used']);
  });
});

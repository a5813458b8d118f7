// Server: RequestObjectVerifier.verify() next to raw jose (jwtVerify / compactDecrypt) doing the same
// checks — alg allow-list, the client's key, iss, aud, exp/nbf/iat, typ, client_id — for a signed
// object (bench/verify.bench.mjs), a nested one, HS256, request_uri on a loopback host, and a
// jwks_uri client (warm key-set cache). The host runs in a worker thread (bench/lib/host.mjs).
// request_uri: the target row is a host that answers after exactly 1 ms, as a real network does
// (the work besides the wait is then a realistic share of the whole);
// the loopback rows (warm: keep-alive connection; cold: the server closes every connection) are
// information only: with no latency at all they magnify every microsecond of the fetch path. Target (docs/performance.md): >= 0.90 x raw jose; request_uri behind 1 ms of latency >= 0.95 x fetch + jose.
import {
  CompactEncrypt, CompactSign, compactDecrypt, createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify,
} from 'jose';
import { startHost } from './lib/host.mjs';
import { interleaved, ratio, ratioRange } from './lib/measure.mjs';
import { benchVerify } from './verify.bench.mjs';

const TARGET = 0.9;
const REQUEST_URI_TARGET = 0.95;
const LATENCY_MS = 1;
const issuer = 'https://as.example.com';
const clientId = 'bench-client';
const encoder = new TextEncoder();

function claims() {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: clientId, aud: issuer, client_id: clientId, response_type: 'code', scope: 'openid',
    redirect_uri: 'https://client.example.org/cb', state: 'abc', iat: now, nbf: now, exp: now + 3600, jti: 'bench',
  };
}

const sign = (key, alg) =>
  new CompactSign(encoder.encode(JSON.stringify(claims()))).setProtectedHeader({ alg, kid: 'k1', typ: 'oauth-authz-req+jwt' }).sign(key);

/** The checks the verifier makes, done by hand after jose: what a careful raw-jose server writes. */
function rawChecks(alg) {
  return { algorithms: [alg], issuer: clientId, audience: issuer, clockTolerance: 10, typ: 'oauth-authz-req+jwt' };
}
function sameClient(payload, query) {
  if (payload.client_id !== query.get('client_id')) throw new Error('client_id');
}

async function pairs(server) {
  const out = [];

  // signed ES256 by value: the tasks of bench/verify.bench.mjs, reused as they are
  const collected = [];
  await benchVerify({ add(name, fn) { collected.push(fn); return this; } }, server);
  out.push({ id: 'verify signed ES256', sdk: collected[0], raw: collected[1], baseline: 'jose jwtVerify' });

  const { RequestObjectVerifier } = await server;
  const es = await generateKeyPair('ES256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const keySet = createLocalJWKSet(jwks);

  // nested: ES256 inside RSA-OAEP-256/A256GCM to the server's key
  const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  const encJwk = { ...(await exportJWK(enc.privateKey)), kid: 'e1', alg: 'RSA-OAEP-256', use: 'enc' };
  const jwe = await new CompactEncrypt(encoder.encode(await sign(es.privateKey, 'ES256')))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'e1' })
    .encrypt(enc.publicKey);
  {
    const client = { client_id: clientId, jwks };
    const verifier = new RequestObjectVerifier({ issuer, getClient: (id) => (id === clientId ? client : undefined), decryptionKeys: { keys: [encJwk] } });
    out.push({
      id: 'verify nested ES256 + RSA-OAEP-256/A256GCM',
      baseline: 'jose compactDecrypt + jwtVerify',
      sdk: () => verifier.verify(new URLSearchParams({ client_id: clientId, request: jwe })),
      raw: async () => {
        const q = new URLSearchParams({ client_id: clientId, request: jwe });
        const { plaintext } = await compactDecrypt(q.get('request'), enc.privateKey, {
          keyManagementAlgorithms: ['RSA-OAEP-256'], contentEncryptionAlgorithms: ['A256GCM'],
        });
        const { payload } = await jwtVerify(new TextDecoder().decode(plaintext), keySet, rawChecks('ES256'));
        sameClient(payload, q);
      },
    });
  }

  // HS256 with the client_secret
  {
    const secret = 'a-client-secret-of-at-least-32-bytes-0123456789';
    const secretBytes = encoder.encode(secret);
    const jws = await sign(secretBytes, 'HS256');
    const client = { client_id: clientId, client_secret: secret };
    const verifier = new RequestObjectVerifier({
      issuer,
      getClient: (id) => (id === clientId ? client : undefined),
      jwksUri: { allowHttp: true, allowPrivateNetwork: true },
    });
    out.push({
      id: 'verify HS256',
      baseline: 'jose jwtVerify',
      sdk: () => verifier.verify(new URLSearchParams({ client_id: clientId, request: jws })),
      raw: async () => {
        const q = new URLSearchParams({ client_id: clientId, request: jws });
        const { payload } = await jwtVerify(q.get('request'), secretBytes, rawChecks('HS256'));
        sameClient(payload, q);
      },
    });
  }

  // request_uri and jwks_uri on a loopback server
  const jws = await sign(es.privateKey, 'ES256');
  const http = await startHost({
    '/ro': { type: 'application/oauth-authz-req+jwt', body: jws },
    '/jwks': { type: 'application/json', body: JSON.stringify(jwks) },
  }, LATENCY_MS);
  const { base } = http;
  for (const mode of ['+1 ms latency', 'loopback warm', 'loopback cold']) {
    const uri = `${base}/ro${mode.endsWith('cold') ? '-cold' : mode.startsWith('+') ? '-slow' : ''}`;
    const client = { client_id: clientId, jwks, request_uris: [`${base}/`] };
    const verifier = new RequestObjectVerifier({
      issuer,
      getClient: (id) => (id === clientId ? client : undefined),
      requestUri: { allowHttp: true, allowPrivateNetwork: true },
    });
    out.push({
      id: `verify request_uri (${mode})`,
      baseline: 'fetch + jose jwtVerify',
      // null: information only
      target: mode.startsWith('+') ? REQUEST_URI_TARGET : null,
      sdk: () => verifier.verify(new URLSearchParams({ client_id: clientId, request_uri: uri })),
      raw: async () => {
        const q = new URLSearchParams({ client_id: clientId, request_uri: uri });
        const res = await fetch(q.get('request_uri'), { redirect: 'manual', signal: AbortSignal.timeout(5000) });
        const type = res.headers.get('content-type');
        if (res.status !== 200 || type !== 'application/oauth-authz-req+jwt') throw new Error('request_uri');
        const { payload } = await jwtVerify((await res.text()).trim(), keySet, rawChecks('ES256'));
        sameClient(payload, q);
      },
    });
  }
  {
    const jwksUri = `${base}/jwks`;
    const client = { client_id: clientId, jwks_uri: jwksUri };
    const verifier = new RequestObjectVerifier({
      issuer,
      getClient: (id) => (id === clientId ? client : undefined),
      jwksUri: { allowHttp: true, allowPrivateNetwork: true },
    });
    const remote = createRemoteJWKSet(new URL(jwksUri));
    out.push({
      id: 'verify jwks_uri client (warm)',
      baseline: 'jose createRemoteJWKSet + jwtVerify',
      sdk: () => verifier.verify(new URLSearchParams({ client_id: clientId, request: jws })),
      raw: async () => {
        const q = new URLSearchParams({ client_id: clientId, request: jws });
        const { payload } = await jwtVerify(q.get('request'), remote, rawChecks('ES256'));
        sameClient(payload, q);
      },
    });
  }
  return { pairs: out, close: http.close };
}

/**
 * @param {{ rounds: number, time: number }} opts
 * @param {Promise<any>} [serverModule] the `oauth-jar/server` module (defaults to the built dist)
 */
export async function serverSuite(opts, serverModule) {
  const server = serverModule ?? import('../dist/server.js');
  const { pairs: list, close } = await pairs(server);
  const rows = [];
  try {
    for (const p of list) {
      // both paths must accept the object before they are timed
      await p.sdk();
      await p.raw();
      const { opsPerSec, perRound } = await interleaved({ sdk: p.sdk, raw: p.raw }, opts);
      const r = ratio(perRound, 'sdk', 'raw');
      const target = p.target === undefined ? TARGET : p.target;
      rows.push({
        suite: 'server', id: p.id, baseline: p.baseline, sdkOps: opsPerSec.sdk, rawOps: opsPerSec.raw,
        ratio: r, range: ratioRange(perRound, 'sdk', 'raw'), meanRatio: ratio(perRound, 'sdk', 'raw', 'mean'),
        target: target ?? undefined, pass: target === null ? undefined : r >= target,
      });
    }
  } finally {
    await close();
  }
  return rows;
}

// Client: AuthorizationRequestBuilder as an app uses it, a new builder per login (the constructor,
// eight setters: endpoint, audience, redirectUri, scope, state, nonce, codeChallenge, signWith; then
// build()) next to raw jose doing the same work on the same claims: the PKCE S256 challenge, fresh
// iat/nbf/exp and a 128-bit random jti, the same JWS header, the same key object, and the authorize
// URL with client_id + request. oauth4webapi's
// issueRequestObject (+ the same URL) is the peer column. Target (docs/performance.md): >= 0.95 x raw jose.
import { base64url, CompactEncrypt, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { interleaved, ratio, ratioRange } from './lib/measure.mjs';

const TARGET = 0.95;
const endpoint = 'https://as.example.com/authorize';
const issuer = 'https://as.example.com';
const clientId = 'bench-client';
const redirectUri = 'https://client.example.org/cb';
const state = '81c33d57-59c7-4b41-9a15-80e2ed1482e2';
const nonce = 'n-0S6_WzA2Mj';
const codeVerifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const encoder = new TextEncoder();

/** The authorize URL by value (RFC 9101 §5): the endpoint plus client_id and request. */
function authorizeUrl(requestObject) {
  const url = new URL(endpoint);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('request', requestObject);
  return url;
}

/** The claims the builder puts in the object, made by hand for raw jose (PKCE S256, RFC 7636 §4.2). */
async function claims() {
  const now = Math.floor(Date.now() / 1000);
  const challenge = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(codeVerifier))));
  return {
    iss: clientId, aud: issuer, response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
    scope: 'openid profile', state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
    iat: now, nbf: now, exp: now + 300,
    jti: base64url.encode(crypto.getRandomValues(new Uint8Array(16))),
  };
}

async function cases() {
  const es = await generateKeyPair('ES256');
  const ps = await generateKeyPair('PS256');
  const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const hs = crypto.getRandomValues(new Uint8Array(32));
  const enc = await generateKeyPair('RSA-OAEP-256');
  return [
    { id: 'ES256', sign: { key: es.privateKey, alg: 'ES256' } },
    { id: 'PS256', sign: { key: ps.privateKey, alg: 'PS256' } },
    { id: 'EdDSA', sign: { key: ed.privateKey, alg: 'EdDSA' }, peerAlg: 'Ed25519' },
    { id: 'HS256', sign: { key: hs, alg: 'HS256' }, noPeer: 'oauth4webapi signs request objects with asymmetric keys only' },
    {
      id: 'nested ES256 + RSA-OAEP-256/A256GCM',
      sign: { key: es.privateKey, alg: 'ES256' },
      encrypt: { key: enc.publicKey, alg: 'RSA-OAEP-256', enc: 'A256GCM' },
      noPeer: 'oauth4webapi does not encrypt request objects',
    },
  ];
}

/**
 * @param {{ rounds: number, time: number }} opts
 * @param {Promise<any>} [sdkModule] the `oauth-jar` module (defaults to the built dist)
 */
export async function clientSuite(opts, sdkModule) {
  const { AuthorizationRequestBuilder } = await (sdkModule ?? import('../dist/index.js'));
  const rows = [];
  for (const c of await cases()) {
    const { sign, encrypt } = c;
    const sdk = async () => {
      let b = new AuthorizationRequestBuilder('code', clientId)
        .endpoint(endpoint)
        .audience(issuer)
        .redirectUri(redirectUri)
        .scope('openid', 'profile')
        .state(state)
        .nonce(nonce)
        .codeChallenge(codeVerifier)
        .signWith(sign.key, { alg: sign.alg, kid: 'k1' });
      if (encrypt) b = b.encryptWith(encrypt.key, { alg: encrypt.alg, enc: encrypt.enc, kid: 'e1' });
      return (await b.build()).url;
    };
    const raw = async () => {
      let object = await new SignJWT(await claims())
        .setProtectedHeader({ alg: sign.alg, kid: 'k1', typ: 'oauth-authz-req+jwt' })
        .sign(sign.key);
      if (encrypt) {
        object = await new CompactEncrypt(encoder.encode(object))
          .setProtectedHeader({ alg: encrypt.alg, enc: encrypt.enc, cty: 'JWT', kid: 'e1' })
          .encrypt(encrypt.key);
      }
      return authorizeUrl(object);
    };
    const tasks = { sdk, raw };
    if (!c.noPeer) {
      const as = { issuer, authorization_endpoint: endpoint };
      const client = { client_id: clientId };
      tasks.peer = async () => {
        const params = {
          response_type: 'code', redirect_uri: redirectUri, scope: 'openid profile', state, nonce,
          code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
        };
        return authorizeUrl(await oauth.issueRequestObject(as, client, params, { key: sign.key, kid: 'k1' }));
      };
    }
    // every path must make a usable object before it is timed
    for (const fn of Object.values(tasks)) {
      const url = await fn();
      if (!url.searchParams.get('request')) throw new Error(`${c.id}: no request object`);
    }
    const { opsPerSec, perRound } = await interleaved(tasks, opts);
    const r = ratio(perRound, 'sdk', 'raw');
    rows.push({
      suite: 'client',
      id: `builder+sign ${c.id}`,
      sdkOps: opsPerSec.sdk,
      rawOps: opsPerSec.raw,
      peerOps: opsPerSec.peer,
      peerNote: c.noPeer,
      ratio: r,
      range: ratioRange(perRound, 'sdk', 'raw'),
      meanRatio: ratio(perRound, 'sdk', 'raw', 'mean'),
      peerRatio: tasks.peer ? ratio(perRound, 'peer', 'raw') : undefined,
      target: TARGET,
      pass: r >= TARGET,
      baseline: encrypt ? 'jose SignJWT + CompactEncrypt' : 'jose SignJWT',
    });
  }
  return rows;
}

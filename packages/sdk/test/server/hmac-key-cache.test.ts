// The verifier imports each client_secret as an HMAC key once per (secret, alg) and reuses it
// (crypto/verify.ts secretKey). These cases pin what that cache must not change: every HS alg keeps
// its own hash, and a rotated secret is used at once, with the old one refused.
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, claims, makeVerifier, query, refusal, req, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

const enc = new TextEncoder();
const header = (alg: string) => ({ alg, typ: 'oauth-authz-req+jwt' });

describe('client_secret HMAC keys, imported once and reused', () => {
  it('HS256, HS384 and HS512 objects signed with one client_secret each verify, again and again', async () => {
    // RFC 7518 §3.2: HS512 needs at least 64 bytes.
    const secret = 'one-client-secret-used-for-three-hmac-algorithms-0123456789-abcdef';
    const verifier = makeVerifier(keys, {}, { client_id: CLIENT_ID, client_secret: secret });
    for (let round = 0; round < 2; round++) {
      for (const alg of ['HS256', 'HS384', 'HS512', 'HS256']) {
        const jws = await sign(claims(), enc.encode(secret), header(alg));
        const { requestObject } = await verifier.verify(req(jws));
        expect(requestObject?.header.alg).toBe(alg);
      }
    }
  });

  it('a rotated client_secret is used at once; objects signed with the old one are refused', async () => {
    const client = { client_id: CLIENT_ID, client_secret: 'the-first-client-secret-of-at-least-32-bytes' };
    const verifier = makeVerifier(keys, {}, () => client);
    const old = await sign(claims(), enc.encode(client.client_secret), header('HS256'));
    await verifier.verify(req(old));

    client.client_secret = 'the-rotated-client-secret-of-at-least-32-bytes';
    const err = await refusal(verifier, req(old));
    expect(err.error).toBe('invalid_request_object');
    expect(err.check).toBe('signature');
    const fresh = await sign(claims(), enc.encode(client.client_secret), header('HS256'));
    const { requestObject } = await verifier.verify(req(fresh));
    expect(requestObject?.claims.client_id).toBe(CLIENT_ID);
  });
});

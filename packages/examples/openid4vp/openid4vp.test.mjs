// The openid4vp example end to end on 127.0.0.1: request by POST with wallet_nonce, the wallet's
// checks, and the encrypted response read by the verifier.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { makePki } from './pki.mjs';
import { startVerifier } from './verifier.mjs';
import { makeWallet } from './wallet.mjs';

let pki;
let verifier;
before(async () => {
  pki = await makePki('verifier.example');
  verifier = await startVerifier({ pki });
});
after(() => verifier.close());

test('the wallet verifies a request served by POST and the verifier reads its encrypted response', async () => {
  const url = await verifier.createRequest();
  assert.equal(url.protocol, 'openid4vp:');
  assert.equal(url.searchParams.get('request_uri_method'), 'post');
  const { verified, status } = await makeWallet({ trustAnchors: [pki.rootPem] }).present(url);
  assert.equal(verified.clientIdPrefix, 'x509_hash');
  assert.equal(verified.parameters.wallet_nonce, verified.walletNonce);
  assert.equal(status, 200);
  assert.equal(verifier.results.length, 1);
  assert.deepEqual(Object.keys(verifier.results[0].vp_token), ['pid']);
});

test('a wallet that does not trust the verifier\'s root refuses the request', async () => {
  const other = await makePki('verifier.example');
  const url = await verifier.createRequest();
  await assert.rejects(makeWallet({ trustAnchors: [other.rootPem] }).present(url), (err) => err.error === 'invalid_client' && err.check === 'certificate_chain');
});

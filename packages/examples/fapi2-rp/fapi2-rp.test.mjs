// fapi2-rp end to end on 127.0.0.1: the whole FAPI 2.0 login ends with a DPoP-bound access token.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { decodeAuthorizationRequest } from 'oauth-jar';
import { fapi2Login } from './login.mjs';

test('FAPI 2.0 login: PAR with DPoP (nonce retry), JARM, verified code, DPoP-bound token', async () => {
  const steps = [];
  const { request, parameters, tokens, pushes, issuer } = await fapi2Login({ log: (step) => steps.push(step) });
  assert.deepEqual(steps, ['discovered', 'pushed', 'callback', 'verified response', 'tokens']);
  // The authorization URL carries only client_id and the pushed request_uri.
  assert.deepEqual([...request.url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
  // The request object was signed with a negotiated FAPI 2.0 algorithm.
  assert.equal(decodeAuthorizationRequest(request.requestObject).header.alg, 'ES256');
  assert.equal(pushes, 2, 'the first push is answered use_dpop_nonce, the retry carries the nonce');
  assert.equal(parameters.iss, issuer);
  assert.ok(parameters.code);
  assert.equal(tokens.token_type.toLowerCase(), 'dpop');
});

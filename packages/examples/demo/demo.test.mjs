// `pnpm demo --json`: every way of sending the request is accepted, and the exit code says so.
import { execFile } from 'node:child_process';
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { render } from './render.mjs';

const demo = fileURLToPath(new URL('./index.mjs', import.meta.url));

function runDemo(...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [demo, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
}

test('pnpm demo --json: all four ways accepted, exit 0', async () => {
  const { code, stdout, stderr } = await runDemo('--json');
  assert.equal(code, 0, stderr);
  assert.equal(stderr, ''); // oidc-provider's development notices are kept out of the demo
  const summary = JSON.parse(stdout);
  assert.equal(summary.accepted, true);
  assert.deepEqual(summary.paths.map((p) => [p.id, p.accepted]), [
    ['signed', true],
    ['encrypted', true],
    ['par', true],
    ['hosted', true],
  ]);
  const byId = Object.fromEntries(summary.paths.map((p) => [p.id, p]));

  // oidc-provider reached its login interaction for the three ways it supports…
  for (const id of ['signed', 'encrypted', 'par']) {
    assert.equal(byId[id].oidcProvider.accepted, true, `${id}: ${JSON.stringify(byId[id].oidcProvider)}`);
    assert.match(byId[id].oidcProvider.interaction, /^\/interaction\//);
  }
  // …and answered request_uri_not_supported for the self-hosted request_uri (oidc-provider 9).
  assert.equal(byId.hosted.oidcProvider.accepted, false);
  assert.equal(byId.hosted.oidcProvider.error, 'request_uri_not_supported');

  // oauth-jar/server accepted each one the way it was sent, with the parameters the client put in.
  assert.deepEqual(summary.paths.map((p) => p.oauthJarServer.source), ['request', 'request', 'par', 'request_uri']);
  for (const p of summary.paths) {
    const { iss, aud, iat, nbf, exp, jti, ...sent } = p.requestObject.claims;
    assert.deepEqual(p.oauthJarServer.parameters, sent, p.id);
    assert.equal(p.oauthJarServer.header.typ, 'oauth-authz-req+jwt');
    assert.equal(iss, 'demo-rp');
    assert.equal(aud, summary.authorizationServer.issuer);
  }
  assert.equal(byId.encrypted.requestObject.encrypted, true);
  assert.equal(byId.encrypted.requestObject.header.enc, 'A256GCM');
  assert.equal(byId.encrypted.oauthJarServer.encryptionHeader.kid, 'as-enc-1');
  assert.match(new URL(byId.par.url).searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/);
  assert.ok(new URL(byId.hosted.url).searchParams.get('request_uri').startsWith(summary.relyingParty.requestUriBase));
});

test('pnpm demo: text output without colour when stdout is not a TTY', async () => {
  const { code, stdout } = await runDemo();
  assert.equal(code, 0);
  assert.doesNotMatch(stdout, /\x1b\[/);
  assert.match(stdout, /✓ 4 of 4 ways accepted/);
  for (const title of ['signed, by value', 'signed then encrypted, by value', 'pushed (PAR, RFC 9126)', 'by reference, self-hosted request_uri']) {
    assert.ok(stdout.includes(title), title);
  }
});

test('render: a refused way shows the error and the count; colour only when asked', () => {
  const summary = {
    accepted: false,
    authorizationServer: { issuer: 'http://127.0.0.1:1' },
    relyingParty: { origin: 'http://127.0.0.1:2', clientId: 'demo-rp', signingKey: 'k' },
    paths: [
      {
        id: 'signed',
        title: 'signed, by value',
        accepted: false,
        url: 'http://127.0.0.1:1/auth?client_id=demo-rp&request=a.b.c',
        requestObject: { encrypted: false, header: { alg: 'ES256' }, claims: { iss: 'demo-rp' } },
        oidcProvider: { accepted: false, expected: false, error: 'invalid_request_object', error_description: 'could not validate Request Object' },
        oauthJarServer: { accepted: false, error: 'invalid_request_object', error_description: 'signature' },
      },
    ],
  };
  const plain = render(summary, { color: false });
  assert.match(plain, /✗ refused invalid_request_object: could not validate Request Object/);
  assert.match(plain, /✗ 0 of 1 ways accepted/);
  assert.doesNotMatch(plain, /\x1b\[/);
  assert.match(render(summary, { color: true }), /\x1b\[31m/);
});

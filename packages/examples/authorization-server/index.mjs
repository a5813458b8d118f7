// pnpm --filter @oauth-jar/examples authorization-server [-- --serve]
// Starts the minimal oauth-jar/server authorization endpoint on 127.0.0.1, sends it one good and
// three bad requests, and prints what it answered. With --serve it then keeps running.
import { createServer } from 'node:http';
import { AuthorizationRequestBuilder, generateCodeVerifier } from 'oauth-jar';
import { toNodeHandler } from 'oauth-jar/node';
import { close, generateJwkPair, listen } from '../shared/util.mjs';
import { createAuthorizationServer } from './server.mjs';

const server = createServer();
const issuer = await listen(server);
const asKey = await generateJwkPair('RSA-OAEP-256', 'as-enc-1');
const clientKey = await generateJwkPair('ES256', 'rp-1-sig');
const strangerKey = await generateJwkPair('ES256', 'rp-1-sig'); // same kid, not registered

const handler = createAuthorizationServer({
  issuer,
  clients: {
    'rp-1': { client_id: 'rp-1', redirect_uris: ['https://rp.example/cb'], jwks: { keys: [clientKey.publicJwk] }, request_object_signing_alg: 'ES256' },
  },
  decryptionKeys: { keys: [asKey.privateJwk] },
  jwks: { keys: [asKey.publicJwk] },
});
server.on('request', toNodeHandler(handler));

const request = (key, clientId = 'rp-1') =>
  new AuthorizationRequestBuilder('code', clientId)
    .endpoint(`${issuer}/authorize`)
    .audience(issuer)
    .redirectUri('https://rp.example/cb')
    .scope('openid', 'profile')
    .state('af0ifjsldkj')
    .codeChallenge(generateCodeVerifier())
    .signWith(key, { alg: 'ES256' })
    .encryptWith(asKey.publicJwk, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })
    .build();

const tries = [
  ['discovery', new URL('/.well-known/oauth-authorization-server', issuer)],
  ['a good request (signed, encrypted)', (await request(clientKey.privateJwk)).url],
  ['signed by a key rp-1 never registered', (await request(strangerKey.privateJwk)).url],
  ['an unknown client', (await request(clientKey.privateJwk, 'rp-2')).url],
  ['no request object at all', new URL(`/authorize?client_id=rp-1&response_type=code&redirect_uri=https://rp.example/cb`, issuer)],
];

console.log(`oauth-jar/server authorization endpoint at ${issuer}/authorize\n`);
for (const [what, url] of tries) {
  const res = await fetch(url, { redirect: 'manual' });
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const body = type.startsWith('application/json')
    ? Object.entries(JSON.parse(text)).map(([k, v]) => `\n      ${k}: ${JSON.stringify(v)}`).join('')
    : text.replace(/<title>.*<\/title>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(); // the HTML error page, as text
  console.log(`${what}\n  → ${res.status} ${res.headers.get('location') ?? body}\n`);
}

if (process.argv.includes('--serve')) {
  console.log(`serving on ${issuer} (Ctrl-C to stop)`);
} else {
  await close(server);
}

// pnpm demo: builds the same authorization request signed, and signed-then-encrypted, and prints
// the authorize URLs with their decoded headers and claims. Keys are generated on the spot.
import { AuthorizationRequestBuilder, decodeAuthorizationRequest, generateCodeVerifier } from 'oauth-jar';

const { subtle } = globalThis.crypto;
const clientKey = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
const serverKey = await subtle.generateKey(
  { name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
  false,
  ['encrypt', 'decrypt'],
);

const builder = () =>
  new AuthorizationRequestBuilder('code', 'demo-client')
    .endpoint('https://as.example.com/authorize')
    .audience('https://as.example.com')
    .redirectUri('https://rp.example.com/cb')
    .scope('openid', 'profile')
    .state(crypto.randomUUID())
    .codeChallenge(generateCodeVerifier())
    .signWith(clientKey.privateKey, { alg: 'ES256', kid: 'client-key-1' });

const json = process.argv.includes('--json');
const tty = process.stdout.isTTY && !json;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const short = (s, n = 110) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

const results = [];
for (const [name, make] of [
  ['signed (JWS, by value)', () => builder()],
  ['signed then encrypted (JWE, by value)', () => builder().encryptWith(serverKey.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc-1' })],
]) {
  const request = await make().build();
  const decoded = decodeAuthorizationRequest(request.url);
  results.push({ name, url: request.url.href, header: decoded.header, claims: decoded.claims ?? null, encrypted: decoded.encrypted });
}

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  for (const r of results) {
    console.log(`\n${bold(r.name)}`);
    console.log(`  url     ${short(r.url)}`);
    console.log(`  header  ${JSON.stringify(r.header)}`);
    console.log(`  claims  ${r.claims ? short(JSON.stringify(r.claims), 400) : dim('(encrypted: only the authorization server can read them)')}`);
  }
  console.log(`\n${dim('The full tour (oidc-provider, PAR, hosted request_uri, server verdicts) is the examples issue.')}`);
}

// The SPA example's two servers, both on 127.0.0.1:
// - an authorization server: oidc-provider 9 with request objects, request object encryption and
//   open dynamic client registration (RFC 7591);
// - the app's host: serves the rollup bundle and relays the page's public key to the AS's
//   registration endpoint (oidc-provider's registration endpoint has no CORS, so a page cannot call
//   it itself). The relay registers each key once and always asks for signed request objects.
//
//   node spa/server.mjs            bundles the app, starts both, prints the URL to open
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { rollup } from 'rollup';
import config from './rollup.config.mjs';

const here = new URL('./', import.meta.url);

/** Bundles src/app.js (and oauth-jar's browser build) into spa/dist/app.js. */
export async function bundle() {
  const build = await rollup(config);
  try {
    await build.write(config.output);
  } finally {
    await build.close();
  }
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function close(server) {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
}

function jwk(type, options, extra) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), ...extra };
}

/** The authorization server. */
export async function startAuthorizationServer() {
  const server = createServer();
  const issuer = await listen(server);
  const provider = new Provider(issuer, {
    jwks: {
      keys: [
        jwk('rsa', { modulusLength: 2048 }, { use: 'sig', alg: 'RS256' }), // ID Tokens
        jwk('ec', { namedCurve: 'P-256' }, { use: 'enc' }), // request objects are encrypted to this one
      ],
    },
    features: {
      requestObjects: { enabled: true },
      encryption: { enabled: true },
      registration: { enabled: true }, // open registration: no initial access token
    },
    // Public clients may call the token endpoint from their redirect_uri's origin.
    clientBasedCORS: (ctx, origin, client) => client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    cookies: { keys: [randomUUID()] },
  });
  server.on('request', provider.callback());
  return { issuer, provider, close: () => close(server) };
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error('body too large');
  }
  return JSON.parse(body);
}

/** The app's host: static files, /config.json and the key registration relay. */
export async function startAppServer({ issuer }) {
  const server = createServer();
  const origin = await listen(server);
  const clients = new Map(); // kid (JWK thumbprint) -> client_id
  const discovery = await (await fetch(new URL('/.well-known/openid-configuration', issuer))).json();

  async function register({ jwk: key }) {
    if (key?.kty !== 'EC' || key.crv !== 'P-256' || typeof key.x !== 'string' || typeof key.y !== 'string' || 'd' in key || typeof key.kid !== 'string') {
      throw new Error('expected a public P-256 JWK with a kid');
    }
    const known = clients.get(key.kid);
    if (known) return known;
    // RFC 7591 §2 client metadata; require_signed_request_object (RFC 9101 §10.5) makes the AS
    // refuse any request from this client that is not a signed request object.
    const res = await fetch(discovery.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        application_type: 'web',
        client_name: 'oauth-jar SPA example',
        redirect_uris: [`${origin}/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'none',
        jwks: { keys: [{ kty: key.kty, crv: key.crv, x: key.x, y: key.y, kid: key.kid, alg: 'ES256', use: 'sig' }] },
        request_object_signing_alg: 'ES256',
        require_signed_request_object: true,
      }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`registration refused: ${res.status} ${JSON.stringify(body)}`);
    clients.set(key.kid, body.client_id);
    return body.client_id;
  }

  const files = {
    '/app.js': ['dist/app.js', 'text/javascript'],
    '/app.js.map': ['dist/app.js.map', 'application/json'],
    '/': ['index.html', 'text/html; charset=utf-8'],
    '/callback': ['index.html', 'text/html; charset=utf-8'],
  };
  server.on('request', async (req, res) => {
    const { pathname } = new URL(req.url, origin);
    try {
      if (req.method === 'POST' && pathname === '/register') {
        const clientId = await register(await readJson(req));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client_id: clientId }));
      } else if (req.method === 'GET' && pathname === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer }));
      } else if (req.method === 'GET' && (files[pathname] || /^\/chunks\/[\w.-]+\.js(\.map)?$/.test(pathname))) {
        const [file, type] = files[pathname] ?? [`dist${pathname}`, pathname.endsWith('.map') ? 'application/json' : 'text/javascript'];
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(await readFile(new URL(file, here)));
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_request', error_description: err.message }));
    }
  });
  return { origin, close: () => close(server) };
}

/** Bundles the app and starts both servers. */
export async function startSpaDemo() {
  await bundle();
  const as = await startAuthorizationServer();
  const app = await startAppServer({ issuer: as.issuer });
  return {
    issuer: as.issuer,
    appUrl: `${app.origin}/`,
    provider: as.provider,
    close: async () => {
      await app.close();
      await as.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const demo = await startSpaDemo();
  console.log(`authorization server  ${demo.issuer}`);
  console.log(`open the SPA at       ${demo.appUrl}   (Ctrl-C to stop)`);
  process.once('SIGINT', () => demo.close().then(() => process.exit(0)));
}

// A relying party on plain node:http. /login sends the browser to the authorization server with a
// JWT-Secured Authorization Request (signed by the client, encrypted to the AS, RFC 9101); /cb
// takes the answer and redeems the code with PKCE. oauth-jar builds the request; oauth4webapi
// checks the callback and does the token request (oauth-jar is only about the request side).
import { randomBytes } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { AuthorizationRequestBuilder, discoverAuthorizationServer, generateCodeVerifier } from 'oauth-jar';

const COOKIE = 'rp_session';
const random = () => randomBytes(16).toString('base64url');

/**
 * @param {object} options
 * @param {string} options.issuer the authorization server's issuer identifier
 * @param {string} options.origin this RP's origin (its redirect_uri is `${origin}/cb`)
 * @param {string} options.clientId
 * @param {string} options.clientSecret for the token request (client_secret_basic)
 * @param {object} options.signingKey the client's private ES256 key (JWK or CryptoKey); the AS has its public half
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createRelyingParty({ issuer, origin, clientId, clientSecret, signingKey }) {
  const redirectUri = `${origin}/cb`;
  const client = { client_id: clientId };
  /** Pending logins by session cookie: what the callback must find again. */
  const pending = new Map();
  // The AS's metadata is discovered on first use and cached by oauth-jar (RFC 8414).
  const server = () => discoverAuthorizationServer(issuer);

  async function login(res) {
    const as = await server();
    const login = { state: random(), nonce: random(), codeVerifier: generateCodeVerifier() };
    const request = await new AuthorizationRequestBuilder('code', clientId)
      .server(as) // authorization_endpoint, aud = issuer, and the AS's encryption key (jwks_uri)
      .redirectUri(redirectUri)
      .scope('openid')
      .state(login.state)
      .nonce(login.nonce)
      .codeChallenge(login.codeVerifier) // PKCE S256: only the challenge goes in the request
      .signWith(signingKey, { alg: 'ES256' })
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }) // to the AS's use=enc key
      .build();
    const sid = random();
    pending.set(sid, login);
    // The URL carries client_id and the encrypted request object, nothing else (RFC 9101 §5).
    res.writeHead(303, {
      location: request.url.href,
      'set-cookie': `${COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`,
    });
    res.end();
  }

  async function callback(req, res, url) {
    const sid = /(?:^|;\s*)rp_session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    const login = sid && pending.get(sid);
    if (!login) return page(res, 400, 'No login in progress (or it was already used).');
    pending.delete(sid); // one use
    const as = await server();
    try {
      // state, iss (RFC 9207) and error= are checked here.
      const params = oauth.validateAuthResponse(as, client, url, login.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as, client, oauth.ClientSecretBasic(clientSecret), params, redirectUri, login.codeVerifier,
        { [oauth.allowInsecureRequests]: issuer.startsWith('http:') }, // the example AS is on http://127.0.0.1
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: login.nonce, requireIdToken: true });
      const { sub } = oauth.getValidatedIdTokenClaims(tokens);
      return page(res, 200, `Signed in as ${sub}. Access token: ${tokens.access_token.slice(0, 8)}…`);
    } catch (err) {
      const detail = err instanceof oauth.AuthorizationResponseError ? `${err.error}: ${err.error_description ?? ''}` : err.message;
      return page(res, 400, `Sign-in failed. ${detail}`);
    }
  }

  return async function handler(req, res) {
    const url = new URL(req.url, origin);
    try {
      if (url.pathname === '/login') return await login(res);
      if (url.pathname === '/cb') return await callback(req, res, url);
      if (url.pathname === '/') return page(res, 200, '<a href="/login">Sign in</a>', true);
      return page(res, 404, 'Not found.');
    } catch (err) {
      console.error(err);
      return page(res, 500, 'Something went wrong.');
    }
  };
}

const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function page(res, status, text, html = false) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><meta charset="utf-8"><title>node-rp</title><p>${html ? text : escape(text)}</p>\n`);
}

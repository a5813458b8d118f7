// A deliberately broken authorization server for the probe's tests, on 127.0.0.1 only. It checks
// request objects carefully except for three holes:
//   - `alg: "none"` (exactly that spelling) skips the signature check;
//   - `aud` is never checked;
//   - any `request_uri` is fetched, registered or not (the tests only ever hand it loopback URLs).
// Everything else (typ, crit, b64, iss, client_id, exp/nbf/iat, jti replay, request/request_uri
// inside, JWE) is refused with an error redirect to the registered redirect_uri.
import { createServer, type Server } from 'node:http';
import { compactVerify, importJWK, type JWK } from 'jose';
import { close, listen } from './loopback.js';

export interface BrokenAs {
  issuer: string;
  close(): Promise<void>;
}

export async function startBrokenAs(
  client: { client_id: string; redirect_uri: string; jwk: JWK },
  /** `refuse-after-fetch`: hole 3 narrowed: the fetched object is then refused, but the fetch happened. */
  variant: 'accept' | 'refuse-after-fetch' = 'accept',
): Promise<BrokenAs> {
  const server: Server = createServer();
  const issuer = await listen(server);
  const key = await importJWK(client.jwk, 'ES256');
  const seen = new Set<string>();
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    require_request_uri_registration: true, // claimed, not enforced
    require_signed_request_object: true,
    request_object_signing_alg_values_supported: ['ES256'],
  };

  const b64json = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

  /** The request object's claims, or the OAuth error code that refuses it. */
  async function check(jwt: string, clientId: string): Promise<Record<string, unknown> | string> {
    const parts = jwt.split('.');
    if (parts.length !== 3) return 'invalid_request_object'; // no JWE support
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = b64json(parts[0]!);
      if (header.alg === 'none') {
        claims = b64json(parts[1]!); // hole 1: the unsecured JWS is taken as it is
      } else {
        if (header.alg !== 'ES256' || header.jwk || header.jku || header.x5c) return 'invalid_request_object';
        const { payload } = await compactVerify(jwt, key, { algorithms: ['ES256'] });
        claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      }
    } catch {
      return 'invalid_request_object';
    }
    if (header.typ !== 'oauth-authz-req+jwt' || 'b64' in header || 'crit' in header) return 'invalid_request_object';
    // hole 2: no aud check
    if (claims.iss !== clientId || claims.client_id !== clientId) return 'invalid_request_object';
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < now - 5) return 'invalid_request_object';
    if (typeof claims.nbf === 'number' && claims.nbf > now + 5) return 'invalid_request_object';
    if (typeof claims.iat !== 'number' || claims.iat > now + 5) return 'invalid_request_object';
    if ('request' in claims || 'request_uri' in claims) return 'invalid_request_object';
    if (typeof claims.jti !== 'string' || seen.has(claims.jti)) return 'invalid_request_object';
    seen.add(claims.jti);
    return claims;
  }

  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
      return;
    }
    if (url.pathname !== '/authorize') {
      res.writeHead(404).end();
      return;
    }
    const q = url.searchParams;
    if (q.get('client_id') !== client.client_id) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
      return;
    }
    const fail = (error: string, state = q.get('state')) => {
      const to = new URL(client.redirect_uri);
      to.searchParams.set('error', error);
      if (state) to.searchParams.set('state', state);
      res.writeHead(302, { location: to.href }).end();
    };
    let jwt = q.get('request');
    const requestUri = q.get('request_uri');
    if (jwt && requestUri) return fail('invalid_request');
    if (requestUri) {
      try {
        // hole 3: whatever the request_uri names is fetched
        const r = await fetch(requestUri, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
        if (r.status !== 200) return fail('invalid_request_uri');
        jwt = (await r.text()).trim();
        if (variant === 'refuse-after-fetch' && !requestUri.includes('/registered/')) return fail('invalid_request_uri');
      } catch {
        return fail('invalid_request_uri');
      }
    }
    if (!jwt) return fail('invalid_request');
    const result = await check(jwt, client.client_id);
    if (typeof result === 'string') return fail(result);
    if (result.redirect_uri !== client.redirect_uri) return fail('invalid_request');
    const state = typeof result.state === 'string' ? result.state : null;
    if (result.prompt === 'none') return fail('login_required', state);
    res.writeHead(302, { location: `/login?session=${Math.random().toString(36).slice(2)}` }).end();
  });

  return { issuer, close: () => close(server) };
}

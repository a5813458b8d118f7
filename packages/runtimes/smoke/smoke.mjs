// The smoke client: what runs inside the runtime under test (Node, Bun, Deno, workerd). Web APIs
// only (WebCrypto, fetch, URL), and the packed `oauth-jar` tarball as a user installs it.
//
// Each check is one thing a user of that runtime relies on:
//   sign      build a request object signed with an ES256 CryptoKey (RFC 9101 §4) and verify it
//             by value with oauth-jar/server (no network: independent of the server's fetcher)
//   refuse    the same verifier refuses that object with its signature altered, with the typed
//             error an authorization endpoint answers with (RFC 9101 §6.2: invalid_request_object)
//   nested    sign then encrypt (RSA-OAEP-256 / A256GCM, RFC 9101 §6.1) and verify it, decrypting
//             with the verifier's own key (RFC 9101 §6.1, RFC 7519 §11.2)
//   par       discovery (RFC 8414) of the authorization server on 127.0.0.1, encryption to the
//             `use: "enc"` key of its jwks_uri (checked by its `kid`), and a pushed authorization request (RFC 9126 §2)
//             authenticated with private_key_jwt; the harness then checks that the authorization
//             server accepts the resulting authorization URL.
import { AuthorizationRequestBuilder, PushedAuthorizationRequestPublisher, discoverAuthorizationServer, generateCodeVerifier } from 'oauth-jar';
import { AuthorizationRequestError, RequestObjectVerifier } from 'oauth-jar/server';

/**
 * @typedef {object} SmokeConfig
 * @property {string} issuer the authorization server (oidc-provider) on 127.0.0.1
 * @property {string} clientId the client registered there
 * @property {string} redirectUri a redirect_uri registered for it
 * @property {JsonWebKey & { kid: string }} clientPrivateJwk the client's ES256 private key
 * @property {string} asEncryptionKid the `kid` of the AS's request object encryption key (jwks_uri)
 *
 * @typedef {{ name: string, ok: boolean, ms: number, error?: string }} Check
 * @typedef {{ checks: Check[], parUrl?: string }} SmokeVerdict
 */

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' };
const RSA_OAEP_256 = { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

/**
 * Runs every check and reports each one; never throws.
 *
 * @param {SmokeConfig} config
 * @returns {Promise<SmokeVerdict>}
 */
export async function smoke(config) {
  /** @type {Check[]} */
  const checks = [];
  /** @type {SmokeVerdict} */
  const verdict = { checks };
  const check = async (/** @type {string} */ name, /** @type {() => Promise<void>} */ run) => {
    const started = Date.now();
    try {
      await run();
      checks.push({ name, ok: true, ms: Date.now() - started });
    } catch (err) {
      const e = /** @type {{ code?: string, name?: string, message?: string, cause?: unknown }} */ (err);
      const cause = e.cause instanceof Error ? ` (cause: ${e.cause.message})` : '';
      checks.push({ name, ok: false, ms: Date.now() - started, error: `${e.code ?? e.name}: ${e.message}${cause}` });
    }
  };

  // The client's signing key as a non-extractable CryptoKey, the form a Web-API app holds it in.
  const { kid, ...jwk } = config.clientPrivateJwk;
  const signingKey = await crypto.subtle.importKey('jwk', jwk, ES256, false, ['sign']);
  const clientPublicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid };
  const audience = 'https://as.smoke.example';
  const request = () =>
    new AuthorizationRequestBuilder('code', config.clientId)
      .redirectUri(config.redirectUri)
      .scope('openid')
      .state(crypto.randomUUID())
      .nonce(crypto.randomUUID())
      .codeChallenge(generateCodeVerifier())
      .maxAge(0)
      .signWith(signingKey, { alg: 'ES256', kid });

  // The verifier's own decryption key (RSA-OAEP-256), made here: by value, nothing is fetched.
  const decryption = await crypto.subtle.generateKey(RSA_OAEP_256, true, ['encrypt', 'decrypt']);
  const decryptionJwk = { ...(await crypto.subtle.exportKey('jwk', decryption.privateKey)), kid: 'as-enc', alg: 'RSA-OAEP-256' };
  delete decryptionJwk.key_ops;
  const verifier = new RequestObjectVerifier({
    issuer: audience,
    getClient: (id) => (id === config.clientId ? { client_id: id, jwks: { keys: [clientPublicJwk] }, request_object_signing_alg: 'ES256' } : undefined),
    decryptionKeys: { keys: [decryptionJwk] },
  });

  await check('sign', async () => {
    const built = await request().endpoint(`${audience}/authorize`).audience(audience).build();
    const verified = await verifier.verify(built.url.searchParams);
    expect(verified.requestObject?.header.alg === 'ES256', `alg ${verified.requestObject?.header.alg}`);
    expect(verified.requestObject?.header.typ === 'oauth-authz-req+jwt', `typ ${verified.requestObject?.header.typ}`);
    expect(verified.requestObject?.encryptionHeader === undefined, 'an encryption header on a signed-only object');
    // RFC 9101 §4: JSON types survive; max_age 0 stays the number 0.
    expect(verified.parameters.max_age === 0, `max_age ${JSON.stringify(verified.parameters.max_age)}`);
    expect(verified.parameters.client_id === config.clientId, 'client_id');
  });

  await check('refuse', async () => {
    const built = await request().endpoint(`${audience}/authorize`).audience(audience).build();
    const [header, payload, signature] = /** @type {string} */ (built.requestObject).split('.');
    // Another base64url character first: well-formed, the same length, a different signature.
    const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const query = new URLSearchParams({ client_id: config.clientId, request: tampered });
    const refused = await verifier.verify(query).then(
      () => undefined,
      (/** @type {unknown} */ err) => err,
    );
    expect(refused !== undefined, 'the altered object was accepted');
    expect(refused instanceof AuthorizationRequestError, `not an AuthorizationRequestError: ${String(refused)}`);
    const e = /** @type {AuthorizationRequestError} */ (refused);
    expect(e.error === 'invalid_request_object' && e.check === 'signature', `${e.error} (${e.check})`);
  });

  await check('nested', async () => {
    const built = await request()
      .endpoint(`${audience}/authorize`)
      .audience(audience)
      .encryptWith(decryption.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc' })
      .build();
    expect(built.requestObject?.split('.').length === 5, 'not a compact JWE');
    const verified = await verifier.verify(built.url.searchParams);
    const enc = verified.requestObject?.encryptionHeader;
    expect(enc?.alg === 'RSA-OAEP-256' && enc.enc === 'A256GCM', `JWE header ${JSON.stringify(enc)}`);
    expect(verified.requestObject?.header.alg === 'ES256', 'the nested JWT is not ES256-signed');
    expect(verified.parameters.scope === 'openid', 'scope');
  });

  await check('par', async () => {
    // RFC 8414: authorization_endpoint, issuer (the `aud`), the PAR endpoint and jwks_uri.
    const as = await discoverAuthorizationServer(config.issuer, { cache: false });
    const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'private_key_jwt', key: signingKey, alg: 'ES256', kid } });
    const built = await request()
      .server(as)
      .encryptWith({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }) // to the AS's use=enc key, from its jwks_uri
      .publishWith(par)
      .build();
    // Encrypted to the key the AS publishes for it (use "enc", RSA-OAEP-256) in its jwks_uri.
    const jweHeader = JSON.parse(atob(/** @type {string} */ (built.requestObject).split('.')[0].replace(/-/g, '+').replace(/_/g, '/')));
    expect(jweHeader.kid === config.asEncryptionKid && jweHeader.alg === 'RSA-OAEP-256' && jweHeader.enc === 'A256GCM', `JWE header ${JSON.stringify(jweHeader)}`);
    // RFC 9126 §4: the authorization URL carries client_id and the request_uri only.
    expect(built.requestUri?.startsWith('urn:ietf:params:oauth:request_uri:') === true, `request_uri ${built.requestUri}`);
    expect([...built.url.searchParams.keys()].sort().join() === 'client_id,request_uri', `query ${built.url.search}`);
    verdict.parUrl = built.url.href;
  });

  return verdict;
}

/**
 * @param {boolean} condition
 * @param {string} what
 */
function expect(condition, what) {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

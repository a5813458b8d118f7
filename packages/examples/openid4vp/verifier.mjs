// The verifier (relying party): it asks a wallet for a credential presentation with OpenID4VP 1.0.
// The request object is signed with the key of an X.509 certificate (client_id x509_hash:, HAIP's
// choice) and served by reference; the wallet POSTs to the request_uri (request_uri_method=post)
// and gets an object made for it. The wallet answers with direct_post.jwt: an encrypted response
// POSTed to response_uri.
import { createServer } from 'node:http';
import { AuthorizationRequestBuilder, HostedRequestUriPublisher, verifyAuthorizationResponse, x509Hash } from 'oauth-jar';
import { toNodeHandler } from 'oauth-jar/node';

const dcqlQuery = {
  credentials: [{ id: 'pid', format: 'dc+sd-jwt', meta: { vct_values: ['urn:eudi:pid:1'] }, claims: [{ path: ['given_name'] }, { path: ['age_over_18'] }] }],
};

export async function startVerifier({ pki }) {
  // An ephemeral key per transaction for the response encryption (OpenID4VP 1.0 §8.3).
  const enc = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const strip = ({ key_ops, ext, ...jwk }) => ({ ...jwk, kid: 'resp-1', use: 'enc', alg: 'ECDH-ES' });
  const responsePublicJwk = strip(await crypto.subtle.exportKey('jwk', enc.publicKey));
  const responsePrivateJwk = strip(await crypto.subtle.exportKey('jwk', enc.privateKey));
  const clientMetadata = {
    jwks: { keys: [responsePublicJwk] },
    encrypted_response_enc_values_supported: ['A128GCM'],
    vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
  };

  let hosted;
  const transactions = new Map(); // state → what the verifier expects back
  const results = [];
  const server = createServer(
    toNodeHandler(async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith('/request/')) return hosted.handler(request);
      if (pathname === '/response' && request.method === 'POST') {
        const form = new URLSearchParams(await request.text());
        // Which transaction: the state inside the encrypted response. Try each open one (a real
        // verifier gives each transaction its own response_uri instead).
        for (const [state, t] of transactions) {
          try {
            const verified = await verifyAuthorizationResponse(form, { decryptionKeys: [responsePrivateJwk], clientMetadata, state });
            transactions.delete(state);
            results.push({ state, nonce: t.nonce, vp_token: verified.vp_token });
            return Response.json({}); // OpenID4VP 1.0 §8.2: an empty JSON object (or a redirect_uri)
          } catch {
            // not this transaction
          }
        }
        return Response.json({ error: 'invalid_request', error_description: 'the response was not accepted' }, { status: 400 });
      }
      return new Response(null, { status: 404 });
    }),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  hosted = new HostedRequestUriPublisher({ baseUrl: `${origin}/request/`, ttl: 120, method: 'post' });
  const clientId = `x509_hash:${await x509Hash(pki.x5c[0])}`;

  /** A new presentation request: the URL to show as a QR code or open on the wallet's device. */
  async function createRequest() {
    const state = crypto.randomUUID();
    const nonce = crypto.randomUUID();
    const request = await new AuthorizationRequestBuilder('vp_token', clientId)
      .endpoint('openid4vp://')
      .nonce(nonce)
      .state(state)
      .responseMode('direct_post.jwt')
      .param('response_uri', `${origin}/response`)
      .param('dcql_query', dcqlQuery)
      .param('client_metadata', clientMetadata)
      .signWith(pki.leafKey, { alg: 'ES256', x5c: pki.x5c })
      .publishWith(hosted)
      .build();
    transactions.set(state, { nonce });
    return request.url;
  }

  return {
    clientId,
    createRequest,
    results,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

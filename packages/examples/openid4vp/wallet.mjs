// The wallet (holder): it verifies the verifier's request before showing it to the user — the
// request object fetched by POST with its metadata and a fresh wallet_nonce, the x5c chain to a
// trust anchor, the x509_hash client_id, typ, aud, exp — then answers with an encrypted response.
import { WalletRequestVerifier, encryptAuthorizationResponse } from 'oauth-jar/wallet';

export function makeWallet({ trustAnchors }) {
  const wallet = new WalletRequestVerifier({
    trustAnchors,
    walletMetadata: {
      vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
      request_object_signing_alg_values_supported: ['ES256'],
      client_id_prefixes_supported: ['x509_hash', 'x509_san_dns'],
    },
    // The example's verifier runs on http://127.0.0.1: allowed here only because it is a loopback
    // demo. A real wallet keeps the defaults (https only, no private addresses).
    requestUri: { allowHttp: true, allowPrivateNetwork: true },
  });

  /** Handles one invocation URL; returns what it verified and what the verifier answered. */
  async function present(url) {
    const verified = await wallet.verify(url);
    const { parameters } = verified;
    // A real wallet asks the user here, then makes the presentation of the credential the
    // dcql_query asks for (an SD-JWT VC with a key binding JWT over `nonce`). Stand-in:
    const presentation = `eyJhbGciOiJFUzI1NiJ9.eyJ2Y3QiOiJ1cm46ZXVkaTpwaWQ6MSJ9.c2lnbmF0dXJl~WyJzYWx0IiwiZ2l2ZW5fbmFtZSIsIkVyaWthIl0~kb-jwt-over-${parameters.nonce}`;
    const response = await encryptAuthorizationResponse(
      { vp_token: { pid: [presentation] }, state: parameters.state },
      { clientMetadata: parameters.client_metadata },
    );
    const answer = await fetch(parameters.response_uri, { method: 'POST', body: new URLSearchParams({ response }), redirect: 'manual' });
    return { verified, status: answer.status };
  }

  return { present };
}

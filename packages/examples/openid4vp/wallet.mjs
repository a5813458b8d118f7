// The wallet (holder): it verifies the verifier's request before showing it to the user — the
// request object fetched by POST with its metadata and a fresh wallet_nonce, the x5c chain to a
// trust anchor, the x509_hash client_id, typ, aud, exp — then answers with an encrypted response.
import { guardedFetch } from 'oauth-jar/node';
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

  const postGuarded = guardedFetch({ allowPrivateNetwork: true });

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
    // response_uri is a URL the request named: posted through guardedFetch (no redirects, and no
    // loopback or private hosts, allowed here only for the loopback demo as above), with a deadline.
    const answer = await postGuarded(parameters.response_uri, {
      method: 'POST',
      body: new URLSearchParams({ response }),
      signal: AbortSignal.timeout(5000),
    });
    await answer.body?.cancel(); // only the status is read
    return { verified, status: answer.status };
  }

  return { present };
}

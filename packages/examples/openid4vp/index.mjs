// pnpm example:openid4vp — a verifier asks for a presentation, a wallet verifies the request
// (fetched by POST, x5c chain to its trust anchor) and answers with an encrypted response.
import { makePki } from './pki.mjs';
import { startVerifier } from './verifier.mjs';
import { makeWallet } from './wallet.mjs';

const pki = await makePki('verifier.example');
const verifier = await startVerifier({ pki });
try {
  const url = await verifier.createRequest();
  console.log(`verifier → wallet   ${url.href.slice(0, 140)}…`);
  const wallet = makeWallet({ trustAnchors: [pki.rootPem] });
  const { verified, status } = await wallet.present(url);
  console.log(`wallet verified     client_id ${verified.clientId.slice(0, 40)}… (prefix ${verified.clientIdPrefix}), chain of ${verified.certificateChain.length}, wallet_nonce echoed: ${verified.parameters.wallet_nonce === verified.walletNonce}`);
  console.log(`wallet → verifier   direct_post.jwt answered HTTP ${status}`);
  const [result] = verifier.results;
  console.log(`verifier received   vp_token for ${Object.keys(result?.vp_token ?? {}).join(', ') || 'nothing'} (state ${result?.state ? 'matched' : 'missing'})`);
  process.exitCode = status === 200 && result ? 0 : 1;
} finally {
  await verifier.close();
}

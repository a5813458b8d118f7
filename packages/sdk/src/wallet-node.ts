/**
 * `oauth-jar/wallet` on Node.js (the `node` export condition; Bun, Deno, Workers and browsers get
 * `wallet.ts`). The same API, with one difference: the wallet's `request_uri` fetches connect
 * through `guardedFetch`, so a host name that resolves to a loopback, private or link-local
 * address is refused at connect time (RFC 9101 §10.4), unless `requestUri.fetch` is given. The
 * types are those of `wallet.ts`.
 *
 * @module
 */
import { guardedFetch } from './node/guarded-fetch.js';
import { WalletRequestVerifier as WebApiWalletRequestVerifier, type WalletRequestVerifierOptions } from './wallet.js';

/** The options with Node's resolved-address check as the `request_uri` connection, unless a `fetch` is given. */
function withResolvedAddressCheck(options: WalletRequestVerifierOptions): WalletRequestVerifierOptions {
  if (typeof options !== 'object' || options === null) return options;
  const requestUri = options.requestUri;
  if (requestUri !== undefined && (typeof requestUri !== 'object' || requestUri === null)) return options;
  if (requestUri?.fetch !== undefined) return options;
  return { ...options, requestUri: { ...requestUri, fetch: guardedFetch({ allowPrivateNetwork: requestUri?.allowPrivateNetwork === true }) } };
}

/** {@link WebApiWalletRequestVerifier} whose `request_uri` fetches also check the addresses a host name resolves to. */
export class WalletRequestVerifier extends WebApiWalletRequestVerifier {
  constructor(options: WalletRequestVerifierOptions = {}) {
    super(withResolvedAddressCheck(options));
  }
}

// Every other export of wallet.ts, unchanged.
export { SELF_ISSUED_AUDIENCE, WalletRequestError, encryptAuthorizationResponse, x509Hash, OAuthJarError } from './wallet.js';
export type * from './wallet.js';

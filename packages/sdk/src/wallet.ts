/**
 * `oauth-jar/wallet`: the wallet's (holder's) side of OpenID for Verifiable Presentations 1.0 —
 * verifying a verifier's authorization request (by value or by reference, `request_uri_method`
 * `get` or `post`, client identifier prefixes `x509_san_dns:`, `x509_hash:`, `redirect_uri:`,
 * `decentralized_identifier:`, `verifier_attestation:`) and encrypting the `direct_post.jwt`
 * response.
 *
 * @module
 */
export { WalletRequestVerifier, SELF_ISSUED_AUDIENCE } from './wallet/verifier.js';
export type { WalletRequestVerifierOptions, WalletMetadata, ClientIdPrefix, VerifiedWalletRequest } from './wallet/types.js';
export { WalletRequestError } from './wallet/errors.js';
export type { WalletErrorCode, WalletCheck } from './wallet/errors.js';
export { encryptAuthorizationResponse } from './wallet/response.js';
export type { EncryptAuthorizationResponseOptions, ResponseEncryptionMetadata } from './wallet/response.js';
export { x509Hash } from './client/x509-hash.js';
export { OAuthJarError } from './errors.js';
export type { OAuthJarErrorCode } from './errors.js';
export type { RequestUriFetchOptions } from './http/request-uri.js';

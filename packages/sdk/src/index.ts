/**
 * `oauth-jar`: the relying party's side of JWT-Secured Authorization Requests (RFC 9101).
 * Runs in browsers, Node.js and every Web-API runtime.
 *
 * @module
 */
export { AuthorizationRequestBuilder, generateCodeVerifier, REQUEST_OBJECT_TYP } from './client/builder.js';
export type { AuthorizationRequest, SignWithOptions, EncryptWithOptions } from './client/builder.js';
export { decodeAuthorizationRequest } from './client/decode.js';
export { discoverAuthorizationServer } from './client/discovery.js';
export type { AuthorizationServerMetadata, DiscoveryOptions, DiscoveryCache } from './client/discovery.js';
export type { DecodedAuthorizationRequest } from './client/decode.js';
export type { RequestUriPublisher, PublishContext, ReissueOptions } from './publishers/types.js';
export { PushedAuthorizationRequestPublisher } from './publishers/par.js';
export type { PushedAuthorizationRequestPublisherOptions, ClientAuthentication } from './publishers/par.js';
export { HostedRequestUriPublisher } from './publishers/hosted.js';
export type { HostedRequestUriPublisherOptions } from './publishers/hosted.js';
export { MemoryRequestObjectStore } from './publishers/store.js';
export type { RequestObjectStore, MemoryRequestObjectStoreOptions } from './publishers/store.js';
export { verifyAuthorizationResponse } from './client/response.js';
export type {
  VerifyAuthorizationResponseOptions, ServerResponseOptions, DirectPostJwtResponseOptions, AuthorizationResponse, DirectPostJwtResponse,
} from './client/response.js';
export { x509Hash } from './client/x509-hash.js';
export { OAuthJarError, ResponseError, AuthorizationResponseError } from './errors.js';
export type { OAuthJarErrorCode } from './errors.js';
export type { KeyInput, JWK, JSONWebKeySet } from './crypto/types.js';
export type { SigningAlg, KeyManagementAlg, ContentEncryptionAlg } from './crypto/algorithms.js';

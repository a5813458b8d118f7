/**
 * `oauth-jar/server`: the authorization server's side of JWT-Secured Authorization Requests
 * (RFC 9101) — a verifier for request objects by value, by reference and pushed (RFC 9126), the
 * error answers, discovery metadata and registration-time validation.
 *
 * @module
 */
export { RequestObjectVerifier } from './server/verifier.js';
export type {
  RequestObjectVerifierOptions,
  ClientMetadata,
  PushedAuthorizationRequest,
  VerifiedAuthorizationRequest,
  VerifiedRequestObject,
  AuthorizationRequestInput,
  AuthorizationRequestParameters,
} from './server/types.js';
export type { ErrorRedirect, ResponseMode } from './server/redirect.js';
export type { DecryptionKey } from './crypto/decrypt.js';
export { AuthorizationRequestError, MAX_ERROR_DESCRIPTION_LENGTH } from './server/errors.js';
export { MAX_JSON_DEPTH } from './server/json.js';
export type { AuthorizationErrorCode, VerificationCheck, VerificationStepRecord } from './server/errors.js';
export { VERIFICATION_STEPS } from './server/pipeline.js';
export type { VerificationStepDescription, VerificationStepName } from './server/pipeline.js';
export type { VerifyOptions } from './server/verifier.js';
export { authorizationErrorResponse } from './server/response.js';
export type { ErrorResponseOptions } from './server/response.js';
export { issueAuthorizationResponse, authorizationResponse, DEFAULT_RESPONSE_LIFETIME } from './server/response-object.js';
export type { IssueAuthorizationResponseOptions, AuthorizationResponseOptions, AuthorizationResponseMode } from './server/response-object.js';
export { MemoryReplayStore } from './server/replay.js';
export type { MemoryReplayStoreOptions, ReplayStore } from './server/replay.js';
export { validateClientMetadata, ClientMetadataError } from './server/metadata.js';
export type { RequestObjectServerMetadata, ClientMetadataPolicy } from './server/metadata.js';
export { PAR_URN_PREFIX, matchesRegisteredRequestUri } from './server/resolve.js';
export { isPrivateHost } from './http/address.js';
export type { NetworkPolicy } from './http/guard.js';
export type { RequestUriFetchOptions } from './http/request-uri.js';
export type { JwksUriFetchOptions } from './http/jwks.js';
export { OAuthJarError } from './errors.js';
export type { OAuthJarErrorCode } from './errors.js';

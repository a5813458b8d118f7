/**
 * `oauth-jar/server` on Node.js (the `node` export condition; Bun, Deno, Workers and browsers get
 * `server.ts`). The same API, with one difference: the verifier's `request_uri` and `jwks_uri`
 * fetches connect through `guardedFetch`, so a host name that resolves to a loopback, private or
 * link-local address is refused at connect time (RFC 9101 §10.4), with no option to set. The
 * types are those of `server.ts`.
 *
 * @module
 */
import { withResolvedAddressCheck } from './node/verifier-defaults.js';
import { RequestObjectVerifier as WebApiVerifier, type RequestObjectVerifierOptions } from './server.js';

/** {@link WebApiVerifier} whose fetches also check the addresses a host name resolves to. */
export class RequestObjectVerifier extends WebApiVerifier {
  constructor(options: RequestObjectVerifierOptions) {
    super(withResolvedAddressCheck(options));
  }
}

// Every other export of server.ts, unchanged (test/server/entry-points.test.ts keeps the lists equal).
export {
  AuthorizationRequestError,
  MAX_ERROR_DESCRIPTION_LENGTH,
  MAX_JSON_DEPTH,
  authorizationErrorResponse,
  issueAuthorizationResponse,
  authorizationResponse,
  DEFAULT_RESPONSE_LIFETIME,
  MemoryReplayStore,
  validateClientMetadata,
  ClientMetadataError,
  PAR_URN_PREFIX,
  matchesRegisteredRequestUri,
  isPrivateHost,
  OAuthJarError,
  VERIFICATION_STEPS,
} from './server.js';
export type * from './server.js';

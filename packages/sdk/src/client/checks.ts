import { OAuthJarError } from '../errors.js';
import { invalid } from '../lib/validate.js';
import type { RequestSpec } from './request.js';

/** Whether the request asks for a `vp_token` (OpenID4VP 1.0 §5.6): a verifier's request to a wallet. */
export function isVpTokenRequest(r: RequestSpec): boolean {
  return String(r.parameters.response_type).split(' ').includes('vp_token');
}

/**
 * What build() checks of the whole request before any crypto or network, in order. Each check
 * throws its own error; a new rule is one more entry.
 */
export const REQUEST_CHECKS: ReadonlyArray<(r: RequestSpec) => void> = [
  function endpointSet(r) {
    if (!r.endpoint) throw new OAuthJarError('ERR_MISSING_ENDPOINT', 'no authorization endpoint: call .endpoint(url)');
  },
  function encryptionNeedsSigning(r) {
    if (!r.signing && r.encryption) {
      throw new OAuthJarError('ERR_ENCRYPT_WITHOUT_SIGN', 'encryptWith needs signWith: a request object is signed first, then encrypted (RFC 9101 §4)');
    }
  },
  function publishingNeedsSigning(r) {
    if (!r.signing && r.publisher) throw new OAuthJarError('ERR_INVALID_ARGUMENT', 'publishWith needs signWith: only a request object can be published');
  },
  // A vp_token request defaults to https://self-issued.me/v2 (OpenID4VP 1.0 §5.8, client/claims.ts).
  function audienceSet(r) {
    if (r.signing && r.audience === undefined && !isVpTokenRequest(r)) {
      throw new OAuthJarError('ERR_MISSING_AUDIENCE', 'a signed request object needs an audience: call .audience(issuer) with the server\'s issuer identifier');
    }
  },
  // A key-less encryptWith needs a server with a jwks_uri that supports the algorithms.
  function serverCanReceiveEncryption(r) {
    const e = r.encryption;
    if (e === undefined || e.key !== undefined) return;
    const as = r.server;
    if (!as) throw invalid('encryptWith without a key needs .server(as): the key is taken from the server\'s jwks_uri');
    if (as.jwks_uri === undefined) {
      throw new OAuthJarError('ERR_MISSING_ENDPOINT', `the server ${as.issuer} publishes no jwks_uri: pass its encryption key to encryptWith`);
    }
    const algs = as.request_object_encryption_alg_values_supported;
    const encs = as.request_object_encryption_enc_values_supported;
    if (e.alg !== undefined && Array.isArray(algs) && !algs.includes(e.alg)) {
      throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `the server ${as.issuer} does not accept request objects encrypted with ${e.alg} (it lists ${algs.join(', ')})`);
    }
    if (e.enc !== undefined && Array.isArray(encs) && !encs.includes(e.enc)) {
      throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `the server ${as.issuer} does not accept request objects encrypted with ${e.enc} (it lists ${encs.join(', ')})`);
    }
  },
];

// The builder's profile checks and algorithm negotiation, loaded on demand: an app that names its
// algorithms and uses no profile never downloads them.
import { FAPI2_SIGNING_ALGS, negotiateSigningAlg, type SigningAlg } from '../crypto/algorithms.js';
import type { KeyInput } from '../crypto/types.js';
import { OAuthJarError } from '../errors.js';
import { invalid } from '../lib/validate.js';
import type { AuthorizationServerMetadata } from './discovery.js';

/** What the profile checks need to know about the request being built. */
export interface RequestFacts {
  published: boolean;
  /** The PKCE method, when there is a challenge. */
  pkce: string | undefined;
  redirectUri: boolean;
}

/**
 * The builder's step before any crypto: the profile's rules, then the request object's `alg`
 * (negotiated when signWith had none). Returns the alg, `undefined` for an unsigned request.
 */
export function settle(
  profile: 'fapi2' | undefined,
  signing: { key: KeyInput; alg: SigningAlg | undefined } | undefined,
  server: AuthorizationServerMetadata | undefined,
  facts: RequestFacts,
): SigningAlg | undefined {
  if (profile === 'fapi2') checkFapi2({ ...facts, signed: signing !== undefined, alg: signing?.alg });
  if (!signing) return undefined;
  return signing.alg ?? negotiateRequestObjectAlg(signing.key, server, profile);
}

/** FAPI 2.0 Security Profile §5.3.2.2 and Message Signing §5.3, checked before any crypto. */
function checkFapi2(facts: RequestFacts & { signed: boolean; alg: SigningAlg | undefined }): void {
  const fail = (rule: string) => new OAuthJarError('ERR_PROFILE', `FAPI 2.0: ${rule}`);
  if (!facts.signed) throw fail('the request is a signed request object (FAPI 2.0 Message Signing §5.3.1): call .signWith(key)');
  if (!facts.published) throw fail('the request object is pushed (PAR, FAPI 2.0 Security Profile §5.3.2.2): call .publishWith(par)');
  if (facts.alg !== undefined && !(FAPI2_SIGNING_ALGS as readonly string[]).includes(facts.alg)) {
    throw fail(`request objects are signed with PS256, ES256 or EdDSA, not ${facts.alg} (FAPI 2.0 Security Profile §5.4)`);
  }
  if (facts.pkce !== 'S256') throw fail('PKCE with S256 is required (FAPI 2.0 Security Profile §5.3.2.2): call .codeChallenge(verifier)');
  if (!facts.redirectUri) throw fail('redirect_uri is required (FAPI 2.0 Security Profile §5.3.2.2): call .redirectUri(uri)');
  // exp − nbf ≤ 60 min holds by construction: expiresIn() refuses more than 3600 s.
}

/** The request object's alg when signWith had none: the server's list, in its order, within the profile. */
function negotiateRequestObjectAlg(key: KeyInput, server: AuthorizationServerMetadata | undefined, profile: 'fapi2' | undefined): SigningAlg {
  if (server === undefined && profile === undefined) {
    throw invalid('signWith without "alg" needs .server(as), whose request_object_signing_alg_values_supported is negotiated, or .profile()');
  }
  const supported = server?.request_object_signing_alg_values_supported;
  const picked = negotiateSigningAlg(key, Array.isArray(supported) ? supported : undefined, {
    allowed: profile === 'fapi2' ? FAPI2_SIGNING_ALGS : undefined,
    listName: 'request_object_signing_alg_values_supported',
  });
  if ('error' in picked) throw new OAuthJarError('ERR_ALG_NEGOTIATION', `the request object: ${picked.error}`);
  return picked.alg;
}

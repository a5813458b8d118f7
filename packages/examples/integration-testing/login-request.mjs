// The code under test: how an app builds its login request. In production it is called without
// `clock`, `jti` or `publisher`; its test suite passes fixed ones (see login-request.test.mjs).
import { AuthorizationRequestBuilder } from 'oauth-jar';

/**
 * @param {object} config
 * @param {string} config.issuer the AS's issuer identifier (the request object's `aud`)
 * @param {string} config.authorizationEndpoint
 * @param {string} config.clientId
 * @param {object} config.signingKey the client's private ES256 key (JWK or CryptoKey)
 * @param {string} config.redirectUri
 * @param {import('oauth-jar').RequestUriPublisher} [config.publisher] send by reference instead of by value
 * @param {() => Date | number} [config.clock] for tests: fixes `iat`, `nbf`, `exp`
 * @param {string | (() => string)} [config.jti] for tests: fixes the `jti`
 */
export function createLoginRequests({ issuer, authorizationEndpoint, clientId, signingKey, redirectUri, publisher, clock, jti }) {
  /** @param {{ state: string, nonce: string, codeVerifier: string }} login */
  return function loginRequest({ state, nonce, codeVerifier }) {
    const builder = new AuthorizationRequestBuilder('code', clientId)
      .endpoint(authorizationEndpoint)
      .audience(issuer)
      .redirectUri(redirectUri)
      .scope('openid', 'email')
      .state(state)
      .nonce(nonce)
      .codeChallenge(codeVerifier)
      .expiresIn(120)
      .signWith(signingKey, { alg: 'ES256' });
    if (clock) builder.clock(clock);
    if (jti) builder.jti(jti);
    if (publisher) builder.publishWith(publisher);
    return builder.build();
  };
}

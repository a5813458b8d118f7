/**
 * The verifier's steps, in the order {@link RequestObjectVerifier.verify} runs them: one table that
 * the verifier runs (`verifier.ts` binds each step to the function that performs it), that names
 * every {@link VerificationCheck}, that decides which failures may go back to the client's
 * `redirect_uri`, and from which `oauth-jar inspect` and `docs/verification.md` list the steps.
 *
 * Pure data: no imports, so that `errors.ts` can derive from it.
 */

/** One row of {@link VERIFICATION_STEPS}. */
export interface VerificationStepDescription {
  /** The step's name: the `check` of every error it raises (bar `internal`, a failure of the server itself). */
  readonly name: string;
  /**
   * Whether a refusal at this step may be sent to the client's `redirect_uri` once that is
   * validated. Steps before the client is known never redirect (RFC 6749 §4.1.2.1).
   */
  readonly redirects: boolean;
  /** What it checks, in one line. */
  readonly checks: string;
  /** The OAuth `error` codes it answers with. */
  readonly errors: readonly string[];
  /** Where the rule comes from. */
  readonly spec: string;
}

/**
 * The verification steps, in order. A step that does not apply to a request (no `request_uri`,
 * an unencrypted object, no profile) is not run and not recorded.
 *
 * @example
 * ```ts
 * for (const step of VERIFICATION_STEPS) console.log(step.name, step.spec);
 * ```
 */
export const VERIFICATION_STEPS = [
  {
    name: 'repeated_parameter',
    redirects: false,
    checks: 'every parameter is a string, none is repeated (several resource values excepted), none is named __proto__',
    errors: ['invalid_request'],
    spec: 'RFC 6749 §3.1, RFC 8707 §2',
  },
  { name: 'client_id', redirects: false, checks: 'the client_id parameter is present', errors: ['invalid_request'], spec: 'RFC 9101 §5' },
  {
    name: 'client',
    redirects: false,
    checks: 'the client_id names a registered client',
    errors: ['invalid_client'],
    spec: 'RFC 6749 §4.1.2.1',
  },
  {
    name: 'client_metadata',
    redirects: false,
    checks: 'the members of the registration that steer verification have their registered types',
    errors: ['server_error'],
    spec: 'RFC 7591 §2, OIDC Registration §2',
  },
  {
    name: 'request_and_request_uri',
    redirects: true,
    checks: 'request and request_uri are not both present',
    errors: ['invalid_request'],
    spec: 'RFC 9101 §5',
  },
  {
    name: 'request_not_supported',
    redirects: true,
    checks: 'request is accepted by this server',
    errors: ['request_not_supported'],
    spec: 'RFC 9101 §7',
  },
  {
    name: 'request_uri_not_supported',
    redirects: true,
    checks: 'request_uri is accepted by this server (a PAR URN needs the PAR store)',
    errors: ['request_uri_not_supported'],
    spec: 'RFC 9101 §7',
  },
  {
    name: 'request_uri',
    redirects: true,
    checks: 'a PAR URN is in the store for this client (one use); a URL is registered, then fetched under the network guards',
    errors: ['invalid_request_uri', 'invalid_request'],
    spec: 'RFC 9101 §5.2, §10.4; RFC 9126 §4',
  },
  {
    name: 'signed_request_object_required',
    redirects: true,
    checks: 'a request object (or parameters pushed from a signed one) where the server or the client requires it',
    errors: ['invalid_request'],
    spec: 'RFC 9101 §10.5',
  },
  {
    name: 'shape',
    redirects: true,
    checks: 'length cap; compact JWS (3 segments) or JWE (5); the header (and a JWS payload) decode to JSON objects',
    errors: ['invalid_request_object'],
    spec: 'RFC 7515 §7.1, RFC 7516 §7.1',
  },
  {
    name: 'decrypt',
    redirects: true,
    checks: 'JWE alg/enc accepted and as registered, no zip, decrypted with the server keys; the plaintext is a signed JWT',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §6.1, §10.2; RFC 7519 §11.2; RFC 8725 §3.6',
  },
  {
    name: 'header',
    redirects: true,
    checks: 'JWS alg accepted (none only where allowed) and the registered one; no crit, no b64; typ oauth-authz-req+jwt',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §6.2, §10.8; RFC 7515 §4.1.11; OIDC Registration §2',
  },
  {
    name: 'profile',
    redirects: true,
    checks: 'FAPI 2.0: alg PS256/ES256/EdDSA; exp and nbf, exp - nbf at most 60 minutes, nbf at most 60 minutes old; redirect_uri',
    errors: ['invalid_request_object'],
    spec: 'FAPI 2.0 Security Profile §5.4, FAPI 1.0 Advanced §5.2.2',
  },
  {
    name: 'key',
    redirects: true,
    checks: 'a key of the client for alg and kid: its jwks or jwks_uri, or its client_secret (long enough) for HS*',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §6.2, RFC 7518 §3.2',
  },
  {
    name: 'signature',
    redirects: true,
    checks: 'the signature verifies with that key',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §6.2, RFC 7515 §5.2',
  },
  {
    name: 'client_id_claim',
    redirects: true,
    checks: 'the client_id claim is present and identical to the query\'s',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §6.3',
  },
  { name: 'iss', redirects: true, checks: 'iss is the client_id', errors: ['invalid_request_object'], spec: 'RFC 9101 §4' },
  {
    name: 'aud',
    redirects: true,
    checks: 'aud is this server\'s issuer, or an array containing it',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §4, RFC 8414 §3.3',
  },
  {
    name: 'claim_type',
    redirects: true,
    checks: 'claims (or pushed parameters) nest at most 32 levels, none is named __proto__; the parameters to act on have their registered JSON types',
    errors: ['invalid_request_object', 'invalid_request'],
    spec: 'RFC 9101 §4, OIDC Core §3.1.2.1',
  },
  {
    name: 'time',
    redirects: true,
    checks: 'exp, nbf, iat are numbers; exp is present; not expired, not before nbf, not issued in the future; exp within maxExpiresIn',
    errors: ['invalid_request_object'],
    spec: 'RFC 7519 §4.1.4-6, RFC 9101 §5.2',
  },
  {
    name: 'replay',
    redirects: true,
    checks: 'with a replay store: a jti seen once for this client (and a PAR request_uri used once)',
    errors: ['invalid_request_object', 'temporarily_unavailable'],
    spec: 'RFC 9101 §10.3, RFC 9126 §4',
  },
  {
    name: 'forbidden_claim',
    redirects: true,
    checks: 'no request or request_uri inside; sub is not the client_id',
    errors: ['invalid_request_object'],
    spec: 'RFC 9101 §10.7, §10.8',
  },
  {
    name: 'redirect_uri',
    redirects: false,
    checks: "when the client registered redirect_uris: the request's redirect_uri is one of them, exactly (the only one may be left out)",
    errors: ['invalid_request'],
    spec: 'RFC 6749 §3.1.2.3, §4.1.2.1',
  },
] as const satisfies readonly VerificationStepDescription[];

/** The name of a step of {@link VERIFICATION_STEPS}. */
export type VerificationStepName = (typeof VERIFICATION_STEPS)[number]['name'];

/** Checks whose refusals never go to a `redirect_uri`: the steps marked so, and the server's own failures. */
export const NEVER_REDIRECT: ReadonlySet<string> = new Set([
  ...VERIFICATION_STEPS.filter((step) => !step.redirects).map((step) => step.name),
  'internal',
]);

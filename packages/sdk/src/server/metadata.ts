import { clientKeySetIssue, CONTENT_ENCRYPTION_ALGS, KEY_MANAGEMENT_ALGS, SIGNING_ALGS, FAPI2_SIGNING_ALGS } from '../crypto/algorithms.js';
import { OAuthJarError } from '../errors.js';
import { isPrivateHost } from '../http/address.js';
import { isPlainObject } from '../lib/validate.js';
import type { Config } from './config.js';
import { AuthorizationRequestError } from './errors.js';
import type { ClientMetadata } from './types.js';

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output (HS256: 32, HS384: 48, HS512: 64 bytes). */
function secretTooShort(alg: string, secret: unknown): boolean {
  return typeof secret !== 'string' || new TextEncoder().encode(secret).length < Number(alg.slice(2)) / 8;
}

const isJwkSet = (v: unknown) => isPlainObject(v) && Array.isArray(v.keys) && v.keys.every(isPlainObject);

/**
 * The members of a registered client that the verifier reads, checked for their type before any
 * of them steers a decision. Registration data of the wrong type is the server's fault: a
 * `server_error` (500), never read as absent, which would fail open (a non-string
 * `request_object_signing_alg` would otherwise allow every alg).
 */
export function checkClientMetadata(client: ClientMetadata): void {
  const fail = (member: string, expected: string) => {
    throw new AuthorizationRequestError('server_error', 'client_metadata', 'the client registration is not usable', {
      detail: `${member} must be ${expected}`,
    });
  };
  const optionalString = (member: 'request_object_signing_alg' | 'request_object_encryption_alg' | 'request_object_encryption_enc' | 'jwks_uri' | 'client_secret') => {
    if (client[member] !== undefined && typeof client[member] !== 'string') fail(member, 'a string');
  };
  optionalString('request_object_signing_alg');
  optionalString('request_object_encryption_alg');
  optionalString('request_object_encryption_enc');
  optionalString('jwks_uri');
  optionalString('client_secret');
  if (client.require_signed_request_object !== undefined && typeof client.require_signed_request_object !== 'boolean') {
    fail('require_signed_request_object', 'a boolean');
  }
  if (client.request_uris !== undefined && !(Array.isArray(client.request_uris) && client.request_uris.every((u) => typeof u === 'string'))) {
    fail('request_uris', 'an array of strings');
  }
  if (client.redirect_uris !== undefined && !(Array.isArray(client.redirect_uris) && client.redirect_uris.every((u) => typeof u === 'string'))) {
    fail('redirect_uris', 'an array of strings');
  }
  if (client.jwks !== undefined && !isJwkSet(client.jwks)) fail('jwks', 'a JWK set { keys: [...] }');
  const alg = client.request_object_signing_alg;
  if (alg !== undefined && /^HS\d{3}$/.test(alg) && secretTooShort(alg, client.client_secret)) {
    fail('client_secret', `at least ${Number(alg.slice(2)) / 8} bytes for the registered ${alg} (RFC 7518 §3.2)`);
  }
}

/**
 * The request-object fields of an authorization server's discovery document (RFC 8414, OIDC Discovery, RFC 9101).
 *
 * @example
 * ```ts
 * const discovery = { issuer, authorization_endpoint, ...verifier.metadata() };
 * ```
 */
export interface RequestObjectServerMetadata {
  request_parameter_supported: boolean;
  request_uri_parameter_supported: boolean;
  require_request_uri_registration: boolean;
  require_signed_request_object: boolean;
  request_object_signing_alg_values_supported: string[];
  request_object_encryption_alg_values_supported?: string[];
  request_object_encryption_enc_values_supported?: string[];
}

export function serverMetadata(cfg: Config): RequestObjectServerMetadata {
  const out: RequestObjectServerMetadata = {
    request_parameter_supported: cfg.requestSupported,
    request_uri_parameter_supported: cfg.requestUri !== false,
    require_request_uri_registration: cfg.requireRegistration,
    require_signed_request_object: cfg.requireSigned || cfg.fapi,
    request_object_signing_alg_values_supported: [...cfg.signingAlgs, ...(cfg.allowUnsigned && !cfg.requireSigned ? ['none'] : [])],
  };
  if (cfg.decryptionKeys && cfg.keyManagementAlgs.length > 0) {
    out.request_object_encryption_alg_values_supported = [...cfg.keyManagementAlgs];
    out.request_object_encryption_enc_values_supported = [...cfg.contentEncryptionAlgs];
  }
  return out;
}

/**
 * A registration request whose request-object metadata is invalid (RFC 7591 §3.2.2): carries the
 * `invalid_client_metadata` or `invalid_redirect_uri` error to answer with. The description names
 * the field and what the server accepts, never the submitted value.
 *
 * @example
 * ```ts
 * try { validateClientMetadata(body); } catch (err) {
 *   if (err instanceof ClientMetadataError) return Response.json({ error: err.error, error_description: err.error_description }, { status: 400 });
 * }
 * ```
 */
export class ClientMetadataError extends OAuthJarError {
  /**
   * The RFC 7591 §3.2.2 error code: `invalid_redirect_uri` for a bad `redirect_uris` value,
   * `invalid_client_metadata` for every other field.
   */
  readonly error: 'invalid_client_metadata' | 'invalid_redirect_uri';
  /** What is wrong, naming the field. */
  readonly error_description: string;
  /** The offending field. */
  readonly field: string;
  constructor(field: string, description: string) {
    super('ERR_CLIENT_METADATA', `${field}: ${description}`);
    this.error = field === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
    this.field = field;
    this.error_description = `${field}: ${description}`;
  }
}

/**
 * What the server supports, to validate registrations against; {@link RequestObjectVerifier.metadata} output fits.
 *
 * @example
 * ```ts
 * validateClientMetadata(body, { ...verifier.metadata(), profile: 'fapi2' });
 * ```
 */
export interface ClientMetadataPolicy {
  request_object_signing_alg_values_supported?: readonly string[];
  request_object_encryption_alg_values_supported?: readonly string[];
  request_object_encryption_enc_values_supported?: readonly string[];
  /** `'fapi2'`: only PS256, ES256 and EdDSA. */
  profile?: 'fapi2' | undefined;
  /** Accept `http:` `request_uris` (loopback tests only). @default false */
  allowHttpRequestUris?: boolean;
  /**
   * Accept `jwks_uri` and `request_uris` at loopback, private, link-local and other
   * special-purpose addresses (loopback tests only): the server would fetch them (RFC 9101 §10.4).
   * @default false
   */
  allowPrivateNetwork?: boolean;
}

/**
 * Validates the request-object fields of a client registration (RFC 7591, OIDC Registration
 * §2, RFC 9101 §10.5), the role of Authlib's `rfc9101.ClientMetadataClaims`: the algorithms are
 * ones the server supports (never `none` under FAPI, never `RSA1_5`), `enc` only with `alg`,
 * `request_uris` absolute `https` URLs, `require_signed_request_object` a boolean, a signing key
 * source (`jwks` / `jwks_uri` / `client_secret`) that fits the signing alg, not both `jwks` and
 * `jwks_uri`, at most 100 keys in `jwks` and only RSA keys with the public exponent 65537 and a
 * 2048 to 4096-bit modulus. Returns the metadata unchanged; throws {@link ClientMetadataError}.
 *
 * @example
 * ```ts
 * import { validateClientMetadata } from 'oauth-jar/server';
 *
 * validateClientMetadata(registrationBody, verifier.metadata());
 * ```
 */
export function validateClientMetadata(metadata: ClientMetadata, policy: ClientMetadataPolicy = {}): ClientMetadata {
  if (!isPlainObject(metadata)) throw new ClientMetadataError('(body)', 'client metadata must be a JSON object');
  const signing = policy.request_object_signing_alg_values_supported ?? (policy.profile === 'fapi2' ? FAPI2_SIGNING_ALGS : SIGNING_ALGS);
  const kms = policy.request_object_encryption_alg_values_supported ?? KEY_MANAGEMENT_ALGS;
  const encs = policy.request_object_encryption_enc_values_supported ?? CONTENT_ENCRYPTION_ALGS;
  const fapiAlgs: readonly string[] = FAPI2_SIGNING_ALGS;

  const alg = metadata.request_object_signing_alg;
  if (alg !== undefined) {
    if (typeof alg !== 'string') throw new ClientMetadataError('request_object_signing_alg', 'must be a string');
    if (!signing.includes(alg)) throw new ClientMetadataError('request_object_signing_alg', `is not supported (supported: ${signing.join(', ')})`);
    if (policy.profile === 'fapi2' && !fapiAlgs.includes(alg)) throw new ClientMetadataError('request_object_signing_alg', 'FAPI 2.0 allows PS256, ES256 and EdDSA only');
    if (alg.startsWith('HS') && typeof metadata.client_secret !== 'string') {
      throw new ClientMetadataError('request_object_signing_alg', `${alg} needs a client_secret`);
    }
    if (alg.startsWith('HS') && secretTooShort(alg, metadata.client_secret)) {
      throw new ClientMetadataError('client_secret', `must be at least ${Number(alg.slice(2)) / 8} bytes for ${alg} (RFC 7518 §3.2)`);
    }
    if (!alg.startsWith('HS') && alg !== 'none' && metadata.jwks === undefined && metadata.jwks_uri === undefined) {
      throw new ClientMetadataError('request_object_signing_alg', `${alg} needs jwks or jwks_uri`);
    }
  }
  if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined) {
    throw new ClientMetadataError('jwks', 'jwks and jwks_uri must not both be present (RFC 7591 §2)');
  }
  if (metadata.jwks !== undefined && !isJwkSet(metadata.jwks)) {
    throw new ClientMetadataError('jwks', 'must be a JWK set { keys: [...] }');
  }
  if (metadata.jwks !== undefined && metadata.jwks.keys.some((k) => 'd' in k || (k.kty === 'oct'))) {
    throw new ClientMetadataError('jwks', 'must contain public keys only');
  }
  if (metadata.jwks !== undefined) {
    // At most 100 keys; RSA keys with e = 65537 and a 2048 to 4096-bit modulus (crypto/algorithms.ts).
    const flaw = clientKeySetIssue(metadata.jwks);
    if (flaw) throw new ClientMetadataError('jwks', flaw);
  }
  if (metadata.client_secret !== undefined && typeof metadata.client_secret !== 'string') {
    throw new ClientMetadataError('client_secret', 'must be a string');
  }
  if (metadata.jwks_uri !== undefined && !isUrl(metadata.jwks_uri, ['https:'])) {
    throw new ClientMetadataError('jwks_uri', 'must be an absolute https URL');
  }
  if (metadata.jwks_uri !== undefined && !fetchable(metadata.jwks_uri, policy)) {
    // The server fetches it: refuse at registration what the fetcher would refuse (RFC 9101 §10.4).
    throw new ClientMetadataError('jwks_uri', 'must not point to a loopback, private or link-local address, nor contain credentials');
  }

  const encAlg = metadata.request_object_encryption_alg;
  const enc = metadata.request_object_encryption_enc;
  if (encAlg !== undefined && (typeof encAlg !== 'string' || !kms.includes(encAlg))) {
    throw new ClientMetadataError('request_object_encryption_alg', `must be one of ${kms.join(', ')}`);
  }
  if (enc !== undefined) {
    // OIDC Registration §2: "If request_object_encryption_enc is included, request_object_encryption_alg MUST also be provided."
    if (encAlg === undefined) throw new ClientMetadataError('request_object_encryption_enc', 'needs request_object_encryption_alg');
    if (typeof enc !== 'string' || !encs.includes(enc)) {
      throw new ClientMetadataError('request_object_encryption_enc', `must be one of ${encs.join(', ')}`);
    }
  }
  if (metadata.require_signed_request_object !== undefined && typeof metadata.require_signed_request_object !== 'boolean') {
    throw new ClientMetadataError('require_signed_request_object', 'must be a boolean');
  }
  if (metadata.require_signed_request_object === true && alg === 'none') {
    throw new ClientMetadataError('request_object_signing_alg', 'none contradicts require_signed_request_object (RFC 9101 §10.5)');
  }
  const redirects = metadata.redirect_uris;
  if (redirects !== undefined) {
    // RFC 6749 §3.1.2: absolute URIs without a fragment; compared exactly at authorization time.
    if (!Array.isArray(redirects) || redirects.length === 0) throw new ClientMetadataError('redirect_uris', 'must be a non-empty array of URIs');
    for (const u of redirects) {
      if (!isAbsoluteWithoutFragment(u)) throw new ClientMetadataError('redirect_uris', 'every value must be an absolute URI without a fragment (RFC 6749 section 3.1.2)');
    }
  }
  const uris = metadata.request_uris;
  if (uris !== undefined) {
    if (!Array.isArray(uris)) throw new ClientMetadataError('request_uris', 'must be an array of URLs');
    const schemes = policy.allowHttpRequestUris ? ['https:', 'http:'] : ['https:'];
    for (const u of uris) {
      if (!isUrl(u, schemes)) throw new ClientMetadataError('request_uris', `every value must be an absolute ${schemes.join(' or ')} URL`);
      if (!fetchable(u as string, policy)) {
        throw new ClientMetadataError('request_uris', 'no value may point to a loopback, private or link-local address, nor contain credentials');
      }
    }
  }
  return metadata;
}

/** Whether the guarded fetcher could fetch `value` (an absolute URL): no credentials, no special-purpose host. */
function fetchable(value: string, policy: ClientMetadataPolicy): boolean {
  const url = new URL(value);
  return url.username === '' && url.password === '' && (policy.allowPrivateNetwork === true || !isPrivateHost(url.hostname));
}

function isAbsoluteWithoutFragment(value: unknown): boolean {
  if (typeof value !== 'string' || value.includes('#')) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function isUrl(value: unknown, schemes: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

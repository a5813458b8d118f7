import { isSigningAlg, sameAlg } from '../crypto/algorithms.js';
import { decodeUnsigned, JwsFailure, resolveKeys, verifyJws, type VerificationKey } from '../crypto/verify.js';
import type { Config } from './config.js';
import { type AuthorizationRequestError, preview, refuse } from './errors.js';
import type { ClientMetadata } from './types.js';

const ACCEPTED_TYP = new Set(['oauth-authz-req+jwt', 'jwt']);


/** RFC 8725 §3.11 / RFC 9101 §10.8: a media type compared without `application/`, case-insensitively. */
function normalizeTyp(typ: string): string {
  const t = typ.toLowerCase();
  return t.startsWith('application/') ? t.slice(12) : t;
}

/** The client's key for `alg`: its secret for HS*, else its registered `jwks` or `jwks_uri`. Never the header's. */
function clientKey(alg: string, client: ClientMetadata, cfg: Config): VerificationKey | Promise<VerificationKey> {
  if (alg.startsWith('HS')) {
    if (typeof client.client_secret !== 'string' || client.client_secret === '') {
      throw refuse('invalid_request_object', 'key', `${alg} needs the client's client_secret, and the client has none`);
    }
    return cfg.clientKeys.secretKey(client.client_secret, alg);
  }
  try {
    if (client.jwks !== undefined) return cfg.clientKeys.localKeySet(client.jwks);
    if (typeof client.jwks_uri === 'string') return cfg.keySets.resolver(client.jwks_uri);
  } catch (cause) {
    // Also a key set over the size cap or with an unfit RSA key (crypto/algorithms.ts).
    throw refuse('invalid_request_object', 'key', 'the client\'s registered key set is malformed', cause);
  }
  throw refuse('invalid_request_object', 'key', `${alg} needs the client's public keys, and the client registered neither jwks nor jwks_uri`);
}

const KIND_TO_CHECK: Record<JwsFailure['kind'], 'key' | 'signature' | 'header'> = {
  key: 'key',
  keys_unavailable: 'key',
  kid_required: 'key',
  signature: 'signature',
  header: 'header',
  // The shape and decrypt steps decoded the claims set already: a malformed one here is a failed verification.
  malformed: 'signature',
};

// jose's messages can quote the unauthenticated header; the answer is one fixed text per failure kind.
const KIND_TO_TEXT: Record<JwsFailure['kind'], string> = {
  key: 'no registered key of the client fits the header kid and alg',
  // One text whatever the network did (RFC 9101 §10.4): closed port, non-200, non-JSON, timeout.
  keys_unavailable: 'the client\'s keys could not be fetched',
  kid_required: 'several registered keys of the client fit the alg: the JWS header must name one with kid',
  signature: 'the signature does not verify with the client keys',
  header: 'the JWS header is not acceptable',
  malformed: 'the request object is not a well-formed JWT',
};

function fromJose(cause: JwsFailure): AuthorizationRequestError {
  return refuse('invalid_request_object', KIND_TO_CHECK[cause.kind] ?? 'signature', KIND_TO_TEXT[cause.kind], cause);
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output, in bytes. */
function minimumSecretBytes(alg: string): number {
  return Number(alg.slice(2)) / 8;
}

/**
 * Step `header` (RFC 9101 §6.2, RFC 7515 §4.1): `alg` present, accepted and the client's
 * registered one; `none` only where unsigned objects are allowed; no `crit`, no `b64`; `typ`.
 * Under the FAPI profile the allow-list is the profile's, checked by step `profile`.
 *
 * @returns the `alg`.
 */
export function checkHeader(header: Record<string, unknown>, client: ClientMetadata, cfg: Config, signatureRequired: boolean): string {
  const { alg } = header;
  // The header is unauthenticated here: what it says goes to `detail` (logs), never into error_description.
  if (typeof alg !== 'string' || alg === '') throw refuse('invalid_request_object', 'header', 'the JWS header has no alg', undefined, `alg ${preview(alg)}`);
  if (header.crit !== undefined) {
    // No extension is understood here, so every critical one must be refused, and a malformed
    // crit ([], a string, [1]) with it (RFC 7515 §4.1.11).
    throw refuse('invalid_request_object', 'header', 'the JWS header lists critical extensions (crit) this server does not understand', undefined, `crit ${preview(header.crit)}`);
  }
  if (header.b64 !== undefined) {
    throw refuse('invalid_request_object', 'header', 'unencoded payloads (b64) are refused for JWTs (RFC 7797 §7)');
  }
  if (header.typ !== undefined && (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(normalizeTyp(header.typ)))) {
    // RFC 9101 §10.8: explicit typing keeps other JWTs (ID tokens, client assertions) out.
    throw refuse('invalid_request_object', 'header', 'the JWS typ must be oauth-authz-req+jwt', undefined, `typ ${preview(header.typ)}`);
  }
  const registered = client.request_object_signing_alg;
  if (alg === 'none') {
    // RFC 9101 §5 has no unsigned request objects; OIDC Core §6.1 does, so it is an explicit opt-in.
    const unsignedAllowed = cfg.allowUnsigned && !signatureRequired && (registered === undefined || registered === 'none');
    if (!unsignedAllowed) throw refuse('invalid_request_object', 'header', 'unsigned (alg none) request objects are refused');
    return alg;
  }
  if (!cfg.fapi && !cfg.signingAlgs.includes(alg)) {
    throw refuse('invalid_request_object', 'header', `the JWS alg is not accepted (accepted: ${cfg.signingAlgs.join(', ')})`, undefined, `alg ${preview(alg)}`);
  }
  if (registered !== undefined && !sameAlg(registered, alg)) {
    // OIDC Registration §2: objects signed with another alg MUST be rejected.
    // The registered value is named only when it is an algorithm name (registration data may be anything).
    const named = isSigningAlg(registered) ? ` (${registered})` : '';
    throw refuse('invalid_request_object', 'header', `the JWS alg is not the client's registered request_object_signing_alg${named}`, undefined, `alg ${preview(alg)}`);
  }
  return alg;
}

/** Step `profile`, the algorithm: FAPI 2.0 Message Signing allows PS256, ES256 and EdDSA only. */
export function checkProfileAlg(alg: string, cfg: Config): void {
  if (!cfg.signingAlgs.includes(alg)) {
    throw refuse('invalid_request_object', 'profile', `the JWS alg is not accepted (accepted: ${cfg.signingAlgs.join(', ')})`, undefined, `alg ${preview(alg)}`);
  }
}

/** Step `key`: the client's keys for `alg` and `header`'s `kid`, from its registration only (never the header's keys). */
export async function clientKeys(
  jws: string,
  header: Record<string, unknown>,
  alg: string,
  client: ClientMetadata,
  cfg: Config,
): Promise<CryptoKey[]> {
  if (alg.startsWith('HS') && typeof client.client_secret === 'string' && new TextEncoder().encode(client.client_secret).length < minimumSecretBytes(alg)) {
    // RFC 7518 §3.2: a key shorter than the hash output MUST NOT be used. A registered HS alg with a
    // short secret was refused as malformed metadata already; here the request chose the alg.
    throw refuse('invalid_request_object', 'key', `the client_secret is too short for ${alg} (RFC 7518 §3.2)`);
  }
  const source = clientKey(alg, client, cfg);
  try {
    // `header` is the one step `shape` (or `decrypt`) decoded from this `jws`.
    return await resolveKeys(jws, source instanceof Promise ? await source : source, header);
  } catch (cause) {
    if (cause instanceof JwsFailure) throw fromJose(cause);
    throw refuse('invalid_request_object', 'key', 'the client\'s key could not be used', cause);
  }
}

/**
 * Step `signature`: the JWS verifies with one of the client's keys (jose, `algorithms` always passed).
 * `decodedClaims`: the claims step `shape` (or `decrypt`) decoded from this `jws`, kept once it verifies.
 */
export async function verifySignature(
  jws: string,
  alg: string,
  keys: readonly CryptoKey[],
  decodedClaims?: Record<string, unknown>,
): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  try {
    const { header, claims } = await verifyJws(jws, keys, { algorithms: [alg], ...(decodedClaims ? { claims: decodedClaims } : {}) });
    return { header: header as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch (cause) {
    if (cause instanceof JwsFailure) throw fromJose(cause);
    throw refuse('invalid_request_object', 'signature', 'the request object could not be verified', cause);
  }
}

/** An unsigned (`alg: none`) object's header and claims, where step `header` allowed it (OIDC Core §6.1). */
export function readUnsigned(jws: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  try {
    return decodeUnsigned(jws) as { header: Record<string, unknown>; claims: Record<string, unknown> };
  } catch (cause) {
    throw refuse('invalid_request_object', 'header', 'the unsigned request object is not well-formed', cause);
  }
}

import { isSigningAlg } from '../crypto/algorithms.js';
import { decodeUnsigned, JwsFailure, localKeySet, secretKey, verifyJws, type VerificationKey } from '../crypto/verify.js';
import type { Config } from './config.js';
import { headerOf } from './decrypt.js';
import { AuthorizationRequestError, preview, refuse, type VerificationCheck } from './errors.js';
import type { ClientMetadata } from './types.js';

const ACCEPTED_TYP = new Set(['oauth-authz-req+jwt', 'jwt']);

/** `EdDSA` (RFC 8037) and `Ed25519` (RFC 9864) name the same thing for a request object. */
const sameAlg = (a: string, b: string) => a === b || (a === 'EdDSA' && b === 'Ed25519') || (a === 'Ed25519' && b === 'EdDSA');

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
    return secretKey(client.client_secret, alg);
  }
  try {
    if (client.jwks !== undefined) return localKeySet(client.jwks);
    if (typeof client.jwks_uri === 'string') return cfg.keySets.resolver(client.jwks_uri);
  } catch (cause) {
    throw refuse('invalid_request_object', 'key', 'the client\'s registered key set is malformed', cause);
  }
  throw refuse('invalid_request_object', 'key', `${alg} needs the client's public keys, and the client registered neither jwks nor jwks_uri`);
}

const KIND_TO_CHECK: Record<JwsFailure['kind'], VerificationCheck> = {
  key: 'key',
  keys_unavailable: 'key',
  signature: 'signature',
  time: 'time',
  header: 'header',
  malformed: 'shape',
};

// jose's messages can quote the unauthenticated header; the answer is one fixed text per failure kind.
const KIND_TO_TEXT: Record<JwsFailure['kind'], string> = {
  key: 'no registered key of the client fits the header kid and alg',
  // One text whatever the network did (RFC 9101 §10.4): closed port, non-200, non-JSON, timeout.
  keys_unavailable: 'the client\'s keys could not be fetched',
  signature: 'the signature does not verify with the client keys',
  time: 'the request object is not valid at this time (exp, nbf or iat)',
  header: 'the JWS header is not acceptable',
  malformed: 'the request object is not a well-formed JWT',
};

function fromJose(cause: JwsFailure): AuthorizationRequestError {
  const joseCode = (cause.cause as { code?: unknown } | undefined)?.code;
  const text = joseCode === 'ERR_JWT_EXPIRED' ? 'the request object has expired' : KIND_TO_TEXT[cause.kind];
  return refuse('invalid_request_object', KIND_TO_CHECK[cause.kind] ?? 'shape', text, cause);
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output, in bytes. */
export function minimumSecretBytes(alg: string): number {
  return Number(alg.slice(2)) / 8;
}

/**
 * The JWS header (alg allow-list and the client's registered alg,
 * `crit`, `b64`, `typ`), then the signature with the client's own key through jose's `jwtVerify`.
 */
export async function verifySignature(
  jws: string,
  client: ClientMetadata,
  cfg: Config,
  opts: { requireSigned: boolean },
): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const header = headerOf(jws);
  const { alg } = header;
  // The header is unauthenticated here: what it says goes to `detail` (logs), never into error_description.
  if (typeof alg !== 'string' || alg === '') throw refuse('invalid_request_object', 'header', 'the JWS header has no alg', undefined, `alg ${preview(alg)}`);

  // RFC 9101 §6.2, RFC 7515 §4.1: the header.
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
  // jose checks exp/nbf with the wider of the two leeways; claims.ts applies each one exactly.
  const clockOptions = { clockTolerance: Math.max(cfg.clockTolerance, cfg.futureTolerance), currentDate: new Date(cfg.now()) };

  if (alg === 'none') {
    // RFC 9101 §5 has no unsigned request objects; OIDC Core §6.1 does, so it is an explicit opt-in.
    const unsignedAllowed =
      cfg.allowUnsigned && !opts.requireSigned && (registered === undefined || registered === 'none');
    if (!unsignedAllowed) throw refuse('invalid_request_object', 'header', 'unsigned (alg none) request objects are refused');
    try {
      return decodeUnsigned(jws, clockOptions) as { header: Record<string, unknown>; claims: Record<string, unknown> };
    } catch (cause) {
      if (cause instanceof JwsFailure) throw fromJose(cause);
      throw refuse('invalid_request_object', 'shape', KIND_TO_TEXT.malformed, cause);
    }
  }
  if (!cfg.signingAlgs.includes(alg)) {
    throw refuse('invalid_request_object', cfg.fapi ? 'profile' : 'header', `the JWS alg is not accepted (accepted: ${cfg.signingAlgs.join(', ')})`, undefined, `alg ${preview(alg)}`);
  }
  if (registered !== undefined && !sameAlg(registered, alg)) {
    // OIDC Registration §2: objects signed with another alg MUST be rejected.
    // The registered value is named only when it is an algorithm name (registration data may be anything).
    const named = isSigningAlg(registered) ? ` (${registered})` : '';
    throw refuse('invalid_request_object', 'header', `the JWS alg is not the client's registered request_object_signing_alg${named}`, undefined, `alg ${preview(alg)}`);
  }
  if (alg.startsWith('HS') && typeof client.client_secret === 'string' && new TextEncoder().encode(client.client_secret).length < minimumSecretBytes(alg)) {
    // RFC 7518 §3.2: a key shorter than the hash output MUST NOT be used. A registered HS alg with a
    // short secret was refused as malformed metadata already; here the request chose the alg.
    throw refuse('invalid_request_object', 'key', `the client_secret is too short for ${alg} (RFC 7518 §3.2)`);
  }

  // 9: the key, from the client's registration only; jose binds the key type to alg and kid.
  const key = clientKey(alg, client, cfg);
  try {
    const { header: verified, claims } = await verifyJws(jws, await key, { algorithms: [alg], ...clockOptions });
    return { header: verified as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch (cause) {
    if (cause instanceof JwsFailure) throw fromJose(cause);
    throw refuse('invalid_request_object', 'signature', 'the request object could not be verified', cause);
  }
}

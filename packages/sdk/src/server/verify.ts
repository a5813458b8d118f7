import { decodeUnsigned, JwsFailure, localKeySet, secretKey, verifyJws, type VerificationKey } from '../crypto/verify.js';
import type { Config } from './config.js';
import { headerOf } from './decrypt.js';
import { refuse, type VerificationCheck } from './errors.js';
import type { ClientMetadata } from './types.js';

const ACCEPTED_TYP = new Set(['oauth-authz-req+jwt', 'jwt']);

/** `EdDSA` and `Ed25519` name the same thing for a request object (SPEC-NOTES §6). */
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
  signature: 'signature',
  time: 'time',
  header: 'header',
  malformed: 'shape',
};

/**
 * Steps 8–9 of SPEC-NOTES §2: the JWS header (alg allow-list and the client's registered alg,
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
  if (typeof alg !== 'string' || alg === '') throw refuse('invalid_request_object', 'header', 'the JWS header has no "alg"');

  // 8: the header.
  if (header.crit !== undefined) {
    // No extension is understood here, so every critical one must be refused (RFC 7515 §4.1.11).
    throw refuse('invalid_request_object', 'header', 'the JWS header lists critical extensions ("crit") this server does not understand');
  }
  if (header.b64 !== undefined) {
    throw refuse('invalid_request_object', 'header', 'unencoded payloads ("b64") are refused for JWTs (RFC 7797 §7)');
  }
  if (header.typ !== undefined && (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(normalizeTyp(header.typ)))) {
    // RFC 9101 §10.8: explicit typing keeps other JWTs (ID tokens, client assertions) out.
    throw refuse('invalid_request_object', 'header', `the JWS typ must be oauth-authz-req+jwt, got ${JSON.stringify(header.typ)}`);
  }
  const registered = client.request_object_signing_alg;
  const clockOptions = { clockTolerance: cfg.clockTolerance, currentDate: new Date(cfg.now()) };

  if (alg === 'none') {
    // RFC 9101 §5 has no unsigned request objects; OIDC Core §6.1 does, so it is an explicit opt-in.
    const unsignedAllowed =
      cfg.allowUnsigned && !opts.requireSigned && (registered === undefined || registered === 'none');
    if (!unsignedAllowed) throw refuse('invalid_request_object', 'header', 'unsigned (alg "none") request objects are refused');
    try {
      return decodeUnsigned(jws, clockOptions) as { header: Record<string, unknown>; claims: Record<string, unknown> };
    } catch (cause) {
      const failure = cause as JwsFailure;
      throw refuse('invalid_request_object', KIND_TO_CHECK[failure.kind] ?? 'shape', failure.message, cause);
    }
  }
  if (!cfg.signingAlgs.includes(alg)) {
    throw refuse('invalid_request_object', cfg.fapi ? 'profile' : 'header', `the JWS alg "${alg}" is not accepted (accepted: ${cfg.signingAlgs.join(', ')})`);
  }
  if (typeof registered === 'string' && !sameAlg(registered, alg)) {
    // OIDC Registration §2: objects signed with another alg MUST be rejected.
    throw refuse('invalid_request_object', 'header', `the JWS alg "${alg}" is not the client's registered request_object_signing_alg "${registered}"`);
  }

  // 9: the key, from the client's registration only; jose binds the key type to alg and kid.
  const key = clientKey(alg, client, cfg);
  try {
    const { header: verified, claims } = await verifyJws(jws, await key, { algorithms: [alg], ...clockOptions });
    return { header: verified as Record<string, unknown>, claims: claims as Record<string, unknown> };
  } catch (cause) {
    if (cause instanceof JwsFailure) throw refuse('invalid_request_object', KIND_TO_CHECK[cause.kind], cause.message, cause);
    throw refuse('invalid_request_object', 'signature', 'the request object could not be verified', cause);
  }
}

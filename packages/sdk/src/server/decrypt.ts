import { isContentEncryptionAlg, isKeyManagementAlg } from '../crypto/algorithms.js';
import { decryptCompact, decryptionCandidates } from '../crypto/decrypt.js';
import { unverifiedClaims, unverifiedHeader } from '../crypto/decode.js';
import { compactSegments, isCompactJws } from '../lib/jwt.js';
import type { Config } from './config.js';
import { preview, refuse } from './errors.js';
import { jsonIssue, MAX_JSON_DEPTH } from './json.js';
import type { ClientMetadata } from './types.js';


/** What step `shape` read from a request object, before any crypto. */
export interface Shape {
  /** The JWE's protected header when the object is encrypted, else the JWS's. */
  header: Record<string, unknown>;
  encrypted: boolean;
  /** The JWS's claims, not yet verified (`undefined` for a JWE until it is decrypted). */
  claims: Record<string, unknown> | undefined;
}

/** The signed request object, unwrapped from its JWE (step `decrypt`). */
export interface Unwrapped {
  jws: string;
  header: Record<string, unknown>;
  /** Not yet verified. */
  claims: Record<string, unknown>;
}

/**
 * Reads a protected header; a header that does not decode, nests deeper than
 * {@link MAX_JSON_DEPTH} or has a `__proto__` member is a malformed request object.
 */
function headerOf(token: string, check: 'shape' | 'decrypt' = 'shape'): Record<string, unknown> {
  let header: Record<string, unknown>;
  try {
    header = unverifiedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw refuse('invalid_request_object', check, 'the request object header is not a base64url-encoded JSON object', cause);
  }
  const problem = jsonIssue(header);
  if (problem === 'depth') throw refuse('invalid_request_object', check, `the request object header is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (problem === 'proto') throw refuse('invalid_request_object', check, 'the request object header has a __proto__ member');
  return header;
}

/** The claims set of a compact JWS, unverified; one that does not decode to a JSON object is malformed. */
function claimsOf(jws: string, check: 'shape' | 'decrypt'): Record<string, unknown> {
  try {
    return unverifiedClaims(jws) as Record<string, unknown>;
  } catch (cause) {
    throw refuse('invalid_request_object', check, 'the request object claims set is not a base64url-encoded JSON object', cause);
  }
}

/** Step `shape` (RFC 7515 §7.1, RFC 7516 §7.1): size and compact form before any crypto, then the header. */
export function checkShape(object: string, cfg: Config): Shape {
  if (object.length > cfg.maxLength) {
    throw refuse('invalid_request_object', 'shape', `the request object is longer than ${cfg.maxLength} characters`);
  }
  const segments = compactSegments(object);
  if (segments !== 3 && segments !== 5) {
    throw refuse('invalid_request_object', 'shape', 'the request object must be a compact JWS (3 segments) or JWE (5 segments)');
  }
  const header = headerOf(object);
  if (segments === 5) return { header, encrypted: true, claims: undefined };
  return { header, encrypted: false, claims: claimsOf(object, 'shape') };
}

/**
 * Step `decrypt` (RFC 9101 §6.1, RFC 7519 §11.2): the algorithm allow-lists, `zip` refusal and
 * decryption with the server's own keys. The plaintext must itself be a compact JWS (RFC 9101
 * §10.2: encryption alone proves nothing about the sender).
 */
export async function decrypt(object: string, header: Record<string, unknown>, client: ClientMetadata, cfg: Config): Promise<Unwrapped> {
  if (!cfg.decryptionKeys || cfg.keyManagementAlgs.length === 0) {
    throw refuse('invalid_request_object', 'decrypt', 'this server does not accept encrypted request objects');
  }
  const { alg, enc } = header;
  // The header is unauthenticated: its values go to `detail` (logs), never into error_description.
  if (typeof alg !== 'string' || !cfg.keyManagementAlgs.includes(alg)) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE alg is missing or not accepted (accepted: ${cfg.keyManagementAlgs.join(', ')})`, undefined, `alg ${preview(alg)}`);
  }
  if (typeof enc !== 'string' || !cfg.contentEncryptionAlgs.includes(enc)) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE enc is missing or not accepted (accepted: ${cfg.contentEncryptionAlgs.join(', ')})`, undefined, `enc ${preview(enc)}`);
  }
  // The client's registered encryption algorithms bind when set (OIDC Registration §2).
  if (client.request_object_encryption_alg !== undefined && client.request_object_encryption_alg !== alg) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE alg is not the client's registered request_object_encryption_alg${isKeyManagementAlg(client.request_object_encryption_alg) ? ` (${client.request_object_encryption_alg})` : ''}`, undefined, `alg ${preview(alg)}`);
  }
  if (client.request_object_encryption_enc !== undefined && client.request_object_encryption_enc !== enc) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE enc is not the client's registered request_object_encryption_enc${isContentEncryptionAlg(client.request_object_encryption_enc) ? ` (${client.request_object_encryption_enc})` : ''}`, undefined, `enc ${preview(enc)}`);
  }
  // RFC 8725 §3.6: compression before encryption leaks the plaintext's content.
  if (header.zip !== undefined) throw refuse('invalid_request_object', 'decrypt', 'compressed (zip) request objects are refused (RFC 8725 §3.6)');

  if (decryptionCandidates(cfg.decryptionKeys, alg, header.kid).length === 0) {
    throw refuse('invalid_request_object', 'decrypt', `the server has no decryption key for this JWE alg (${alg}) and kid`, undefined, `kid ${preview(header.kid)}`);
  }
  let plaintext: string;
  try {
    plaintext = await decryptCompact(object, cfg.decryptionKeys, { alg, kid: header.kid }, {
      keyManagementAlgorithms: [...cfg.keyManagementAlgs],
      contentEncryptionAlgorithms: [...cfg.contentEncryptionAlgs],
    });
  } catch (cause) {
    // jose's message (on `cause`) can describe the header; the answer stays fixed.
    throw refuse('invalid_request_object', 'decrypt', 'the request object could not be decrypted with the server keys', cause);
  }
  plaintext = plaintext.trim();
  if (plaintext.length > cfg.maxLength || !isCompactJws(plaintext)) {
    // RFC 9101 §10.2 (and a 2026 Keycloak CVE): an encrypted claims set without a signature is refused.
    throw refuse('invalid_request_object', 'decrypt', 'the decrypted request object is not a signed JWT (a nested JWT must be signed, then encrypted)');
  }
  return { jws: plaintext, header: headerOf(plaintext, 'decrypt'), claims: claimsOf(plaintext, 'decrypt') };
}

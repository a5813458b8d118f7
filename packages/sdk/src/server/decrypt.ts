import { isContentEncryptionAlg, isKeyManagementAlg } from '../crypto/algorithms.js';
import { decryptCompact, decryptionCandidates } from '../crypto/decrypt.js';
import { unverifiedHeader } from '../crypto/decode.js';
import type { Config } from './config.js';
import { preview, refuse } from './errors.js';
import { jsonIssue, MAX_JSON_DEPTH } from './json.js';
import type { ClientMetadata } from './types.js';

// base64url segments, nothing else: checked before any decoding or crypto.
const COMPACT = /^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2}$|^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){4}$/;

/** The signed request object, unwrapped from its JWE when it was nested. */
export interface Unwrapped {
  jws: string;
  encryptionHeader: Record<string, unknown> | undefined;
}

/**
 * Reads a protected header; a header that does not decode, nests deeper than
 * {@link MAX_JSON_DEPTH} or has a `__proto__` member is a malformed request object.
 */
export function headerOf(token: string): Record<string, unknown> {
  let header: Record<string, unknown>;
  try {
    header = unverifiedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw refuse('invalid_request_object', 'shape', 'the request object header is not a base64url-encoded JSON object', cause);
  }
  const issue = jsonIssue(header);
  if (issue === 'depth') throw refuse('invalid_request_object', 'shape', `the request object header is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (issue === 'proto') throw refuse('invalid_request_object', 'shape', 'the request object header has a __proto__ member');
  return header;
}

/**
 * Size and shape, then decryption (RFC 9101 §6.1, RFC 7519 §11.2): size and compact shape, then, for a JWE, the algorithm allow-lists,
 * `zip` refusal and decryption with the server's own keys. The plaintext must itself be a compact
 * JWS (RFC 9101 §10.2: encryption alone proves nothing about the sender).
 */
export async function unwrap(object: string, client: ClientMetadata, cfg: Config): Promise<Unwrapped> {
  // 6: size and shape before any crypto.
  if (object.length > cfg.maxLength) {
    throw refuse('invalid_request_object', 'shape', `the request object is longer than ${cfg.maxLength} characters`);
  }
  if (!COMPACT.test(object)) {
    throw refuse('invalid_request_object', 'shape', 'the request object must be a compact JWS (3 segments) or JWE (5 segments)');
  }
  if (object.split('.').length === 3) return { jws: object, encryptionHeader: undefined };

  // 7: a nested JWT (RFC 7519 §11.2).
  const header = headerOf(object);
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
  if (plaintext.length > cfg.maxLength || !/^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2}$/.test(plaintext)) {
    // RFC 9101 §10.2 (and a 2026 Keycloak CVE): an encrypted claims set without a signature is refused.
    throw refuse('invalid_request_object', 'decrypt', 'the decrypted request object is not a signed JWT (a nested JWT must be signed, then encrypted)');
  }
  return { jws: plaintext, encryptionHeader: header };
}

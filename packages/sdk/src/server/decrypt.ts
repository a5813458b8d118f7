import { decryptCompact, JweFailure } from '../crypto/decrypt.js';
import { unverifiedHeader } from '../crypto/decode.js';
import type { Config } from './config.js';
import { refuse } from './errors.js';
import type { ClientMetadata } from './types.js';

// base64url segments, nothing else: checked before any decoding or crypto.
const COMPACT = /^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2}$|^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){4}$/;

/** The signed request object, unwrapped from its JWE when it was nested. */
export interface Unwrapped {
  jws: string;
  encryptionHeader: Record<string, unknown> | undefined;
}

/** Reads a protected header; a header that does not decode is a malformed request object. */
export function headerOf(token: string): Record<string, unknown> {
  try {
    return unverifiedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw refuse('invalid_request_object', 'shape', 'the request object\'s header is not a base64url-encoded JSON object', cause);
  }
}

/**
 * Steps 6–7 of SPEC-NOTES §2: size and compact shape, then, for a JWE, the algorithm allow-lists,
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
  if (typeof alg !== 'string' || !cfg.keyManagementAlgs.includes(alg)) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE alg ${JSON.stringify(alg) ?? '(missing)'} is not accepted (accepted: ${cfg.keyManagementAlgs.join(', ')})`);
  }
  if (typeof enc !== 'string' || !cfg.contentEncryptionAlgs.includes(enc)) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE enc ${JSON.stringify(enc) ?? '(missing)'} is not accepted`);
  }
  // SPEC-NOTES §2 step 7: the client's registered encryption algorithms bind when set.
  if (typeof client.request_object_encryption_alg === 'string' && client.request_object_encryption_alg !== alg) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE alg "${alg}" is not the client's registered request_object_encryption_alg`);
  }
  if (typeof client.request_object_encryption_enc === 'string' && client.request_object_encryption_enc !== enc) {
    throw refuse('invalid_request_object', 'decrypt', `the JWE enc "${enc}" is not the client's registered request_object_encryption_enc`);
  }
  // RFC 8725 §3.6: compression before encryption leaks the plaintext's content.
  if (header.zip !== undefined) throw refuse('invalid_request_object', 'decrypt', 'compressed (zip) request objects are refused (RFC 8725 §3.6)');

  let plaintext: string;
  try {
    plaintext = await decryptCompact(object, cfg.decryptionKeys, { alg, kid: header.kid }, {
      keyManagementAlgorithms: [...cfg.keyManagementAlgs],
      contentEncryptionAlgorithms: [...cfg.contentEncryptionAlgs],
    });
  } catch (cause) {
    const message = cause instanceof JweFailure ? cause.message : 'the request object could not be decrypted';
    throw refuse('invalid_request_object', 'decrypt', message, cause);
  }
  plaintext = plaintext.trim();
  if (plaintext.length > cfg.maxLength || !/^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2}$/.test(plaintext)) {
    // RFC 9101 §10.2 (and a 2026 Keycloak CVE): an encrypted claims set without a signature is refused.
    throw refuse('invalid_request_object', 'decrypt', 'the decrypted request object is not a signed JWT (a nested JWT must be signed, then encrypted)');
  }
  return { jws: plaintext, encryptionHeader: header };
}

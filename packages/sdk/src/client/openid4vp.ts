// OpenID4VP 1.0 client identifier prefixes (§5.9.3), checked by the builder before any signing.
// Loaded on demand by the builder, only for client_ids that carry one of these prefixes.
import { certificateDnsNames, x509Hash } from '../crypto/certificate.js';
import type { ContentEncryptionAlg, KeyManagementAlg } from '../crypto/algorithms.js';
import type { JWK } from '../crypto/types.js';
import { OAuthJarError } from '../errors.js';
import type { ReissueOptions } from '../publishers/types.js';
import { absoluteUrl } from '../lib/validate.js';

/** The prefixes the builder knows the rules of. */
export const CLIENT_ID_PREFIX = /^(x509_san_dns|x509_hash|redirect_uri|decentralized_identifier|verifier_attestation|origin):/;

/** What {@link reissueTerms} decides for one wallet's POST. */
export interface ReissueTerms {
  audience: string | undefined;
  walletNonce: string | undefined;
  encryption: { key: JWK; alg: KeyManagementAlg; enc: ContentEncryptionAlg; kid: string | undefined } | undefined;
}

/**
 * OpenID4VP 1.0 §5.10: what a wallet's POST changes in the request object — its `wallet_nonce`
 * (only when it sent one), its `issuer` as `aud` (§5.8), the alg (the signing key's must be one it
 * lists, else `ERR_UNSUPPORTED_ALG`) and the encryption to its key.
 */
export function reissueTerms(options: ReissueOptions, alg: string): ReissueTerms {
  const algs = options.signingAlgs;
  const names = alg === 'EdDSA' || alg === 'Ed25519' ? ['EdDSA', 'Ed25519'] : [alg];
  if (algs !== undefined && !algs.some((a) => names.includes(a))) {
    throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `the wallet does not accept ${alg} request objects (it lists ${algs.join(', ') || 'none'})`);
  }
  let encryption: ReissueTerms['encryption'];
  if (options.encryptTo) {
    // The publisher picked a supported alg/enc for the wallet's key (publishers/wallet-post.ts);
    // anything else fails in jose as ERR_ENCRYPT_FAILED.
    const { key, alg: kalg, enc } = options.encryptTo;
    encryption = { key, alg: kalg as KeyManagementAlg, enc: enc as ContentEncryptionAlg, kid: typeof key.kid === 'string' ? key.kid : undefined };
  }
  return { audience: options.audience, walletNonce: options.walletNonce, encryption };
}

export interface PrefixInput {
  clientId: string;
  parameters: Record<string, unknown>;
  /** `undefined` when the request is not signed. */
  signing: { x5c: readonly string[] | undefined; kid: string | undefined; jwt: string | undefined } | undefined;
}

function refuse(message: string, cause?: unknown): OAuthJarError {
  return new OAuthJarError('ERR_CLIENT_ID_PREFIX', message, cause === undefined ? undefined : { cause });
}

/** The response URI a wallet checks against the client identifier: `response_uri` for direct_post modes (§8.2), else `redirect_uri`. */
function responseTarget(parameters: Record<string, unknown>): unknown {
  const mode = parameters.response_mode;
  return mode === 'direct_post' || mode === 'direct_post.jwt' ? parameters.response_uri : parameters.redirect_uri;
}

/**
 * Checks a request against the rules of its client identifier prefix (OpenID4VP 1.0 §5.9.3), the
 * way a wallet will, so that a request every wallet would refuse is never built.
 */
export async function checkClientIdPrefix({ clientId, parameters, signing }: PrefixInput): Promise<void> {
  const { x5c, jwt: attestation } = signing ?? {};
  // RFC 7515 §4.1.6: a non-empty array of base64 (not base64url) DER certificates, leaf first.
  if (x5c !== undefined && (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(c)))) {
    throw new OAuthJarError('ERR_INVALID_ARGUMENT', 'x5c must be a non-empty array of base64 DER certificates, leaf first (RFC 7515 §4.1.6)');
  }
  if (attestation !== undefined && (typeof attestation !== 'string' || attestation.split('.').length !== 3)) {
    throw new OAuthJarError('ERR_INVALID_ARGUMENT', 'jwt must be a compact JWT (a verifier attestation)');
  }
  if (!CLIENT_ID_PREFIX.test(clientId)) return;
  const colon = clientId.indexOf(':');
  const prefix = clientId.slice(0, colon);
  const value = clientId.slice(colon + 1);
  if (value === '') throw refuse(`the client_id "${prefix}:" has no value after its prefix`);
  const target = responseTarget(parameters);
  switch (prefix) {
    case 'origin':
      throw refuse('the origin: client_id prefix is reserved for the Digital Credentials API: wallets refuse it in requests (OpenID4VP 1.0 §5.9.3)');
    case 'redirect_uri':
      if (signing) throw refuse('a redirect_uri: request is never signed: the wallet has no key to check it with (OpenID4VP 1.0 §5.9.3)');
      if (target !== undefined && target !== value) {
        throw refuse('with a redirect_uri: client_id, the response_uri (direct_post) or redirect_uri must equal the client_id value (OpenID4VP 1.0 §5.9.3)');
      }
      return;
    case 'x509_san_dns':
    case 'x509_hash': {
      const leaf = signing?.x5c?.[0];
      if (!leaf) throw refuse(`an ${prefix}: request is signed with the leaf key of a certificate chain: pass signWith(key, { alg, x5c }) (OpenID4VP 1.0 §5.9.3)`);
      if (prefix === 'x509_hash') {
        const hash = await x509Hash(leaf);
        if (hash !== value) throw refuse(`the x509_hash: value is not the SHA-256 of the x5c leaf certificate (expected x509_hash:${hash})`);
        return;
      }
      let names: string[];
      try {
        names = certificateDnsNames(leaf);
      } catch (cause) {
        throw refuse('the x5c leaf certificate cannot be parsed', cause);
      }
      if (!names.includes(value.toLowerCase())) {
        throw refuse(`the x5c leaf certificate has no SAN dNSName "${value}" (it has ${names.length > 0 ? names.join(', ') : 'none'}), so wallets refuse the x509_san_dns: client_id`);
      }
      if (typeof target === 'string') {
        if (absoluteUrl(target, 'response_uri').hostname.toLowerCase() !== value.toLowerCase()) {
          throw refuse(`with an x509_san_dns: client_id, the response_uri / redirect_uri host must be ${value} (OpenID4VP 1.0 §5.9.3)`);
        }
      }
      return;
    }
    case 'decentralized_identifier': {
      const kid = signing?.kid;
      // §5.9.3: the kid is a DID URL of this DID naming the verification method.
      if (!signing || kid === undefined || !kid.startsWith(value) || !['#', '/', '?', ';'].includes(kid.charAt(value.length))) {
        throw refuse(`a decentralized_identifier: request is signed with a kid that is a DID URL of ${value} (e.g. "${value}#key-1") (OpenID4VP 1.0 §5.9.3)`);
      }
      return;
    }
    case 'verifier_attestation': {
      const jwt = signing?.jwt;
      if (!jwt) throw refuse('a verifier_attestation: request carries the attestation JWT in the jwt header: pass signWith(key, { alg, jwt }) (OpenID4VP 1.0 §12)');
      let sub: unknown;
      let typ: unknown;
      try {
        // Only read, to catch a mistake early; the wallet verifies the attestation.
        const json = (part: string) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
        const [header, payload] = jwt.split('.').slice(0, 2).map(json) as Array<Record<string, unknown> | undefined>;
        sub = payload?.sub;
        typ = header?.typ;
      } catch (cause) {
        throw refuse('the verifier attestation is not a JWT', cause);
      }
      if (typ !== 'verifier-attestation+jwt') throw refuse('the verifier attestation must have typ "verifier-attestation+jwt" (OpenID4VP 1.0 §12)');
      if (sub !== value) throw refuse('the verifier attestation\'s sub is not the client_id value (OpenID4VP 1.0 §5.9.3)');
      return;
    }
  }
}

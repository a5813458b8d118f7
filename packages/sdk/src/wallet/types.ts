import type { JSONWebKeySet, JWK, KeyInput } from '../crypto/types.js';
import type { RequestUriFetchOptions } from '../http/request-uri.js';

/**
 * A wallet's metadata (OpenID4VP 1.0 §10, RFC 8414 names): what it sends as `wallet_metadata`
 * with `request_uri_method=post` (§5.10), and what it checks requests against.
 */
export interface WalletMetadata {
  /** The wallet's issuer identifier: the `aud` a verifier uses with dynamic discovery (§5.8). */
  issuer?: string;
  /** The JWS algorithms the wallet accepts for request objects. */
  request_object_signing_alg_values_supported?: string[];
  /** Public keys a verifier may encrypt request objects to (§5.10). */
  jwks?: JSONWebKeySet;
  /** JWE `alg` values the wallet accepts for encrypted request objects. */
  request_object_encryption_alg_values_supported?: string[];
  /** JWE `enc` values the wallet accepts for encrypted request objects. */
  request_object_encryption_enc_values_supported?: string[];
  /** The credential formats the wallet supports (REQUIRED in §10.1). */
  vp_formats_supported?: Record<string, unknown>;
  /** The client identifier prefixes the wallet supports (§10.1). */
  client_id_prefixes_supported?: string[];
  /** Other metadata, sent as is. */
  [name: string]: unknown;
}

/** The client identifier prefixes of OpenID4VP 1.0 §5.9.3 that the wallet can authenticate. */
export type ClientIdPrefix = 'x509_san_dns' | 'x509_hash' | 'redirect_uri' | 'decentralized_identifier' | 'verifier_attestation';

/** Options of {@link WalletRequestVerifier}. */
export interface WalletRequestVerifierOptions {
  /**
   * Root certificates (PEM, base64 DER or DER bytes) that `x509_san_dns:` and `x509_hash:` chains
   * must lead to. Without them those prefixes are refused.
   */
  trustAnchors?: ReadonlyArray<string | Uint8Array>;
  /** The wallet's metadata: sent with `request_uri_method=post`, and its algorithms bind. */
  walletMetadata?: WalletMetadata;
  /**
   * The `aud` values accepted (§5.8).
   * @default [walletMetadata.issuer, 'https://self-issued.me/v2']
   */
  audiences?: readonly string[];
  /** The wallet's private keys for request objects encrypted to `walletMetadata.jwks`. */
  decryptionKeys?: JSONWebKeySet;
  /**
   * The prefixes accepted.
   * @default every prefix whose requirement is configured: x509_san_dns and x509_hash with trustAnchors, redirect_uri, decentralized_identifier with resolveDid, verifier_attestation with verifierAttestationKey
   */
  clientIdPrefixes?: readonly ClientIdPrefix[];
  /**
   * Resolves the key of a `decentralized_identifier:` verifier: the verification method that the
   * JWS `kid` (a DID URL of the DID) names, from the DID document. `undefined` when there is none.
   */
  resolveDid?: (didUrl: string, did: string) => Promise<JWK | KeyInput | undefined>;
  /**
   * The key of a trusted issuer of verifier attestations (§12), by its `iss`; `undefined` when the
   * issuer is not trusted. The attestation then binds the request's key through `cnf.jwk`.
   */
  verifierAttestationKey?: (iss: string, header: Record<string, unknown>) => Promise<JWK | KeyInput | undefined>;
  /** How `request_uri` values are fetched (the same guards as the server's). */
  requestUri?: RequestUriFetchOptions & {
    /**
     * Use POST when the request says `request_uri_method=post` (§5.10); `false` falls back to GET.
     * @default true
     */
    post?: boolean;
  };
  /**
   * Seconds of leeway for `exp`, `nbf` and `iat`.
   * @default 30
   */
  clockTolerance?: number;
  /** The clock, for tests. @default () => new Date() */
  now?: () => Date;
  /**
   * The largest request object accepted, in characters, by value or by reference.
   * @default 65536
   */
  maxRequestLength?: number;
}

/** A request the wallet verified. */
export interface VerifiedWalletRequest {
  /** The full `client_id`, prefix included. */
  clientId: string;
  /** The client identifier prefix that authenticated the verifier. */
  clientIdPrefix: ClientIdPrefix;
  /** The part after the prefix: a DNS name, a certificate hash, a URI or a DID. */
  clientIdValue: string;
  /** The request's parameters: the request object's claims, or the query of an unsigned `redirect_uri:` request. */
  parameters: Record<string, unknown>;
  /** The `x5c` chain (base64 DER, leaf first) that authenticated an `x509_*` verifier. */
  certificateChain: string[] | undefined;
  /** The request object's protected header, when there was a request object. */
  header: Record<string, unknown> | undefined;
  /** The `wallet_nonce` the wallet sent and found in the object, when it POSTed. */
  walletNonce: string | undefined;
  /** The compact request object (the JWS, after decryption), when there was one. */
  requestObject: string | undefined;
}

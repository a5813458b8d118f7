import { unverifiedClaims, unverifiedHeader } from '../crypto/decode.js';
import { randomToken } from '../crypto/encoding.js';
import type { JWK, KeyInput } from '../crypto/types.js';
import { OAuthJarError } from '../errors.js';
// Static imports: a wallet fetches request_uri values all the time, and rollup must see this call
// site (with its form) to keep the POST path of fetchRequestObject.
import { createGuardedFetcher, type GuardedFetcher } from '../http/guard.js';
import { fetchRequestObject } from '../http/request-uri.js';
import { invalid, isPlainObject } from '../lib/validate.js';
import { WalletRequestError, type WalletCheck, type WalletErrorCode } from './errors.js';
import type { ClientIdPrefix, VerifiedWalletRequest, WalletRequestVerifierOptions } from './types.js';

/** OpenID4VP 1.0 §5.8: the `aud` of a request object for a wallet with static metadata. */
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2';
const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
// Asymmetric only: a wallet shares no secret with a verifier, so HS* can authenticate nobody.
const DEFAULT_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'];
const KNOWN_PREFIXES = new Set(['redirect_uri', 'openid_federation', 'decentralized_identifier', 'verifier_attestation', 'x509_san_dns', 'x509_hash', 'origin']);
// OpenID4VP 1.0 §5.1: parameters that carry objects travel as JSON strings in a query.
const JSON_PARAMETERS = ['dcql_query', 'client_metadata', 'transaction_data', 'verifier_info', 'presentation_definition'];
const JWE_KEY_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW', 'RSA-OAEP', 'RSA-OAEP-256'];
const JWE_ENCS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'];

type LoadedX509 = typeof import('../crypto/x509.js');
let x509Module: Promise<LoadedX509> | undefined;
// On demand: only x5c requests load X.509 parsing.
const loadX509 = () => (x509Module ??= import('../crypto/x509.js'));

function fail(error: WalletErrorCode, check: WalletCheck, description: string, detail?: string, cause?: unknown): never {
  throw new WalletRequestError(error, check, description, {
    ...(detail !== undefined ? { detail } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * The wallet's side of OpenID4VP 1.0: verifies an authorization request from a verifier (a relying
 * party) before the wallet shows it to the user. It resolves `request` or `request_uri` (GET, or
 * POST with `wallet_metadata` and a fresh `wallet_nonce`, §5.10), checks the request object's
 * `typ`, `client_id`, `aud`, `exp`/`iat` and `wallet_nonce`, and authenticates the verifier by its
 * client identifier prefix (§5.9.3): an `x5c` chain to a trust anchor for `x509_san_dns:` and
 * `x509_hash:`, a DID for `decentralized_identifier:`, a verifier attestation for
 * `verifier_attestation:`, and only unsigned requests for `redirect_uri:`.
 *
 * Every refusal is a {@link WalletRequestError} with the OAuth `error` to answer with.
 *
 * @example
 * ```ts
 * import { WalletRequestVerifier } from 'oauth-jar/wallet';
 *
 * const wallet = new WalletRequestVerifier({ trustAnchors: [rootCaPem], walletMetadata });
 * const { clientId, clientIdPrefix, parameters, certificateChain } = await wallet.verify(url);
 * ```
 *
 * @see [OpenID4VP 1.0 §5](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#section-5) Authorization Request
 */
export class WalletRequestVerifier {
  readonly #options: WalletRequestVerifierOptions;
  readonly #audiences: ReadonlySet<string>;
  readonly #algorithms: string[];
  readonly #prefixes: ReadonlySet<ClientIdPrefix>;
  readonly #maxLength: number;
  #anchors: Promise<import('../crypto/x509.js').TrustAnchors> | undefined;
  // One guarded fetcher per wallet verifier: the server's rules, and its failure memory (http/guard.ts).
  #fetcher: GuardedFetcher | undefined;

  constructor(options: WalletRequestVerifierOptions = {}) {
    if (!isPlainObject(options as unknown)) throw invalid('WalletRequestVerifier needs an options object');
    this.#options = options;
    const meta = options.walletMetadata;
    if (meta !== undefined && !isPlainObject(meta)) throw invalid('walletMetadata must be a JSON object');
    const audiences = options.audiences ?? [...(typeof meta?.issuer === 'string' ? [meta.issuer] : []), SELF_ISSUED_AUDIENCE];
    if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a !== '')) {
      throw invalid('audiences must be a non-empty array of strings');
    }
    this.#audiences = new Set(audiences);
    const listed = meta?.request_object_signing_alg_values_supported;
    this.#algorithms = Array.isArray(listed) ? DEFAULT_ALGS.filter((a) => listed.includes(a)) : DEFAULT_ALGS;
    if (this.#algorithms.length === 0) throw invalid('request_object_signing_alg_values_supported lists no supported asymmetric algorithm');
    const anchors = options.trustAnchors ?? [];
    if (!Array.isArray(anchors)) throw invalid('trustAnchors must be an array of certificates');
    const configured: ClientIdPrefix[] = ['redirect_uri'];
    if (anchors.length > 0) configured.push('x509_san_dns', 'x509_hash');
    if (typeof options.resolveDid === 'function') configured.push('decentralized_identifier');
    if (typeof options.verifierAttestationKey === 'function') configured.push('verifier_attestation');
    const prefixes = options.clientIdPrefixes ?? configured;
    for (const p of prefixes) {
      if (!configured.includes(p)) throw invalid(`the client_id prefix ${p} needs its configuration (trustAnchors, resolveDid or verifierAttestationKey)`);
    }
    this.#prefixes = new Set(prefixes);
    this.#maxLength = options.maxRequestLength ?? 64 * 1024;
  }

  /**
   * Verifies an authorization request given as the URL the wallet was invoked with (any scheme:
   * `openid4vp://`, `haip-vp://`, an https universal link) or its query.
   *
   * @throws {WalletRequestError} with `error` `invalid_request`, `invalid_client`,
   *   `invalid_request_uri`, `invalid_request_uri_method` or `invalid_request_object`.
   *
   * @example
   * ```ts
   * const { clientId, parameters } = await wallet.verify('openid4vp://?client_id=x509_san_dns%3Averifier.example&request_uri=…');
   * ```
   */
  async verify(request: string | URL | URLSearchParams): Promise<VerifiedWalletRequest> {
    const query = toQuery(request);
    for (const name of ['client_id', 'request', 'request_uri', 'request_uri_method']) {
      if (query.getAll(name).length > 1) fail('invalid_request', 'parameters', 'a parameter is repeated', name);
    }
    const clientId = query.get('client_id');
    if (!clientId) fail('invalid_request', 'client_id', 'client_id is missing');
    const { prefix, value } = this.#prefixOf(clientId);

    const byValue = query.get('request');
    const requestUri = query.get('request_uri');
    const method = query.get('request_uri_method');
    if (byValue !== null && requestUri !== null) fail('invalid_request', 'parameters', 'request and request_uri must not both be present');
    if (method !== null) {
      // OpenID4VP 1.0 §5.1: get and post are the only values, and only next to a request_uri.
      if (method !== 'get' && method !== 'post') fail('invalid_request_uri_method', 'request_uri_method', 'request_uri_method must be get or post');
      if (requestUri === null) fail('invalid_request', 'request_uri_method', 'request_uri_method without request_uri');
    }

    if (byValue === null && requestUri === null) {
      // A plain request: only redirect_uri: verifiers send unsigned requests (§5.9.3).
      if (prefix !== 'redirect_uri') fail('invalid_request', 'request_parameters', 'this client_id prefix requires a signed request object');
      const parameters: Record<string, unknown> = {};
      query.forEach((v, name) => (parameters[name] = JSON_PARAMETERS.includes(name) ? parseJsonParameter(name, v) : v));
      this.#checkRequestParameters(parameters, prefix, value);
      return { clientId, clientIdPrefix: prefix, clientIdValue: value, parameters, certificateChain: undefined, header: undefined, walletNonce: undefined, requestObject: undefined };
    }

    let jwt: string;
    let walletNonce: string | undefined;
    if (requestUri !== null) {
      ({ jwt, walletNonce } = await this.#dereference(requestUri, method === 'post' && this.#options.requestUri?.post !== false ? 'post' : 'get'));
    } else {
      jwt = byValue!;
    }
    if (jwt.length > this.#maxLength) fail('invalid_request_object', 'shape', 'the request object is too large');
    const segments = jwt.split('.').length;
    if (!/^[A-Za-z0-9_\-.]+$/.test(jwt) || (segments !== 3 && segments !== 5)) {
      fail('invalid_request_object', 'shape', 'the request object is not a compact JWS or JWE');
    }
    if (segments === 5) jwt = await this.#decrypt(jwt);

    let header: Record<string, unknown>;
    try {
      header = unverifiedHeader(jwt) as Record<string, unknown>;
      unverifiedClaims(jwt);
    } catch (cause) {
      return fail('invalid_request_object', 'shape', 'the request object cannot be decoded', undefined, cause);
    }
    // OpenID4VP 1.0 §5 and RFC 9101 §10.8: wallets require the explicit type, exactly.
    if (header.typ !== REQUEST_OBJECT_TYP) fail('invalid_request_object', 'typ', 'the request object typ must be oauth-authz-req+jwt');
    if (header.crit !== undefined) fail('invalid_request_object', 'alg', 'crit header parameters are not supported');

    const { claims, certificateChain } = await this.#authenticate(jwt, header, prefix, value);

    // RFC 9101 §6.3 and OpenID4VP 1.0 §5.10.1: the two client_id values are identical, prefix included.
    if (claims.client_id !== clientId) fail('invalid_request_object', 'client_id_claim', 'the request object is for another client_id');
    const aud = claims.aud;
    const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    // @openid4vc/openid4vp 0.4 sets aud to the request_uri; the object was fetched from exactly
    // there, so that value names this exchange and is tolerated.
    const audOk = auds.some((a) => typeof a === 'string' && (this.#audiences.has(a) || (requestUri !== null && a === requestUri)));
    if (!audOk) fail('invalid_request_object', 'audience', 'the request object aud is not this wallet');
    this.#checkTimes(claims);
    // OpenID4VP 1.0 §5.10.1: the wallet_nonce it sent must come back in the object.
    if (walletNonce !== undefined && claims.wallet_nonce !== walletNonce) {
      fail('invalid_request_object', 'wallet_nonce', claims.wallet_nonce === undefined ? 'the request object lacks the wallet_nonce' : 'the request object wallet_nonce does not match');
    }
    if ('request' in claims || 'request_uri' in claims) fail('invalid_request_object', 'request_parameters', 'a request object must not contain request or request_uri');
    this.#checkRequestParameters(claims, prefix, value);
    return { clientId, clientIdPrefix: prefix, clientIdValue: value, parameters: claims, certificateChain, header, walletNonce, requestObject: jwt };
  }

  #prefixOf(clientId: string): { prefix: ClientIdPrefix; value: string } {
    const colon = clientId.indexOf(':');
    const prefix = colon > 0 ? clientId.slice(0, colon) : undefined;
    const value = colon > 0 ? clientId.slice(colon + 1) : clientId;
    // §5.9.2: no prefix means a pre-registered client, which this verifier has no registry for;
    // §5.9.3: `origin:` is reserved for the DC API and never accepted.
    if (prefix === undefined || !KNOWN_PREFIXES.has(prefix) || !this.#prefixes.has(prefix as ClientIdPrefix) || value === '') {
      fail('invalid_client', 'client_id_prefix', 'the client_id prefix is not supported');
    }
    return { prefix: prefix as ClientIdPrefix, value };
  }

  async #dereference(requestUri: string, method: 'get' | 'post'): Promise<{ jwt: string; walletNonce: string | undefined }> {
    let form: URLSearchParams | undefined;
    let walletNonce: string | undefined;
    if (method === 'post') {
      form = new URLSearchParams();
      const meta = this.#options.walletMetadata;
      if (meta) form.set('wallet_metadata', JSON.stringify(meta));
      // §5.10: a fresh, random nonce that the object must carry back (replay protection).
      walletNonce = randomToken(16);
      form.set('wallet_nonce', walletNonce);
    }
    try {
      if (!this.#fetcher) {
        const { post: _post, ...policy } = this.#options.requestUri ?? {};
        this.#fetcher = createGuardedFetcher(policy);
      }
      return { jwt: await fetchRequestObject(requestUri, this.#fetcher, form), walletNonce };
    } catch (cause) {
      // The same outward text whatever the network did (closed port, non-200, wrong type, timeout).
      return fail('invalid_request_uri', 'request_uri', 'the request_uri could not be used', (cause as Error)?.message, cause);
    }
  }

  async #decrypt(jwe: string): Promise<string> {
    const keys = this.#options.decryptionKeys;
    if (!keys) fail('invalid_request_object', 'decrypt', 'encrypted request objects are not accepted');
    let header: Record<string, unknown>;
    try {
      header = unverifiedHeader(jwe) as Record<string, unknown>;
    } catch (cause) {
      return fail('invalid_request_object', 'shape', 'the request object cannot be decoded', undefined, cause);
    }
    const meta = this.#options.walletMetadata;
    const algs = meta?.request_object_encryption_alg_values_supported ?? JWE_KEY_ALGS;
    const encs = meta?.request_object_encryption_enc_values_supported ?? JWE_ENCS;
    if (typeof header.alg !== 'string' || !algs.includes(header.alg) || typeof header.enc !== 'string' || !encs.includes(header.enc)) {
      fail('invalid_request_object', 'decrypt', 'the request object encryption algorithm is not accepted');
    }
    if (header.zip !== undefined) fail('invalid_request_object', 'decrypt', 'compressed request objects are not accepted');
    const { decryptCompact } = await import('../crypto/decrypt.js');
    let plaintext: string;
    try {
      plaintext = await decryptCompact(jwe, keys, { alg: header.alg as string, kid: header.kid }, {
        keyManagementAlgorithms: algs.filter((a) => JWE_KEY_ALGS.includes(a)),
        contentEncryptionAlgorithms: encs.filter((e) => JWE_ENCS.includes(e)),
      });
    } catch (cause) {
      return fail('invalid_request_object', 'decrypt', 'the request object could not be decrypted', (cause as Error)?.message, cause);
    }
    // RFC 9101 §10.2: the plaintext is a signed JWT; an encrypted claims set proves no sender.
    if (plaintext.split('.').length !== 3) fail('invalid_request_object', 'decrypt', 'the encrypted request object does not contain a signed JWT');
    return plaintext;
  }

  async #authenticate(
    jwt: string,
    header: Record<string, unknown>,
    prefix: ClientIdPrefix,
    value: string,
  ): Promise<{ claims: Record<string, unknown>; certificateChain: string[] | undefined }> {
    const alg = header.alg;
    if (prefix === 'redirect_uri') {
      // §5.9.3: redirect_uri: requests cannot be signed: the wallet has no key to check them with.
      if (alg !== 'none') fail('invalid_request', 'client_id_prefix', 'redirect_uri client_id requests must not be signed');
      const { decodeUnsigned } = await import('../crypto/verify.js');
      try {
        const claims = decodeUnsigned(jwt).claims as Record<string, unknown>;
        this.#checkTime(claims);
        return { claims, certificateChain: undefined };
      } catch (cause) {
        return fail('invalid_request_object', 'lifetime', 'the request object is expired or not yet valid', (cause as Error)?.message, cause);
      }
    }
    if (typeof alg !== 'string' || !this.#algorithms.includes(alg)) fail('invalid_request_object', 'alg', 'the request object alg is not accepted');

    let key: KeyInput | undefined;
    let certificateChain: string[] | undefined;
    if (prefix === 'x509_san_dns' || prefix === 'x509_hash') {
      const x509 = await loadX509();
      let chain: import('../crypto/x509.js').ValidatedChain;
      try {
        this.#anchors ??= x509.prepareTrustAnchors(this.#options.trustAnchors ?? []);
        chain = await x509.validateChain(header.x5c, await this.#anchors, this.#now());
      } catch (cause) {
        if (cause instanceof x509.X509Failure) {
          return fail('invalid_client', 'certificate_chain', 'the x5c certificate chain is not trusted', `${cause.kind}: ${cause.message}`, cause);
        }
        return fail('invalid_client', 'certificate_chain', 'the x5c certificate chain is not trusted', (cause as Error)?.message, cause);
      }
      if (prefix === 'x509_san_dns' && !chain.dnsNames.includes(value.toLowerCase())) {
        fail('invalid_client', 'client_id_binding', 'the client_id does not match a dNSName of the leaf certificate');
      }
      if (prefix === 'x509_hash') {
        const { x509Hash } = await import('../crypto/certificate.js');
        if ((await x509Hash(chain.leafDer)) !== value) fail('invalid_client', 'client_id_binding', 'the client_id does not match the leaf certificate hash');
      }
      try {
        key = await x509.leafPublicKey(chain.leafDer, alg);
      } catch (cause) {
        return fail('invalid_request_object', 'alg', 'the leaf certificate key does not fit the alg', (cause as Error)?.message, cause);
      }
      certificateChain = chain.x5c;
    } else if (prefix === 'decentralized_identifier') {
      const kid = header.kid;
      // §5.9.3: the kid is a DID URL of this DID that names the verification method.
      if (typeof kid !== 'string' || !kid.startsWith(value) || !['#', '/', '?', ';'].includes(kid.charAt(value.length))) {
        fail('invalid_client', 'client_id_binding', 'the kid is not a DID URL of the client_id DID');
      }
      key = await this.#hook(() => this.#options.resolveDid!(kid, value), alg);
    } else {
      key = await this.#attestedKey(header, value, alg);
    }

    const { verifyJws } = await import('../crypto/verify.js');
    try {
      const { claims } = await verifyJws(jwt, [key as CryptoKey], { algorithms: [alg] });
      try {
        this.#checkTime(claims as Record<string, unknown>);
      } catch (cause) {
        return fail('invalid_request_object', 'lifetime', 'the request object is expired or not yet valid', (cause as Error)?.message, cause);
      }
      return { claims: claims as Record<string, unknown>, certificateChain };
    } catch (cause) {
      if (cause instanceof WalletRequestError) throw cause;
      return fail('invalid_request_object', 'signature', 'the request object signature is invalid', (cause as Error)?.message, cause);
    }
  }

  // §12: a trusted issuer's attestation (typ verifier-attestation+jwt) binds the verifier's key
  // (cnf.jwk) to its client identifier (sub); the request is signed with that key.
  async #attestedKey(header: Record<string, unknown>, value: string, alg: string): Promise<KeyInput> {
    const attestation = header.jwt;
    if (typeof attestation !== 'string') fail('invalid_client', 'client_id_binding', 'the verifier attestation (jwt header) is missing');
    let attHeader: Record<string, unknown>;
    let attClaims: Record<string, unknown>;
    try {
      attHeader = unverifiedHeader(attestation) as Record<string, unknown>;
      attClaims = unverifiedClaims(attestation) as Record<string, unknown>;
    } catch (cause) {
      return fail('invalid_client', 'client_id_binding', 'the verifier attestation cannot be decoded', undefined, cause);
    }
    if (attHeader.typ !== 'verifier-attestation+jwt' || typeof attClaims.iss !== 'string' || typeof attHeader.alg !== 'string' || !this.#algorithms.includes(attHeader.alg)) {
      fail('invalid_client', 'client_id_binding', 'the verifier attestation is malformed');
    }
    const attAlg = attHeader.alg as string;
    const issuerKey = await this.#hook(() => this.#options.verifierAttestationKey!(attClaims.iss as string, attHeader), attAlg);
    const { verifyJws } = await import('../crypto/verify.js');
    let verified: Record<string, unknown>;
    try {
      verified = (await verifyJws(attestation, [issuerKey as CryptoKey], { algorithms: [attAlg] })).claims as Record<string, unknown>;
      this.#checkTime(verified);
    } catch (cause) {
      return fail('invalid_client', 'client_id_binding', 'the verifier attestation is not valid', (cause as Error)?.message, cause);
    }
    if (typeof verified.exp !== 'number') fail('invalid_client', 'client_id_binding', 'the verifier attestation has no exp');
    if (verified.sub !== value) fail('invalid_client', 'client_id_binding', 'the verifier attestation is for another client_id');
    const cnf = verified.cnf as { jwk?: unknown } | undefined;
    if (!isPlainObject(cnf?.jwk)) fail('invalid_client', 'client_id_binding', 'the verifier attestation has no cnf.jwk');
    const { usableKey } = await import('../crypto/keys.js');
    try {
      return await usableKey(cnf!.jwk as JWK, alg);
    } catch (cause) {
      return fail('invalid_request_object', 'alg', 'the attested key does not fit the alg', (cause as Error)?.message, cause);
    }
  }

  async #hook(get: () => Promise<JWK | KeyInput | undefined>, alg: string): Promise<KeyInput> {
    let key: JWK | KeyInput | undefined;
    try {
      key = await get();
    } catch (cause) {
      return fail('invalid_client', 'client_id_binding', 'the verifier key could not be resolved', (cause as Error)?.message, cause);
    }
    if (key === undefined || key === null) fail('invalid_client', 'client_id_binding', 'the verifier key could not be resolved');
    const { usableKey } = await import('../crypto/keys.js');
    try {
      return await usableKey(key, alg);
    } catch (cause) {
      return fail('invalid_request_object', 'alg', 'the verifier key does not fit the alg', (cause as Error)?.message, cause);
    }
  }

  #checkTimes(claims: Record<string, unknown>): void {
    const now = Math.floor(this.#now().getTime() / 1000);
    const tolerance = this.#options.clockTolerance ?? 30;
    // #checkTime judged exp and nbf; an iat from the future is refused too.
    if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > now + tolerance)) {
      fail('invalid_request_object', 'lifetime', 'the request object iat is in the future');
    }
  }

  #checkRequestParameters(parameters: Record<string, unknown>, prefix: ClientIdPrefix, value: string): void {
    if (typeof parameters.response_type !== 'string' || parameters.response_type === '') {
      fail('invalid_request', 'request_parameters', 'response_type is missing');
    }
    // OpenID4VP 1.0 §5.2: nonce is REQUIRED.
    if (typeof parameters.nonce !== 'string' || parameters.nonce === '') fail('invalid_request', 'request_parameters', 'nonce is missing');
    const mode = parameters.response_mode;
    const direct = mode === 'direct_post' || mode === 'direct_post.jwt';
    // §8.2: direct_post sends the response to response_uri.
    if (direct && typeof parameters.response_uri !== 'string') fail('invalid_request', 'request_parameters', 'response_uri is missing');
    const target = direct ? parameters.response_uri : parameters.redirect_uri;
    if (prefix === 'redirect_uri' && target !== undefined && target !== value) {
      fail('invalid_client', 'client_id_binding', 'the response URI does not equal the redirect_uri client_id');
    }
    if (prefix === 'x509_san_dns' && typeof target === 'string') {
      // §5.9.3: without other trust in the client identifier, the response URI's host is the DNS name.
      let host: string | undefined;
      try {
        host = new URL(target).hostname.toLowerCase();
      } catch {
        host = undefined;
      }
      if (host !== value.toLowerCase()) fail('invalid_client', 'client_id_binding', 'the response URI host does not match the x509_san_dns client_id');
    }
  }

  // RFC 7519 §4.1.4-6: NumericDates; exp in the past and nbf in the future are refused, both with
  // clockTolerance (crypto/verify.ts checks signatures only).
  #checkTime(claims: Record<string, unknown>): void {
    const tolerance = this.#options.clockTolerance ?? 30;
    const now = Math.floor(this.#now().getTime() / 1000);
    for (const name of ['exp', 'nbf', 'iat'] as const) {
      const value = claims[name];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw new Error(`the ${name} claim is not a NumericDate`);
    }
    if (typeof claims.exp === 'number' && claims.exp <= now - tolerance) throw new Error('the exp claim lies in the past');
    if (typeof claims.nbf === 'number' && claims.nbf > now + tolerance) throw new Error('the nbf claim lies in the future');
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

function toQuery(request: string | URL | URLSearchParams): URLSearchParams {
  if (request instanceof URLSearchParams) return request;
  try {
    return new URL(request).searchParams;
  } catch (cause) {
    if (typeof request === 'string' && !request.includes('://')) return new URLSearchParams(request.replace(/^\?/, ''));
    throw new OAuthJarError('ERR_INVALID_URL', 'the authorization request must be a URL or its query', { cause });
  }
}

function parseJsonParameter(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (cause) {
    return fail('invalid_request', 'request_parameters', 'a JSON-valued parameter is not JSON', name, cause);
  }
}

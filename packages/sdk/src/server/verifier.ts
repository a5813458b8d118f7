import { assemble, copyParameters, queryParameters } from './assemble.js';
import { checkClaims } from './claims.js';
import { resolveConfig, type Config } from './config.js';
import { unwrap } from './decrypt.js';
import { AuthorizationRequestError, preview, refuse } from './errors.js';
import { serverMetadata, type RequestObjectServerMetadata } from './metadata.js';
import { resolve } from './resolve.js';
import type { RequestObjectVerifierOptions, VerifiedAuthorizationRequest } from './types.js';
import { verifySignature } from './verify.js';

/**
 * Verifies incoming authorization requests that carry request objects (RFC 9101), by value
 * (`request`), by reference (`request_uri`, fetched under SSRF guards) or pushed (PAR URNs, via
 * the AS's own store). Every refusal is an {@link AuthorizationRequestError} carrying the OAuth
 * `error` to answer with; the checks run in the order of the spec notes: parameters, client,
 * feature switches, request_uri, shape, decryption, header, signature, claims, replay.
 *
 * Build it once: client key sets and decryption keys are imported once and cached.
 *
 * @example
 * ```ts
 * import { RequestObjectVerifier, AuthorizationRequestError, MemoryReplayStore } from 'oauth-jar/server';
 *
 * const verifier = new RequestObjectVerifier({
 *   issuer: 'https://as.example.com',
 *   getClient: async (clientId) => clients.get(clientId),
 *   decryptionKeys: { keys: [asPrivateEncryptionJwk] },
 *   requireSignedRequestObject: false,
 *   requestUri: { timeout: 5000, allowHttp: false },
 *   replayStore: new MemoryReplayStore(),
 *   profile: undefined,
 * });
 *
 * const { clientId, parameters, requestObject } = await verifier.verify(new URL(req.url).searchParams);
 * ```
 *
 * @see [RFC 9101 §6](https://www.rfc-editor.org/rfc/rfc9101#section-6) Validating JWT-Based Requests
 */
export class RequestObjectVerifier {
  readonly #cfg: Config;

  /** @throws OAuthJarError `ERR_INVALID_ARGUMENT` when an option is invalid. */
  constructor(options: RequestObjectVerifierOptions) {
    this.#cfg = resolveConfig(options);
  }

  /**
   * Verifies one authorization request: the query of the authorization endpoint (or the form body
   * of a PAR endpoint) as `URLSearchParams` or a plain object such as Express' `req.query`.
   *
   * @returns the client, the parameters to act on, and the verified request object.
   * @throws AuthorizationRequestError for every refused request, never anything else.
   *
   * @example
   * ```ts
   * const { clientId, parameters } = await verifier.verify(new URL(req.url).searchParams);
   * ```
   */
  async verify(query: URLSearchParams | Record<string, string | string[] | undefined>): Promise<VerifiedAuthorizationRequest> {
    try {
      return await this.#verify(query);
    } catch (err) {
      if (err instanceof AuthorizationRequestError) throw err;
      // A bug or an unexpected runtime failure: still a typed, non-redirectable answer.
      throw new AuthorizationRequestError('server_error', 'internal', 'the authorization request could not be verified', { cause: err });
    }
  }

  async #verify(input: unknown): Promise<VerifiedAuthorizationRequest> {
    const cfg = this.#cfg;
    const resolved = await resolve(input, cfg);
    const { clientId, client, query } = resolved;

    // RFC 6749 §3.1: no repeated parameters (RFC 8707 §2 allows several resource values), in every
    // mode: a JAR server ignores the query's copies, but a merge or a later step might not.
    for (const [name, values] of query) {
      if (values.length > 1 && name !== 'resource') {
        throw refuse('invalid_request', 'repeated_parameter', 'a parameter is repeated (RFC 6749 §3.1)', undefined, `parameter ${preview(name)}`);
      }
      if (name === '__proto__') throw refuse('invalid_request', 'repeated_parameter', 'a parameter named __proto__ is refused');
    }

    if (resolved.object === undefined) {
      if (resolved.pushedParameters) {
        // RFC 9101 §10.5: stored parameters carry no signature; where one is required they count
        // only when the PAR store vouches that they came from a verified signed request object.
        if ((cfg.requireSigned || cfg.fapi || client.require_signed_request_object === true) && !resolved.pushedFromSignedObject) {
          throw refuse('invalid_request', 'signed_request_object_required', 'this request must carry a signed request object (require_signed_request_object)');
        }
        if (Object.hasOwn(resolved.pushedParameters, '__proto__')) {
          throw refuse('invalid_request', 'repeated_parameter', 'a parameter named __proto__ is refused');
        }
        return { clientId, client, parameters: copyParameters(resolved.pushedParameters), requestObject: undefined };
      }
      return { clientId, client, parameters: queryParameters(query), requestObject: undefined };
    }

    const requireSigned = cfg.requireSigned || cfg.fapi || client.require_signed_request_object === true;
    const { jws, encryptionHeader } = await unwrap(resolved.object, client, cfg);
    const { header, claims } = await verifySignature(jws, client, cfg, { requireSigned });
    await checkClaims(claims, clientId, cfg, resolved.source === 'par' ? resolved.requestUri : undefined);
    return {
      clientId,
      client,
      parameters: assemble(claims, query, cfg.merge),
      requestObject: {
        source: resolved.source as 'request' | 'request_uri' | 'par',
        requestUri: resolved.requestUri,
        header,
        encryptionHeader,
        claims,
      },
    };
  }

  /**
   * The request-object fields of this server's discovery document (RFC 8414 §2, OIDC Discovery,
   * RFC 9101 §10.5), to merge into `/.well-known/oauth-authorization-server`.
   *
   * @example
   * ```ts
   * const discovery = { issuer, authorization_endpoint, ...verifier.metadata() };
   * ```
   */
  metadata(): RequestObjectServerMetadata {
    return serverMetadata(this.#cfg);
  }
}

import { assemble, copyParameters, queryParameters } from './assemble.js';
import { checkClaims } from './claims.js';
import { resolveConfig, type Config } from './config.js';
import { unwrap } from './decrypt.js';
import { AuthorizationRequestError, preview, refuse } from './errors.js';
import { serverMetadata, type RequestObjectServerMetadata } from './metadata.js';
import { resolve, toQuery } from './resolve.js';
import { typeParameters } from './parameters.js';
import { errorRedirect, registeredRedirectUri } from './redirect.js';
import type {
  AuthorizationRequestInput,
  AuthorizationRequestParameters,
  ClientMetadata,
  RequestObjectVerifierOptions,
  VerifiedAuthorizationRequest,
} from './types.js';
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
   * of a PAR endpoint) as `URLSearchParams`, or the object a framework parsed it into (Express'
   * `req.query`, Koa's `ctx.query`, Hono's `c.req.query()`, Fastify's `request.query`, typed
   * `unknown` by default). Anything else, and nested values, are refused with `invalid_request`.
   *
   * When the client registered `redirect_uris`, the request's `redirect_uri` must be one of them
   * (exact match), and a refusal after that point carries `clientId`, `redirectUri`, `state` and
   * `responseMode`, so that `authorizationErrorResponse(err, { issuer })` redirects it.
   *
   * @returns the client, the parameters to act on (registered parameters typed), and the verified request object.
   * @throws AuthorizationRequestError for every refused request, never anything else.
   *
   * @example
   * ```ts
   * const { clientId, parameters } = await verifier.verify(new URL(req.url).searchParams);
   * ```
   */
  verify(query: AuthorizationRequestInput): Promise<VerifiedAuthorizationRequest>;
  /**
   * The same, for a query typed `unknown` (Fastify's default `request.query`).
   *
   * @example
   * ```ts
   * fastify.get('/authorize', async (request) => verifier.verify(request.query));
   * ```
   */
  verify(query: unknown): Promise<VerifiedAuthorizationRequest>;
  async verify(query: unknown): Promise<VerifiedAuthorizationRequest> {
    const progress: Progress = {};
    try {
      const result = await this.#verify(query, progress);
      // Nothing below may throw before the parameters are settled: they are what the redirect reads.
      progress.parameters = typeParameters(result.parameters);
      checkRedirectUri(result.client, progress.parameters);
      return result;
    } catch (err) {
      const refusal =
        err instanceof AuthorizationRequestError
          ? err
          : // A bug or an unexpected runtime failure: still a typed, non-redirectable answer.
            new AuthorizationRequestError('server_error', 'internal', 'the authorization request could not be verified', { cause: err });
      throw withRedirect(refusal, progress, query);
    }
  }

  async #verify(input: unknown, progress: Progress): Promise<VerifiedAuthorizationRequest> {
    const cfg = this.#cfg;
    // The client, as soon as it is looked up: refusals from then on may be redirected to it.
    const getClient: Config['getClient'] = async (clientId) => {
      const client = await cfg.getClient(clientId);
      if (client !== null && typeof client === 'object') progress.client = { clientId, client };
      return client;
    };
    const resolved = await resolve(input, { ...cfg, getClient });
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
    // RFC 9101 §6.3: once the signature verified, the object's redirect_uri and state are the
    // request's; an unsigned object (allowUnsigned) proves nothing, so the query's stay.
    if (header.alg !== 'none') progress.parameters = assemble(claims, query, cfg.merge);
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

/** How far a request got: what an error may be redirected with (RFC 6749 §4.1.2.1). */
interface Progress {
  /** The client, once known and its registration usable. */
  client?: { clientId: string; client: ClientMetadata };
  /** A verified request object's parameters (else the query's are used). */
  parameters?: Readonly<AuthorizationRequestParameters>;
}

/**
 * RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: a client that registered `redirect_uris` may only name
 * one of them, exactly; an invalid one is never redirected to (§4.1.2.1).
 */
function checkRedirectUri(client: ClientMetadata, parameters: AuthorizationRequestParameters): void {
  if (client.redirect_uris === undefined) return;
  if (registeredRedirectUri(client, parameters.redirect_uri) === undefined) {
    throw refuse(
      'invalid_request',
      'redirect_uri',
      parameters.redirect_uri === undefined
        ? 'the redirect_uri parameter is required: the client registered several (RFC 6749 section 3.1.2.3)'
        : 'the redirect_uri is not one of the client\'s registered redirect_uris (RFC 6749 section 3.1.2.3)',
    );
  }
}

/** The refusal, carrying where to redirect it once the client and its redirect_uri are valid. */
function withRedirect(err: AuthorizationRequestError, progress: Progress, input: unknown): AuthorizationRequestError {
  // Redirectable refusals all come after the client was found and its registration checked.
  if (!err.redirectable || progress.client === undefined) return err;
  // RFC 6749 §4.1.2.1: until a request object verifies, the error goes where the query says.
  let parameters = progress.parameters;
  if (parameters === undefined) {
    try {
      parameters = queryParameters(toQuery(input));
    } catch {
      return err;
    }
  }
  const redirect = errorRedirect(progress.client.clientId, progress.client.client, parameters);
  if (redirect === undefined) return err;
  return new AuthorizationRequestError(err.error, err.check, err.error_description, {
    cause: err.cause,
    status: err.status,
    ...(err.detail === undefined ? {} : { detail: err.detail }),
    redirect,
  });
}

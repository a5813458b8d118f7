import { assemble, copyParameters, queryParameters } from './assemble.js';
import { checkAud, checkClaimTypes, checkClientIdClaim, checkForbiddenClaims, checkIss, checkProfileClaims, checkReplay, checkTime } from './claims.js';
import { resolveConfig, type Config } from './config.js';
import { checkShape, decrypt } from './decrypt.js';
import { AuthorizationRequestError, refuse, type VerificationStepRecord } from './errors.js';
import { checkClientMetadata, serverMetadata, type RequestObjectServerMetadata } from './metadata.js';
import { VERIFICATION_STEPS, type VerificationStepName } from './pipeline.js';
import { dereference, isParUrn, lookUpClient, readParameters, signedObjectRequired, type Dereferenced, type Parameters } from './resolve.js';
import { jsonIssue, MAX_JSON_DEPTH } from './json.js';
import { typeParameters } from './parameters.js';
import { errorRedirect, registeredRedirectUri } from './redirect.js';
import type {
  AuthorizationRequestInput,
  AuthorizationRequestParameters,
  ClientMetadata,
  RequestObjectVerifierOptions,
  VerifiedAuthorizationRequest,
} from './types.js';
import { checkHeader, checkProfileAlg, clientKeys, readUnsigned, verifySignature } from './verify.js';

/** What the steps learn about one request, filled in as they run. */
interface State {
  readonly cfg: Config;
  readonly input: unknown;
  params?: Parameters;
  clientId?: string;
  client?: ClientMetadata;
  found?: Dereferenced;
  object?: string | undefined;
  encrypted?: boolean;
  encryptionHeader?: Record<string, unknown> | undefined;
  jws?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  alg?: string;
  keys?: CryptoKey[];
  /** The object's parameters once its signature verified: from then on errors go where they say (RFC 9101 §6.3). */
  verifiedParameters?: Readonly<AuthorizationRequestParameters>;
  /** The parameters to act on, typed (step `claim_type`). */
  parameters?: AuthorizationRequestParameters;
}

interface StepRun {
  /** Whether the step concerns this request; one that does not is neither run nor recorded. */
  applies?: (s: State) => boolean;
  run: (s: State) => void | Promise<void>;
}

// Not-null views of what earlier steps established (the table's order guarantees them).
const params = (s: State) => s.params!;
const has = (s: State) => s.object !== undefined;

/**
 * What each step of {@link VERIFICATION_STEPS} runs. The order is the table's: this record only
 * binds names to functions, and the compiler checks that every step has one.
 */
const RUN: { readonly [K in VerificationStepName]: StepRun } = {
  repeated_parameter: {
    run: (s) => {
      s.params = readParameters(s.input);
    },
  },
  client_id: {
    run: (s) => {
      const { clientId } = params(s);
      if (clientId === undefined || clientId === '') {
        throw refuse('invalid_request', 'client_id', 'the client_id parameter is missing (RFC 9101 §5)');
      }
      s.clientId = clientId;
    },
  },
  client: {
    run: (s) => {
      const client = lookUpClient(s.clientId!, s.cfg);
      if (!(client instanceof Promise)) {
        s.client = client;
        return;
      }
      return client.then((found) => {
        s.client = found;
      });
    },
  },
  client_metadata: {
    // Before any member of the registration steers a decision (require_signed_request_object, keys).
    run: (s) => checkClientMetadata(s.client!),
  },
  request_and_request_uri: {
    run: (s) => {
      if (params(s).request !== undefined && params(s).requestUri !== undefined) {
        throw refuse('invalid_request', 'request_and_request_uri', 'request and request_uri must not both be present (RFC 9101 §5)');
      }
    },
  },
  request_not_supported: {
    applies: (s) => params(s).request !== undefined,
    run: (s) => {
      if (!s.cfg.requestSupported) throw refuse('request_not_supported', 'request_not_supported', 'this server does not accept the request parameter');
    },
  },
  request_uri_not_supported: {
    applies: (s) => params(s).requestUri !== undefined,
    run: (s) => {
      const par = isParUrn(params(s).requestUri!);
      if (par ? s.cfg.par === undefined : s.cfg.requestUri === false) {
        throw refuse(
          'request_uri_not_supported',
          'request_uri_not_supported',
          par ? 'this server has no pushed authorization request store' : 'this server does not fetch request_uri values',
        );
      }
    },
  },
  request_uri: {
    applies: (s) => params(s).requestUri !== undefined,
    run: async (s) => {
      s.found = await dereference(params(s).requestUri!, s.clientId!, s.client!, s.cfg);
    },
  },
  signed_request_object_required: {
    run: (s) => {
      s.object = s.found ? s.found.object : params(s).request;
      // RFC 9101 §10.5: stored parameters carry no signature; where one is required they count
      // only when the PAR store vouches that they came from a verified signed request object.
      const vouched = s.found !== undefined && s.found.object === undefined && s.found.pushedFromSignedObject;
      if (s.object === undefined && !vouched && signedObjectRequired(s.cfg, s.client!)) {
        throw refuse('invalid_request', 'signed_request_object_required', 'this request must carry a signed request object (require_signed_request_object)');
      }
    },
  },
  shape: {
    applies: has,
    run: (s) => {
      const shape = checkShape(s.object!, s.cfg);
      s.encrypted = shape.encrypted;
      if (shape.encrypted) {
        s.encryptionHeader = shape.header;
      } else {
        s.jws = s.object!;
        s.header = shape.header;
        s.claims = shape.claims!;
      }
    },
  },
  decrypt: {
    applies: (s) => has(s) && s.encrypted === true,
    run: async (s) => {
      const inner = await decrypt(s.object!, s.encryptionHeader!, s.client!, s.cfg);
      s.jws = inner.jws;
      s.header = inner.header;
      s.claims = inner.claims;
    },
  },
  header: {
    applies: has,
    run: (s) => {
      s.alg = checkHeader(s.header!, s.client!, s.cfg, signedObjectRequired(s.cfg, s.client!));
    },
  },
  profile: {
    applies: (s) => has(s) && s.cfg.fapi,
    run: (s) => {
      checkProfileAlg(s.alg!, s.cfg);
      checkProfileClaims(s.claims!, s.cfg);
    },
  },
  key: {
    applies: (s) => has(s) && s.alg !== 'none',
    run: async (s) => {
      s.keys = await clientKeys(s.jws!, s.header!, s.alg!, s.client!, s.cfg);
    },
  },
  signature: {
    applies: has,
    run: async (s) => {
      // alg none passed step `header` only where unsigned objects are allowed (OIDC Core §6.1).
      const { header, claims } = s.alg === 'none' ? readUnsigned(s.jws!) : await verifySignature(s.jws!, s.alg!, s.keys!, s.claims);
      s.header = header;
      s.claims = claims;
      // RFC 9101 §6.3: once the signature verified, the object's redirect_uri and state are the
      // request's; an unsigned object (allowUnsigned) proves nothing, so the query's stay.
      if (s.alg !== 'none') s.verifiedParameters = assemble(claims, params(s).query, s.cfg.merge);
    },
  },
  client_id_claim: { applies: has, run: (s) => checkClientIdClaim(s.claims!, s.clientId!) },
  iss: { applies: has, run: (s) => checkIss(s.claims!, s.clientId!) },
  aud: { applies: has, run: (s) => checkAud(s.claims!, s.cfg) },
  claim_type: {
    run: (s) => {
      if (has(s)) checkClaimTypes(s.claims!);
      const pushed = pushedParameters(s);
      if (pushed !== undefined) {
        // The same depth and __proto__ rules as a request object's claims, at every level.
        const flaw = jsonIssue(pushed);
        if (flaw === 'depth') throw refuse('invalid_request', 'claim_type', `the pushed parameters are nested deeper than ${MAX_JSON_DEPTH} levels`);
        if (flaw === 'proto') throw refuse('invalid_request', 'claim_type', 'a pushed parameter holds a member named __proto__');
      }
      // The registered parameters with their JSON types (max_age a number, claims an object, …).
      s.parameters = typeParameters(
        has(s)
          ? // the object's parameters, assembled once at step signature (typing only converts max_age, claims, authorization_details)
            ((s.verifiedParameters as Record<string, unknown> | undefined) ?? assemble(s.claims!, params(s).query, s.cfg.merge))
          : pushed !== undefined ? copyParameters(pushed) : queryParameters(params(s).query),
      );
    },
  },
  time: { applies: has, run: (s) => checkTime(s.claims!, s.cfg) },
  replay: {
    applies: (s) => has(s) && s.cfg.replayStore !== undefined,
    run: (s) => checkReplay(s.claims!, s.clientId!, s.cfg, s.found?.source === 'par' ? params(s).requestUri : undefined),
  },
  forbidden_claim: { applies: has, run: (s) => checkForbiddenClaims(s.claims!, s.clientId!) },
  redirect_uri: { run: (s) => checkRedirectUri(s.client!, s.parameters!) },
};

/** The parameters a PAR store held for this request, when it held parameters rather than an object. */
function pushedParameters(s: State): Record<string, unknown> | undefined {
  const found = s.found;
  return found !== undefined && found.object === undefined ? found.pushedParameters : undefined;
}

/** RFC 6749 §3.1.2.3: with registered `redirect_uris`, the request's must be one of them, exactly. */
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

/**
 * A redirectable refusal, with where it goes: the validated client and `redirect_uri`, `state`
 * and `response_mode` (RFC 6749 §4.1.2.1). Until a request object verifies, they come from the query.
 */
function withRedirect(err: AuthorizationRequestError, s: State): AuthorizationRequestError {
  if (!err.redirectable || s.client === undefined || s.clientId === undefined) return err;
  const parameters = s.verifiedParameters ?? (s.params ? (queryParameters(s.params.query) as Readonly<AuthorizationRequestParameters>) : undefined);
  if (parameters === undefined) return err;
  const redirect = errorRedirect(s.clientId, s.client, parameters);
  if (redirect === undefined) return err;
  return new AuthorizationRequestError(err.error, err.check, err.error_description, {
    cause: err.cause,
    status: err.status,
    ...(err.detail === undefined ? {} : { detail: err.detail }),
    redirect,
  });
}

/** Options of {@link RequestObjectVerifier.verify}. */
export interface VerifyOptions {
  /**
   * Return the steps that ran, in order, as `steps` of the result (a refusal always carries them
   * in {@link AuthorizationRequestError.steps}).
   * @default false
   */
  trace?: boolean;
}

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
   * @param options `{ trace: true }` adds the steps that ran to the result.
   * @returns the client, the parameters to act on, and the verified request object.
   * @throws AuthorizationRequestError for every refused request, never anything else.
   *
   * @example
   * ```ts
   * const { clientId, parameters } = await verifier.verify(new URL(req.url).searchParams);
   * ```
   */
  verify(query: AuthorizationRequestInput, options?: VerifyOptions): Promise<VerifiedAuthorizationRequest>;
  verify(query: unknown, options?: VerifyOptions): Promise<VerifiedAuthorizationRequest>;
  async verify(query: unknown, options: VerifyOptions = {}): Promise<VerifiedAuthorizationRequest> {
    const state: State = { cfg: this.#cfg, input: query };
    const steps: VerificationStepRecord[] = [];
    for (const { name } of VERIFICATION_STEPS) {
      const step = RUN[name];
      try {
        if (step.applies && !step.applies(state)) continue;
        // Most steps are synchronous: awaiting only a promise spares them a microtask each.
        const running = step.run(state);
        if (running !== undefined) await running;
      } catch (err) {
        steps.push({ step: name, passed: false });
        // A bug or an unexpected runtime failure: still a typed, non-redirectable answer.
        const refusal = withRedirect(
          err instanceof AuthorizationRequestError
            ? err
            : new AuthorizationRequestError('server_error', 'internal', 'the authorization request could not be verified', { cause: err }),
          state,
        );
        refusal.steps = steps;
        throw refusal;
      }
      steps.push({ step: name, passed: true });
    }
    const result = this.#result(state);
    return options.trace === true ? { ...result, steps } : result;
  }

  #result(s: State): VerifiedAuthorizationRequest {
    const clientId = s.clientId!;
    const client = s.client!;
    const parameters = s.parameters!;
    if (s.object === undefined) return { clientId, client, parameters, requestObject: undefined };
    return {
      clientId,
      client,
      parameters,
      requestObject: {
        source: s.found?.source ?? 'request',
        requestUri: s.params!.requestUri,
        header: s.header!,
        encryptionHeader: s.encryptionHeader,
        claims: s.claims!,
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

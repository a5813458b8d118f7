import { assemble, copyParameters, queryParameters } from './assemble.js';
import { checkAud, checkClaimTypes, checkClientIdClaim, checkForbiddenClaims, checkIss, checkProfileClaims, checkReplay, checkTime } from './claims.js';
import { resolveConfig, type Config } from './config.js';
import { checkShape, decrypt } from './decrypt.js';
import { AuthorizationRequestError, refuse, type VerificationStepRecord } from './errors.js';
import { checkClientMetadata, serverMetadata, type RequestObjectServerMetadata } from './metadata.js';
import { VERIFICATION_STEPS, type VerificationStepName } from './pipeline.js';
import { dereference, isParUrn, lookUpClient, readParameters, signedObjectRequired, type Dereferenced, type Parameters } from './resolve.js';
import type { ClientMetadata, RequestObjectVerifierOptions, VerifiedAuthorizationRequest } from './types.js';
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
    run: async (s) => {
      s.client = await lookUpClient(s.clientId!, s.cfg);
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
      s.keys = await clientKeys(s.jws!, s.alg!, s.client!, s.cfg);
    },
  },
  signature: {
    applies: has,
    run: async (s) => {
      // alg none passed step `header` only where unsigned objects are allowed (OIDC Core §6.1).
      const { header, claims } = s.alg === 'none' ? readUnsigned(s.jws!) : await verifySignature(s.jws!, s.alg!, s.keys!);
      s.header = header;
      s.claims = claims;
    },
  },
  client_id_claim: { applies: has, run: (s) => checkClientIdClaim(s.claims!, s.clientId!) },
  iss: { applies: has, run: (s) => checkIss(s.claims!, s.clientId!) },
  aud: { applies: has, run: (s) => checkAud(s.claims!, s.cfg) },
  claim_type: { applies: has, run: (s) => checkClaimTypes(s.claims!) },
  time: { applies: has, run: (s) => checkTime(s.claims!, s.cfg) },
  replay: {
    applies: (s) => has(s) && s.cfg.replayStore !== undefined,
    run: (s) => checkReplay(s.claims!, s.clientId!, s.cfg, s.found?.source === 'par' ? params(s).requestUri : undefined),
  },
  forbidden_claim: { applies: has, run: (s) => checkForbiddenClaims(s.claims!, s.clientId!) },
};

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
  async verify(
    query: URLSearchParams | Record<string, string | string[] | undefined>,
    options: VerifyOptions = {},
  ): Promise<VerifiedAuthorizationRequest> {
    const state: State = { cfg: this.#cfg, input: query };
    const steps: VerificationStepRecord[] = [];
    for (const { name } of VERIFICATION_STEPS) {
      const step = RUN[name];
      try {
        if (step.applies && !step.applies(state)) continue;
        await step.run(state);
      } catch (err) {
        steps.push({ step: name, passed: false });
        // A bug or an unexpected runtime failure: still a typed, non-redirectable answer.
        const refusal =
          err instanceof AuthorizationRequestError
            ? err
            : new AuthorizationRequestError('server_error', 'internal', 'the authorization request could not be verified', { cause: err });
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
    const { query } = s.params!;
    if (s.object === undefined) {
      const found = s.found;
      const parameters = found !== undefined && found.object === undefined ? copyParameters(found.pushedParameters) : queryParameters(query);
      return { clientId, client, parameters, requestObject: undefined };
    }
    return {
      clientId,
      client,
      parameters: assemble(s.claims!, query, s.cfg.merge),
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

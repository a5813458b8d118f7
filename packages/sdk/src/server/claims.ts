import { withDeadline } from '../lib/deadline.js';
import { MAX_REQUEST_OBJECT_LIFETIME } from '../lib/jwt.js';
import { isPlainObject } from '../lib/validate.js';
import type { Config } from './config.js';
import { AuthorizationRequestError, refuse } from './errors.js';
import { jsonIssue, MAX_JSON_DEPTH } from './json.js';


/** Authorization request parameters whose value is a string (RFC 6749, OIDC Core §3.1.2.1, RFC 7636, RFC 9449). */
const STRING_PARAMS = [
  'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'response_mode', 'display', 'prompt',
  'ui_locales', 'claims_locales', 'id_token_hint', 'login_hint', 'acr_values', 'code_challenge',
  'code_challenge_method', 'dpop_jkt', 'jti', 'iss', 'sub',
];

/** The longest `jti` a replay store is asked to keep, in characters (UUIDs are 36, 256-bit base64url ids 43). */
const MAX_JTI_LENGTH = 256;

const isNumericDate = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** Step `claim_type` (RFC 9101 §4, OIDC Core §3.1.2.1): nesting, `__proto__`, and the JSON types of the parameters. */
export function checkClaimTypes(claims: Record<string, unknown>): void {
  // Before anything serializes the claims: deep JSON breaks recursive code (JSON.stringify) later,
  // and a __proto__ member cannot be copied as data by Object.assign or a deep merge.
  const problem = jsonIssue(claims);
  if (problem === 'depth') throw refuse('invalid_request_object', 'claim_type', `the request object claims are nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (problem === 'proto') throw refuse('invalid_request_object', 'claim_type', 'the request object has a claim named __proto__');
  for (const name of STRING_PARAMS) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') {
      throw refuse('invalid_request_object', 'claim_type', `the ${name} claim must be a string`);
    }
  }
  if (claims.max_age !== undefined && !(Number.isSafeInteger(claims.max_age) && (claims.max_age as number) >= 0)) {
    throw refuse('invalid_request_object', 'claim_type', 'the max_age claim must be a non-negative integer');
  }
  if (claims.claims !== undefined && !isPlainObject(claims.claims)) {
    throw refuse('invalid_request_object', 'claim_type', 'the claims claim must be a JSON object (OIDC Core §5.5)');
  }
  if (claims.authorization_details !== undefined && !(Array.isArray(claims.authorization_details) && claims.authorization_details.every(isPlainObject))) {
    throw refuse('invalid_request_object', 'claim_type', 'authorization_details must be an array of objects (RFC 9396 §2)');
  }
  const resource = claims.resource;
  if (resource !== undefined && typeof resource !== 'string' && !(Array.isArray(resource) && resource.every((r) => typeof r === 'string'))) {
    throw refuse('invalid_request_object', 'claim_type', 'resource must be a string or an array of strings (RFC 8707)');
  }
}

/** Step `client_id_claim`, RFC 9101 §6.3: the client_id inside MUST be identical to the query's. */
export function checkClientIdClaim(claims: Record<string, unknown>, clientId: string): void {
  if (claims.client_id === undefined) throw refuse('invalid_request_object', 'client_id_claim', 'the request object has no client_id claim');
  if (claims.client_id !== clientId) {
    throw refuse('invalid_request_object', 'client_id_claim', 'the request object\'s client_id differs from the client_id parameter (RFC 9101 §6.3)');
  }
}

/** Step `iss` (RFC 9101 §4 SHOULD; required here as by oidc-provider and FAPI). */
export function checkIss(claims: Record<string, unknown>, clientId: string): void {
  if (claims.iss !== clientId) {
    throw refuse('invalid_request_object', 'iss', claims.iss === undefined ? 'the request object has no iss claim' : 'the request object\'s iss is not the client_id');
  }
}

/** Step `aud` (RFC 9101 §4, RFC 8414 §3.3): this server's issuer, exactly, or an array holding it. */
export function checkAud(claims: Record<string, unknown>, cfg: Config): void {
  const aud = claims.aud;
  const audOk =
    typeof aud === 'string' ? aud === cfg.issuer : Array.isArray(aud) && aud.every((a) => typeof a === 'string') && aud.includes(cfg.issuer);
  if (!audOk) {
    // The issuer is the server's own value; the claim's content is never echoed.
    throw refuse('invalid_request_object', 'aud', aud === undefined ? `the request object has no aud claim; expected ${cfg.issuer}` : `the request object's aud is not this server's issuer ${cfg.issuer}`);
  }
}

/**
 * Step `time` (RFC 7519 §4.1.4-6), the one place the time claims are judged: NumericDates, `exp`
 * with `clockTolerance`, `nbf` and `iat` with the future leeway, and the `exp` horizon.
 */
export function checkTime(claims: Record<string, unknown>, cfg: Config): void {
  const now = Math.floor(cfg.now() / 1000);
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    if (claims[name] !== undefined && !isNumericDate(claims[name])) {
      throw refuse('invalid_request_object', 'time', `the ${name} claim must be a NumericDate (a number)`);
    }
  }
  const exp = claims.exp as number | undefined;
  const nbf = claims.nbf as number | undefined;
  const iat = claims.iat as number | undefined;
  // Without exp an object could be replayed for ever, and a replay store could never forget its
  // jti. FAPI 1.0 Advanced §5.2.2-13 and FAPI 2.0 Message Signing require exp; the builder sets it.
  // (Under fapi2 the earlier profile step refuses it, naming the profile.)
  if (exp === undefined) throw refuse('invalid_request_object', 'time', 'the request object has no exp claim');
  if (exp !== undefined && exp <= now - cfg.clockTolerance) throw refuse('invalid_request_object', 'time', 'the request object has expired');
  // Under fapi2 futureTolerance is clockTolerance clamped to 10–60 s (FAPI 2.0 Security Profile §5.3.2.1 item 13).
  if (nbf !== undefined && nbf > now + cfg.futureTolerance) throw refuse('invalid_request_object', 'time', 'the request object is not valid yet (nbf)');
  if (iat !== undefined && iat > now + cfg.futureTolerance) throw refuse('invalid_request_object', 'time', 'the request object was issued in the future (iat)');
  // The exp horizon: request objects are short-lived (RFC 9101 §5.2; FAPI: 60 minutes), and a
  // replay store keeps each jti until exp, so a far-future exp would pin it there for good.
  if (exp !== undefined && exp > now + cfg.maxExpiresIn + cfg.clockTolerance) {
    throw refuse('invalid_request_object', 'time', `the request object's exp lies more than ${cfg.maxExpiresIn} seconds ahead (maxExpiresIn)`);
  }
}

/**
 * Step `profile`, the claims (FAPI 2.0 Message Signing; FAPI 1.0 Advanced §5.2.2-13): `exp` and
 * `nbf` present, `exp - nbf` at most {@link MAX_REQUEST_OBJECT_LIFETIME}, `nbf` at most that old,
 * `redirect_uri` present. Run before the signature is verified: it can only refuse.
 */
export function checkProfileClaims(claims: Record<string, unknown>, cfg: Config): void {
  const now = Math.floor(cfg.now() / 1000);
  const { exp, nbf } = claims;
  if (!isNumericDate(exp) || !isNumericDate(nbf)) throw refuse('invalid_request_object', 'profile', 'FAPI 2.0 request objects need exp and nbf');
  if ((exp as number) - (nbf as number) > MAX_REQUEST_OBJECT_LIFETIME) {
    throw refuse('invalid_request_object', 'profile', 'FAPI 2.0 request objects live at most 60 minutes (exp - nbf)');
  }
  if ((nbf as number) < now - MAX_REQUEST_OBJECT_LIFETIME) {
    throw refuse('invalid_request_object', 'profile', 'FAPI 2.0 request objects must not have an nbf more than 60 minutes in the past');
  }
  if (typeof claims.redirect_uri !== 'string') throw refuse('invalid_request_object', 'profile', 'FAPI 2.0 request objects need a redirect_uri');
}

/**
 * Step `replay` (RFC 9101 §10.3), with a replay store: the `jti`, keyed by client, kept until
 * `exp`; for a pushed object, the one use of its `request_uri` (RFC 9126 §4).
 */
export async function checkReplay(
  claims: Record<string, unknown>,
  clientId: string,
  cfg: Config,
  /** The PAR `request_uri` the object was pushed under, when it came from the PAR store. */
  parRequestUri: string | undefined,
): Promise<void> {
  if (!cfg.replayStore) return;
  if (typeof claims.jti !== 'string' || claims.jti === '') {
    throw refuse('invalid_request_object', 'replay', 'the request object needs a jti: this server accepts each request object once');
  }
  // A bound on what one request object can make the store hold.
  if (claims.jti.length > MAX_JTI_LENGTH) {
    throw refuse('invalid_request_object', 'replay', `the request object's jti is longer than ${MAX_JTI_LENGTH} characters`);
  }
  const exp = claims.exp;
  if (typeof exp !== 'number') throw refuse('invalid_request_object', 'replay', 'the request object needs an exp: this server accepts each request object once');
  const store = cfg.replayStore;
  const consume = (key: string) => withDeadline(() => store.consume(key, exp + cfg.clockTolerance), cfg.storeTimeout, 'the replay store');
  let first: boolean;
  try {
    first = await consume(JSON.stringify([clientId, claims.jti]));
    if (parRequestUri !== undefined) {
      // Pushed (RFC 9126): the PAR endpoint verified this object and recorded its jti, so seeing
      // the jti again here is the object's own use, not a replay; a replay by value stays refused.
      // What must happen once is the use of the request_uri (RFC 9126 §4): the PAR store ensures
      // it, and recording it here too refuses a second use even from a store that forgot to.
      first = await consume(JSON.stringify([clientId, 'par', parRequestUri]));
    }
  } catch (cause) {
    // Fail closed: a store that is full, failing or too slow never lets an object through.
    throw new AuthorizationRequestError('temporarily_unavailable', 'internal', 'the replay store is unavailable', { cause });
  }
  if (!first) {
    throw refuse('invalid_request_object', 'replay', parRequestUri === undefined ? 'this request object (jti) was used before' : 'this pushed request_uri was used before (RFC 9126 §4)');
  }
}

/** Step `forbidden_claim`: RFC 9101 §10.7 and §10.8. */
export function checkForbiddenClaims(claims: Record<string, unknown>, clientId: string): void {
  if ('request' in claims || 'request_uri' in claims) {
    throw refuse('invalid_request_object', 'forbidden_claim', 'a request object must not contain request or request_uri (RFC 9101 §10.7)');
  }
  if (claims.sub === clientId) {
    throw refuse('invalid_request_object', 'forbidden_claim', 'a request object must not have sub equal to client_id: it could pass as a client assertion (RFC 9101 §10.8)');
  }
}

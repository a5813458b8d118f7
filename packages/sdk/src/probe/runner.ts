import { discoverAuthorizationServer, type AuthorizationServerMetadata } from '../client/discovery.js';
import { encryptionKeys } from '../crypto/algorithms.js';
import type { JWK } from '../crypto/types.js';
import { OAuthJarError } from '../errors.js';
import { jsonObject, request } from '../http/client.js';
import { absoluteUrl, assertNonEmptyString, invalid, isPlainObject } from '../lib/validate.js';
import { BASELINES, HOSTILE, type Outcome, type ProbeCase } from './cases.js';
import { ProbeContext, type Encryption } from './context.js';
import type { ProbeOptions, ProbeReport, ProbeResult, ProbeVerdict } from './types.js';

const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_MAX_REQUESTS = 200;
const DEFAULT_DEADLINE = 300_000;
const FAPI2_ALGS = ['PS256', 'ES256', 'EdDSA', 'Ed25519'];
// Preference order for the baselines' nested JWT; RSA1_5 is never one (RFC 8725 §3.2).
const KM_PREFERENCE = ['RSA-OAEP-256', 'ECDH-ES+A256KW', 'ECDH-ES+A128KW', 'ECDH-ES', 'RSA-OAEP', 'RSA-OAEP-384', 'RSA-OAEP-512'];
const ENC_PREFERENCE = ['A256GCM', 'A128GCM', 'A128CBC-HS256', 'A256CBC-HS512', 'A192GCM', 'A192CBC-HS384'];

/**
 * Runs the probe: discovers the server, sends the baselines, then every hostile case, one request
 * at a time, and returns the report. Throws an {@link OAuthJarError} only when it cannot start
 * (bad options, no usable metadata, an endpoint on a host that is not allowed).
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  checkOptions(options);
  const started = Date.now();
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const deadline = started + (options.deadline ?? DEFAULT_DEADLINE);

  // Every request goes through this fetch: it counts them and refuses any origin but the server's,
  // so a metadata document cannot point the probe at a third party.
  const allowed = new Set([new URL(options.issuer).origin, ...(options.allowedOrigins ?? []).map((o) => new URL(o).origin)]);
  const base = options.fetch ?? globalThis.fetch;
  let requests = 0;
  const guarded: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!allowed.has(url.origin)) return Promise.reject(new OAuthJarError('ERR_INVALID_URL', `the probe sends nothing to ${url.origin}: not the server's origin`));
    if (requests >= maxRequests) return Promise.reject(new OAuthJarError('ERR_INVALID_ARGUMENT', `the probe's budget of ${maxRequests} requests is spent`));
    requests++;
    return base(input, { ...init, redirect: 'manual' });
  };

  const metadata = await discoverAuthorizationServer(options.issuer, { cache: false, timeout, fetch: guarded });
  if (metadata.authorization_endpoint === undefined) throw new OAuthJarError('ERR_DISCOVERY', `${options.issuer} lists no authorization_endpoint`);
  for (const name of ['authorization_endpoint', 'pushed_authorization_request_endpoint', 'jwks_uri'] as const) {
    const value = metadata[name];
    if (value !== undefined && !allowed.has(new URL(value).origin)) {
      throw new OAuthJarError('ERR_INVALID_URL', `the server's ${name} is on ${new URL(value).origin}, not the issuer's origin: allow it with allowedOrigins`);
    }
  }

  const notes: string[] = [];
  const alg = signingAlg(options, metadata);
  notes.push(`request objects signed with ${alg}${options.key.kid ? ` (kid "${options.key.kid}")` : ''}`);
  const { encryption, keys } = await encryptionFor(metadata, timeout, guarded, notes);
  const hasPar = metadata.pushed_authorization_request_endpoint !== undefined;
  const delivery =
    hasPar && (metadata.require_pushed_authorization_requests === true || options.profile === 'fapi2' || metadata.request_parameter_supported === false)
      ? 'par'
      : 'value';
  notes.push(delivery === 'par' ? 'hostile cases are pushed to the PAR endpoint (RFC 9126)' : 'hostile cases are sent by value (RFC 9101 §5.1)');
  const canary = options.canary === false ? undefined : options.canary;
  if (canary) notes.push(`canary listener at ${canary.url}`);

  const ctx = new ProbeContext({ options, metadata, alg, encryption, encryptionKeys: keys, canary, delivery, fetch: guarded });
  const results: ProbeResult[] = [];
  const cases = [...BASELINES, ...HOSTILE].filter((c) => c.profile === undefined || c.profile === options.profile);
  for (const c of cases) {
    if (Date.now() > deadline) {
      results.push(result(c, 'skip', 'not run: the probe\'s deadline passed'));
      continue;
    }
    if (requests >= maxRequests) {
      results.push(result(c, 'skip', `not run: the budget of ${maxRequests} requests is spent`));
      continue;
    }
    const why = c.skip?.(ctx);
    if (why !== undefined) {
      results.push(result(c, 'skip', `not applicable: ${why}`));
      continue;
    }
    let outcome: Outcome;
    try {
      outcome = await c.run(ctx);
    } catch (err) {
      outcome = { answer: 'error', detail: `the probe could not build this case: ${(err as Error).message}` };
    }
    results.push(judge(c, outcome));
  }

  const baselines = results.filter((r) => r.kind === 'baseline' && r.verdict !== 'skip');
  const baselinesAccepted = baselines.length > 0 && baselines.every((r) => r.verdict === 'pass');
  if (baselines.length === 0) notes.push('no baseline applies: the refusals below show nothing');
  else if (!baselinesAccepted) notes.push('a baseline was refused: the hostile results are not meaningful until the client registration is fixed');
  const count = (v: ProbeVerdict) => results.filter((r) => r.verdict === v).length;
  return {
    issuer: options.issuer,
    client_id: options.clientId,
    profile: options.profile,
    delivery,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    requests,
    baselinesAccepted,
    results,
    summary: { passed: count('pass'), warnings: count('warn'), failures: count('fail'), skipped: count('skip') },
    notes,
  };
}

function expected(c: ProbeCase): string {
  if (c.kind === 'baseline') return 'accepted';
  return c.errors ? `refused (${c.errors[0]})` : 'refused, or the object\'s parameters used';
}

function result(c: ProbeCase, verdict: ProbeVerdict, observed: string, extra: { status?: number; error?: string } = {}): ProbeResult {
  return { id: c.id, title: c.title, kind: c.kind, source: c.source, expected: expected(c), observed, verdict, ...extra };
}

/** An accepted hostile case is a failure; a refusal with another error code a warning (RFC 9101 §6.1, §7). */
function judge(c: ProbeCase, o: Outcome): ProbeResult {
  const extra = { ...(o.status !== undefined ? { status: o.status } : {}), ...(o.error !== undefined ? { error: o.error } : {}) };
  const observed = `${o.answer}: ${o.detail}`;
  if (o.fetched && o.fetched.length > 0) return result(c, 'fail', `${observed}; fetched ${o.fetched.join(', ')} from the canary`, extra);
  if (o.verdict) return result(c, o.verdict, o.verdict === 'skip' ? `not decided: ${o.detail}` : observed, extra);
  if (c.kind === 'baseline') return result(c, o.answer === 'accepted' ? 'pass' : 'fail', observed, extra);
  if (o.answer === 'accepted') return result(c, 'fail', observed, extra);
  if (o.answer === 'error') return result(c, 'warn', observed, extra);
  const fits = c.errors === undefined || (o.error !== undefined && c.errors.includes(o.error));
  return result(c, fits ? 'pass' : 'warn', fits ? observed : `${observed} (another error code)`, extra);
}

function checkOptions(options: ProbeOptions): void {
  if (!isPlainObject(options)) throw invalid('probe options must be an object');
  assertNonEmptyString(options.issuer, 'issuer');
  assertNonEmptyString(options.clientId, 'clientId');
  absoluteUrl(options.redirectUri, 'redirectUri', { fragment: false });
  if (!isPlainObject(options.key) || typeof options.key.kty !== 'string') throw invalid('key must be a private JWK');
  if (options.key.kty === 'oct' || typeof options.key.d !== 'string') throw invalid('key must be the client\'s private asymmetric JWK (with "d")');
  if (options.profile !== undefined && options.profile !== 'fapi2') throw invalid(`unknown profile "${String(options.profile)}": the only profile is fapi2`);
  for (const [name, value] of [['timeout', options.timeout], ['maxRequests', options.maxRequests], ['deadline', options.deadline]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) throw invalid(`${name} must be a positive number`);
  }
  if (options.clientAuth !== undefined && options.clientAuth !== 'none' && options.clientAuth !== 'private_key_jwt') {
    throw invalid('clientAuth must be "private_key_jwt" or "none"');
  }
  for (const o of options.allowedOrigins ?? []) absoluteUrl(o, 'allowedOrigins entry', { schemes: ['https:', 'http:'] });
}

/** The key's own `alg`, or the one its type implies, checked against the server's list (and FAPI 2.0). */
function signingAlg(options: ProbeOptions, as: AuthorizationServerMetadata): string {
  const key = options.key;
  const listed = as.request_object_signing_alg_values_supported;
  const prefer = (...algs: string[]) => algs.find((a) => listed === undefined || listed.includes(a)) ?? algs[0]!;
  let alg: string;
  if (typeof key.alg === 'string') alg = key.alg;
  else if (key.kty === 'RSA') alg = prefer('PS256', 'RS256');
  else if (key.kty === 'EC') alg = ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[String(key.crv)] ?? 'ES256';
  else if (key.kty === 'OKP') alg = prefer('EdDSA', 'Ed25519');
  else throw invalid(`key of kty "${key.kty}" cannot sign a request object`);
  if (listed !== undefined && !listed.includes(alg)) {
    throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `the server lists request object signing algorithms ${listed.join(', ')}, not the key's ${alg}`);
  }
  if (options.profile === 'fapi2' && !FAPI2_ALGS.includes(alg)) {
    throw new OAuthJarError('ERR_UNSUPPORTED_ALG', `FAPI 2.0 allows PS256, ES256 and EdDSA; the key is for ${alg}`);
  }
  return alg;
}

/** The server's encryption keys and, when it lists encryption algorithms, the pair the baselines use. */
async function encryptionFor(
  as: AuthorizationServerMetadata,
  timeout: number,
  fetch: typeof globalThis.fetch,
  notes: string[],
): Promise<{ encryption: Encryption | undefined; keys: JWK[] }> {
  const algs = as.request_object_encryption_alg_values_supported ?? [];
  if (algs.length === 0 || as.jwks_uri === undefined) {
    notes.push('the server lists no request object encryption: the nested cases are skipped');
    return { encryption: undefined, keys: [] };
  }
  const what = `the server's jwks_uri ${as.jwks_uri}`;
  const res = await request({ method: 'GET', url: new URL(as.jwks_uri), headers: { accept: 'application/json' }, options: { timeout, fetch }, errorCode: 'ERR_DISCOVERY', what });
  if (res.status !== 200) throw new OAuthJarError('ERR_DISCOVERY', `${what} answered HTTP ${res.status}`);
  const body = jsonObject(res, what);
  const all = (Array.isArray(body.keys) ? body.keys.filter(isPlainObject) : []) as JWK[];
  const keys = all.filter((k) => (k.use === undefined || k.use === 'enc') && k.d === undefined && k.kty !== 'oct');
  const encs = as.request_object_encryption_enc_values_supported ?? ['A128CBC-HS256'];
  const enc = ENC_PREFERENCE.find((e) => encs.includes(e));
  for (const alg of KM_PREFERENCE) {
    if (!algs.includes(alg) || enc === undefined) continue;
    // The key a client would pick: one that names this alg and use "enc" first.
    const fit = encryptionKeys(keys, alg, undefined, 'public');
    const key = fit.find((k) => k.alg === alg && k.use === 'enc') ?? fit.find((k) => k.alg === alg) ?? fit[0];
    if (key) {
      notes.push(`nested request objects encrypted with ${alg} / ${enc}${key.kid ? ` to kid "${key.kid}"` : ''}`);
      return { encryption: { key, alg, enc }, keys };
    }
  }
  notes.push('no listed request object encryption algorithm fits the server\'s published keys: the nested cases are skipped');
  return { encryption: undefined, keys };
}

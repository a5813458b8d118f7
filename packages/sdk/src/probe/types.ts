import type { JWK } from '../crypto/types.js';

/**
 * How a case came out: `pass`, `warn` (refused with another error code), `fail` (a hostile case
 * accepted, a baseline refused), or `skip` (not applicable, or not decidable).
 *
 * @example
 * ```ts
 * const failed = report.results.filter((r) => r.verdict === 'fail').map((r) => r.id);
 * ```
 */
export type ProbeVerdict = 'pass' | 'warn' | 'fail' | 'skip';

/**
 * One case of a {@link ProbeReport}.
 *
 * @example
 * ```ts
 * const typ = report.results.find((r) => r.id === 'typ-dpop');
 * // { id: 'typ-dpop', kind: 'hostile', source: 'RFC 9101 §10.8, RFC 8725 §3.11',
 * //   expected: 'refused (invalid_request_object)', observed: 'accepted: 303 to /interaction/…', verdict: 'fail' }
 * ```
 */
export interface ProbeResult {
  /** A stable identifier, e.g. `alg-none` or `aud-par-endpoint`. */
  id: string;
  /** What the case sends, in words. */
  title: string;
  /** `baseline`: must be accepted; `hostile`: must be refused. */
  kind: 'baseline' | 'hostile';
  /** The specification section the expected answer comes from, e.g. `RFC 9101 §6.1`. */
  source: string;
  /** The expected answer, e.g. `refused (invalid_request_object)`. */
  expected: string;
  /** The observed answer, e.g. `refused: 400 invalid_request_object`, or why the case was skipped. */
  observed: string;
  verdict: ProbeVerdict;
  /** The HTTP status of the deciding answer, when there was one. */
  status?: number;
  /** The OAuth `error` code the server answered with, when it refused. */
  error?: string;
}

/**
 * What {@link probeAuthorizationServer} returns: one result per case, a summary and notes.
 *
 * @example
 * ```ts
 * const report = await probeAuthorizationServer(options);
 * if (!report.baselinesAccepted) console.error('fix the test client registration first');
 * process.exitCode = report.summary.failures > 0 ? 1 : 0;
 * ```
 */
export interface ProbeReport {
  /** The authorization server's issuer identifier. */
  issuer: string;
  client_id: string;
  profile: 'fapi2' | undefined;
  /** How hostile cases were delivered: by value in the authorization URL, or pushed (RFC 9126). */
  delivery: 'value' | 'par';
  startedAt: string;
  durationMs: number;
  /** HTTP requests the probe sent to the authorization server. */
  requests: number;
  /** True when every applicable baseline was accepted: only then do the refusals mean something. */
  baselinesAccepted: boolean;
  results: ProbeResult[];
  summary: { passed: number; warnings: number; failures: number; skipped: number };
  /** Facts about the run: the algorithms chosen, why something could not be tested. */
  notes: string[];
}

/**
 * A listener the probe runs itself and that the authorization server can reach: it serves request
 * objects by reference and key sets for `jku`, and records every request it receives, so a case can
 * tell whether the server fetched a URL it must not fetch. The Node entry starts one; pass your own
 * to put it behind a tunnel or a reverse proxy.
 *
 * @example
 * ```ts
 * // Where the server is not on this machine: a canary it can reach, e.g. through a tunnel.
 * await probeAuthorizationServer({ ...options, canary: { port: 8788, url: 'https://probe-canary.example.net' } });
 * ```
 */
export interface ProbeCanary {
  /** Its base URL as the authorization server reaches it, without a trailing slash. */
  readonly url: string;
  /** Serves `body` at `path` (starting with `/`). */
  serve(path: string, body: string, contentType: string): void;
  /** How many requests arrived for `path` so far. */
  hits(path: string): number;
  close(): Promise<void>;
}

/**
 * Options of {@link probeAuthorizationServer}.
 *
 * @example
 * ```ts
 * const options: ProbeOptions = {
 *   issuer: 'https://as.example.com',
 *   clientId: 'probe-client',
 *   key: probeClientPrivateJwk, // registered at the server as the client's jwks
 *   redirectUri: 'https://rp.example/cb',
 *   profile: 'fapi2',
 * };
 * ```
 */
export interface ProbeOptions {
  /** The authorization server's issuer identifier; its metadata is discovered (RFC 8414, OIDC Discovery). */
  issuer: string;
  /** The test client's `client_id`, registered at the server with `key`'s public half and `redirectUri`. */
  clientId: string;
  /** The test client's private signing key, as a JWK (its `kid` is sent in the header). */
  key: JWK;
  /** A `redirect_uri` registered for the client. The probe never follows a redirect to it. */
  redirectUri: string;
  /**
   * `fapi2` adds the FAPI 2.0 Message Signing rules (PS256/ES256/EdDSA, `exp - nbf` at most 60 minutes,
   * `nbf` and `redirect_uri` required) and pushes every request when the server has a PAR endpoint.
   */
  profile?: 'fapi2';
  /** @default "openid" */
  scope?: string;
  /**
   * How the client authenticates at the PAR endpoint: `private_key_jwt` with `key`, or `none` (a public client).
   * @default "private_key_jwt"
   */
  clientAuth?: 'private_key_jwt' | 'none';
  /**
   * The canary listener, or `false` for none. Without it the by-reference cases and `jku` are skipped.
   * The Node entry starts one on 127.0.0.1 when the server is on loopback.
   */
  canary?: ProbeCanary | false;
  /**
   * Origins besides the issuer's that the probe may send requests to (e.g. an authorization endpoint on
   * another host). Any other URL in the metadata stops the probe before it sends anything there.
   * @default []
   */
  allowedOrigins?: readonly string[];
  /**
   * Milliseconds for each request.
   * @default 10000
   */
  timeout?: number;
  /**
   * The most HTTP requests the probe sends to the server; the remaining cases are skipped.
   * @default 200
   */
  maxRequests?: number;
  /**
   * Milliseconds for the whole run; cases not started by then are skipped.
   * @default 300000
   */
  deadline?: number;
  /**
   * Builds a JWE with the RSA1_5 key management algorithm (which jose no longer offers) for the
   * downgrade case; the Node entry supplies one. Without it that case is skipped.
   */
  rsa1_5?: (plaintext: string, key: JWK, enc: 'A128CBC-HS256' | 'A256GCM') => Promise<string>;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

/**
 * `oauth-jar/probe`: tests how an authorization server handles request objects (RFC 9101). It
 * sends baselines that must be accepted, then hostile request objects that must be refused
 * (`alg: none`, unsigned JSON inside a JWE, RSA1_5, injected keys, wrong `aud`, expired, replayed,
 * a `typ` of another JWT, …) and reports each answer against the rule's spec section.
 *
 * Node-only: the canary listener that tells whether the server fetches what it must not is a
 * `node:http` server. The `oauth-jar probe` command is this function with a table, JSON or JUnit.
 *
 * @module
 */
import { startCanary, type CanaryOptions } from './node/canary.js';
import { rsa1_5Jwe } from './node/jwe-rsa1_5.js';
import { runProbe } from './probe/runner.js';
import type { ProbeCanary, ProbeOptions, ProbeReport } from './probe/types.js';

export { formatProbeReport, probeReportToJUnit } from './probe/report.js';
export type { ProbeCanary, ProbeOptions, ProbeReport, ProbeResult, ProbeVerdict } from './probe/types.js';
export type { CanaryOptions } from './node/canary.js';

/**
 * {@link ProbeOptions}, where `canary` may also say where to start one.
 *
 * @example
 * ```ts
 * const options: ProbeAuthorizationServerOptions = { issuer, clientId: 'probe-client', key, redirectUri, canary: false };
 * ```
 */
export type ProbeAuthorizationServerOptions = Omit<ProbeOptions, 'canary'> & {
  /**
   * The canary listener: `false` for none, a running {@link ProbeCanary}, or where to start one.
   * By default one is started on 127.0.0.1 when the issuer is on loopback (the server can reach
   * it), and none otherwise: the probe never names a third-party address in a request.
   */
  canary?: ProbeCanary | CanaryOptions | false;
};

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Probes an authorization server's handling of request objects and returns the report.
 *
 * The server's metadata is discovered from `issuer`; the test client must be registered there
 * with the public half of `key`, `redirectUri` and, for the by-reference cases, the request_uri
 * prefix `<canary>/registered/`. Requests are sequential and bounded (`maxRequests`, `timeout`,
 * `deadline`); no redirect is ever followed and nothing is sent to any host other than the
 * server's origin (plus `allowedOrigins`). A case is `fail` when a hostile request object is
 * accepted or a baseline refused, `warn` when a refusal carries an unexpected error code.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { formatProbeReport, probeAuthorizationServer } from 'oauth-jar/probe';
 *
 * const report = await probeAuthorizationServer({
 *   issuer: 'https://as.example.com',
 *   clientId: 'probe-client',
 *   key: JSON.parse(await readFile('probe-client.private.jwk.json', 'utf8')),
 *   redirectUri: 'https://rp.example/cb',
 * });
 * console.log(formatProbeReport(report));
 * if (report.summary.failures > 0) process.exitCode = 1;
 * ```
 *
 * @see [RFC 9101 §6](https://www.rfc-editor.org/rfc/rfc9101#section-6) Validating JWT-Based Requests
 */
export async function probeAuthorizationServer(options: ProbeAuthorizationServerOptions): Promise<ProbeReport> {
  const given = options?.canary;
  let started: ProbeCanary | undefined;
  let canary: ProbeCanary | false;
  if (given === false) canary = false;
  else if (given !== undefined && typeof (given as ProbeCanary).serve === 'function') canary = given as ProbeCanary;
  else {
    const where = (given ?? {}) as CanaryOptions;
    let loopback = false;
    try {
      loopback = LOOPBACK.test(new URL(options.issuer).hostname);
    } catch {
      // runProbe reports the bad issuer
    }
    canary = loopback || where.url !== undefined ? (started = await startCanary(where)) : false;
  }
  try {
    return await runProbe({ rsa1_5: rsa1_5Jwe, ...options, canary });
  } finally {
    await started?.close();
  }
}

/**
 * `oauth-jar inspect`: decodes an authorization request (or a bare request object), decrypts it
 * with `--key`, and with `--jwks` and `--issuer` verifies it through the package's own
 * {@link RequestObjectVerifier}, printing the steps the verifier ran, in its order: every one it
 * passed, and the one that refused the request.
 *
 * Node-only (the package's `bin`, not an export). Exit codes: 0 decoded / verified, 1 failed,
 * 2 usage.
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CONTENT_ENCRYPTION_ALGS, KEY_MANAGEMENT_ALGS } from './crypto/algorithms.js';
import { decryptCompact } from './crypto/decrypt.js';
import { decodeAuthorizationRequest, type JWK, type JSONWebKeySet } from './index.js';
import { guardedFetch } from './node.js';
import { isCompactJws, isCompactJwt } from './lib/jwt.js';
import { formatProbeReport, probeAuthorizationServer, probeReportToJUnit, type ProbeAuthorizationServerOptions } from './probe.js';
import { AuthorizationRequestError, RequestObjectVerifier, type ClientMetadata, type VerificationStepName, type VerificationStepRecord } from './server.js';

const HELP = `Usage: oauth-jar inspect <authorize-url | request-object | -> [options]
       oauth-jar probe --issuer <iss> … (oauth-jar probe --help)

Decodes an authorization request that carries a request object (RFC 9101) and prints
its protected header(s) and claims. "-" reads the input from stdin. Nothing is trusted
unless --jwks and --issuer are given: then the request is verified by oauth-jar/server's
RequestObjectVerifier and the steps it ran are listed in its order, passed (✓)
or failed (✗).

Options:
  --key <jwk-file>         the authorization server's private key (a JWK or a JWK set)
                           to decrypt an encrypted (nested) request object
  --jwks <file|url>        the client's public keys (a JWK set or a JWK; a URL is used
                           as the client's jwks_uri)           → verifies
  --issuer <iss>           the server's issuer identifier, the expected "aud" → verifies
  --client-secret <secret> the client's secret, for HS256/384/512 request objects
  --client-id <id>         the client_id, when the input is a bare encrypted object
  --now <time>             verify as of this time (ISO 8601, or epoch seconds), e.g. to
                           check a logged request object that has since expired
  --profile fapi2          also apply the FAPI 2.0 message-signing rules (PS256/ES256/EdDSA,
                           exp and nbf required, at most 60 minutes, redirect_uri)
  --json                   print one JSON document instead of text
  -h, --help               show this help

Exit codes: 0 decoded (or verified, when verifying), 1 decoding or verification
failed, 2 usage error (bad option, unreadable key file).

Examples:
  oauth-jar inspect 'https://as.example.com/authorize?client_id=123&request=eyJ…'
  oauth-jar inspect eyJhbGciOi… --key as-private.jwk.json
  oauth-jar inspect "$URL" --jwks client.jwks.json --issuer https://as.example.com
  oauth-jar inspect "$URL" --jwks https://client.example.com/jwks --issuer https://as.example.com
`;

class UsageError extends Error {}

/** One step the verifier ran, as printed: its name, whether it passed, and why in words. */
interface CheckLine {
  check: VerificationStepName;
  passed: boolean;
  detail: string;
}

interface Decoded {
  clientId: string | undefined;
  requestUri: string | undefined;
  encryptionHeader: Record<string, unknown> | undefined;
  header: Record<string, unknown> | undefined;
  claims: Record<string, unknown> | undefined;
  notes: string[];
}

async function readInput(arg: string): Promise<string> {
  if (arg !== '-') return arg.trim();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function readJson(source: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read the ${what} file "${source}": ${(cause as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`the ${what} file "${source}" is not JSON`);
  }
}

/** A JWK set from a file holding a JWK set or a single JWK. */
async function readKeySet(source: string, what: string): Promise<JSONWebKeySet> {
  const json = (await readJson(source, what)) as { keys?: unknown; kty?: unknown } | null;
  if (json && Array.isArray(json.keys)) return json as JSONWebKeySet;
  if (json && typeof json.kty === 'string') return { keys: [json as JWK] };
  throw new UsageError(`the ${what} file "${source}" holds neither a JWK nor a JWK set ({ "keys": [...] })`);
}

/** Decodes the input; with `keys`, decrypts a JWE for display (the verifier decrypts on its own). */
async function decode(input: string, keys: JSONWebKeySet | undefined): Promise<Decoded> {
  const outer = decodeAuthorizationRequest(input);
  const result: Decoded = {
    clientId: outer.clientId,
    requestUri: outer.requestUri,
    encryptionHeader: undefined,
    header: outer.header,
    claims: outer.claims,
    notes: [],
  };
  if (outer.request === undefined) {
    result.notes.push(
      outer.requestUri === undefined
        ? 'no request object: this is a plain authorization request'
        : outer.requestUri.startsWith('urn:ietf:params:oauth:request_uri:')
          ? 'pushed (PAR, RFC 9126): only the authorization server that issued this request_uri holds the request object'
          : 'by reference: the request object is fetched only when verifying (--jwks, --issuer)',
    );
    return result;
  }
  if (!outer.encrypted) return result;
  result.encryptionHeader = outer.header;
  result.header = undefined;
  if (keys === undefined) {
    result.notes.push('encrypted: pass --key <jwk-file> (the server\'s private key) to decrypt');
    return result;
  }
  const { alg, kid } = outer.header as { alg?: unknown; kid?: unknown };
  const plaintext = (
    await decryptCompact(outer.request, keys as { keys: JWK[] }, { alg: String(alg), kid }, {
      keyManagementAlgorithms: [...KEY_MANAGEMENT_ALGS],
      contentEncryptionAlgorithms: [...CONTENT_ENCRYPTION_ALGS],
    })
  ).trim();
  if (isCompactJws(plaintext)) {
    const inner = decodeAuthorizationRequest(plaintext);
    result.header = inner.header;
    result.claims = inner.claims;
  } else {
    // RFC 9101 §10.2: an encrypted-only claims set proves nothing about its sender.
    result.notes.push('the decrypted payload is not a signed JWT: a verifier refuses it (RFC 9101 §10.2)');
    try {
      result.claims = JSON.parse(plaintext) as Record<string, unknown>;
    } catch {
      result.notes.push('the decrypted payload is not JSON either');
    }
  }
  return result;
}

/** Why each step passed, in words, from what the request (verified up to that step) holds. */
function passDetail(step: VerificationStepName, d: Decoded, ctx: { clientId: string; issuer: string; keySource: string; now: number }): string {
  const h = d.header ?? {};
  const c = d.claims ?? {};
  const e = d.encryptionHeader ?? {};
  switch (step) {
    case 'repeated_parameter': return 'no parameter repeated';
    case 'client_id': return `"${ctx.clientId}"`;
    case 'client': return `the client of ${ctx.keySource}`;
    case 'client_metadata': return 'well-formed';
    case 'request_and_request_uri': return 'not both';
    case 'request_not_supported': return 'request accepted';
    case 'request_uri_not_supported': return 'request_uri accepted';
    case 'request_uri': return `fetched ${d.requestUri}`;
    case 'signed_request_object_required': return 'a request object is present';
    case 'shape': return d.encryptionHeader ? 'compact JWE (5 segments)' : 'compact JWS (3 segments)';
    case 'decrypt': return `${String(e.alg)} / ${String(e.enc)}${e.kid ? `, kid "${String(e.kid)}"` : ''}; the payload is a signed JWT`;
    case 'header': return `alg ${String(h.alg)}${h.typ === undefined ? ', no typ' : `, typ ${String(h.typ)}`}`;
    case 'profile': return `FAPI 2.0: alg ${String(h.alg)}, exp and nbf, lifetime, redirect_uri`;
    case 'key': return `${String(h.alg).startsWith('HS') ? 'the client_secret' : `a key${h.kid ? ` with kid "${String(h.kid)}"` : ''} of ${ctx.keySource}`}`;
    case 'signature': return 'valid';
    case 'client_id_claim': return 'equals the query\'s client_id';
    case 'iss': return `"${String(c.iss)}"`;
    case 'aud': return `contains "${ctx.issuer}"`;
    case 'claim_type': return 'parameter values have their JSON types';
    case 'time': {
      const now = Math.floor(ctx.now / 1000);
      return typeof c.exp === 'number' ? `exp in ${c.exp - now} s` : 'no exp';
    }
    case 'replay': return 'first use';
    case 'forbidden_claim': return 'no request / request_uri inside, sub is not the client_id';
    case 'redirect_uri': return 'one of the client\'s registered redirect_uris, or none registered';
  }
}

async function verify(
  input: string,
  d: Decoded,
  opts: {
    jwks: string;
    issuer: string;
    keys: JSONWebKeySet | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    now: number;
    profile: 'fapi2' | undefined;
  },
): Promise<{ verified: boolean; checks: CheckLine[]; error: AuthorizationRequestError | undefined }> {
  let query: URLSearchParams;
  if (isCompactJwt(input)) {
    const clientId = opts.clientId ?? (d.claims?.client_id as string | undefined) ?? (d.claims?.iss as string | undefined);
    if (typeof clientId !== 'string') {
      throw new UsageError('cannot tell the client_id of this bare request object: pass --client-id <id> (or --key to decrypt it)');
    }
    query = new URLSearchParams({ client_id: clientId, request: input });
  } else {
    query = /^[a-z][a-z0-9+.-]*:/i.test(input) ? new URL(input).searchParams : new URLSearchParams(input);
  }
  const remote = /^https?:\/\//i.test(opts.jwks);
  const client: ClientMetadata = remote ? { jwks_uri: opts.jwks } : { jwks: await readKeySet(opts.jwks, '--jwks') };
  if (opts.clientSecret !== undefined) client.client_secret = opts.clientSecret;

  const verifier = new RequestObjectVerifier({
    issuer: opts.issuer,
    getClient: (id) => ({ ...client, client_id: id }),
    decryptionKeys: opts.keys as { keys: JWK[] } | undefined,
    // The tool is about request objects: a plain request fails instead of passing unchecked.
    requireSignedRequestObject: true,
    // The user chose to fetch this request_uri; the network guards (https, no private hosts) stay
    // on, and guardedFetch also checks the addresses a host name resolves to.
    requireRequestUriRegistration: false,
    requestUri: { fetch: guardedFetch() },
    // A --jwks URL is the operator's own choice on their own machine (as with curl), so a local or
    // http key server is allowed; a request_uri comes from the inspected input and stays guarded.
    ...(remote ? { jwksUri: { allowHttp: true, allowPrivateNetwork: true } } : {}),
    now: () => opts.now,
    ...(opts.profile ? { profile: opts.profile } : {}),
  });

  const clientId = query.get('client_id') ?? '';
  const ctx = { clientId, issuer: opts.issuer, keySource: remote ? opts.jwks : `the JWK set in ${opts.jwks}`, now: opts.now };
  // The verifier's own record of the steps it ran, in its order: nothing here decides what ran.
  const lines = (steps: readonly VerificationStepRecord[], shown: Decoded) =>
    steps.filter((s) => s.passed).map(({ step }) => ({ check: step, passed: true, detail: passDetail(step, shown, ctx) }));

  try {
    const result = await verifier.verify(query, { trace: true });
    const object = result.requestObject;
    const verified: Decoded = object
      ? { ...d, encryptionHeader: object.encryptionHeader, header: object.header, claims: object.claims }
      : d;
    return { verified: true, checks: lines(result.steps ?? [], verified), error: undefined };
  } catch (err) {
    if (!(err instanceof AuthorizationRequestError)) throw err;
    const checks: CheckLine[] = lines(err.steps, d);
    const failed = err.steps.at(-1)?.step ?? 'repeated_parameter';
    let detail = `${err.error}: ${err.error_description}`;
    if (failed === 'decrypt' && opts.keys === undefined) detail += ' (pass --key <jwk-file> with the server\'s private key)';
    if (failed === 'request_uri_not_supported' && d.requestUri?.startsWith('urn:')) detail += ' (a PAR request_uri is resolved only by the server that issued it)';
    checks.push({ check: failed, passed: false, detail });
    return { verified: false, checks, error: err };
  }
}

/** `--now`: epoch seconds, or a date the platform parses (ISO 8601). Milliseconds out. */
function parseTime(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`--now "${value}" is neither an ISO 8601 date nor epoch seconds`);
  return ms;
}

function painter(enabled: boolean) {
  const wrap = (code: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: wrap(32), red: wrap(31), bold: wrap(1), dim: wrap(2) };
}

function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/^/gm, '  ');
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'probe') return probe(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        key: { type: 'string' },
        jwks: { type: 'string' },
        issuer: { type: 'string' },
        'client-secret': { type: 'string' },
        'client-id': { type: 'string' },
        now: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, inputArg, ...extra] = positionals;
  if (command !== 'inspect') throw new UsageError(command === undefined ? 'missing command: inspect or probe' : `unknown command "${command}"`);
  if (inputArg === undefined) throw new UsageError('missing input: an authorize URL or a request object');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if ((values.jwks === undefined) !== (values.issuer === undefined)) {
    throw new UsageError('verification needs both --jwks and --issuer');
  }
  const now = values.now === undefined ? Date.now() : parseTime(values.now);
  if (values.profile !== undefined && values.profile !== 'fapi2') {
    throw new UsageError(`unknown --profile "${values.profile}": the only profile is fapi2`);
  }
  if ((values.now !== undefined || values.profile !== undefined) && values.jwks === undefined) {
    throw new UsageError('--now and --profile apply to verification: add --jwks and --issuer');
  }
  const input = await readInput(inputArg);
  if (input === '') throw new UsageError('the input is empty');
  const keys = values.key === undefined ? undefined : await readKeySet(values.key, '--key');

  const color = painter(!values.json && process.stdout.isTTY === true && !process.env.NO_COLOR);
  const out: string[] = [];
  const report: Record<string, unknown> = {};

  let decoded: Decoded;
  try {
    decoded = await decode(input, keys);
  } catch (err) {
    if (values.json) process.stdout.write(`${JSON.stringify({ decoded: false, error: (err as Error).message }, null, 2)}\n`);
    else process.stderr.write(`oauth-jar inspect: ${(err as Error).message}\n`);
    return 1;
  }

  Object.assign(report, {
    clientId: decoded.clientId,
    requestUri: decoded.requestUri,
    encryptionHeader: decoded.encryptionHeader,
    header: decoded.header,
    claims: decoded.claims,
    notes: decoded.notes,
  });
  if (decoded.clientId !== undefined) out.push(`${color.bold('client_id')}    ${decoded.clientId}`);
  if (decoded.requestUri !== undefined) out.push(`${color.bold('request_uri')}  ${decoded.requestUri}`);
  if (decoded.encryptionHeader) out.push(color.bold('JWE protected header'), indentJson(decoded.encryptionHeader));
  if (decoded.header) out.push(color.bold('JWS protected header'), indentJson(decoded.header));
  if (decoded.claims) out.push(color.bold('Claims'), indentJson(decoded.claims));
  for (const note of decoded.notes) out.push(color.dim(`note: ${note}`));

  let code = 0;
  if (values.jwks !== undefined && values.issuer !== undefined) {
    const result = await verify(input, decoded, {
      jwks: values.jwks,
      issuer: values.issuer,
      keys,
      clientId: values['client-id'],
      clientSecret: values['client-secret'],
      now,
      profile: values.profile as 'fapi2' | undefined,
    });
    report.verification = {
      issuer: values.issuer,
      verified: result.verified,
      checks: result.checks,
      error: result.error && { error: result.error.error, error_description: result.error.error_description, check: result.error.check },
    };
    out.push(color.bold(`Verification (issuer ${values.issuer})`));
    const width = Math.max(...result.checks.map((c) => c.check.length));
    for (const line of result.checks) {
      const mark = line.passed ? color.green('✓') : color.red('✗');
      out.push(`  ${mark} ${line.check.padEnd(width)}  ${line.detail}`);
    }
    out.push(result.verified ? color.green('verified') : color.red(`refused: ${result.error!.error} (${result.error!.check})`));
    code = result.verified ? 0 : 1;
  }

  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${out.join('\n')}\n`);
  return code;
}

const PROBE_HELP = `Usage: oauth-jar probe --issuer <iss> --client-id <id> --key <jwk-file> --redirect-uri <uri> [options]

Tests an authorization server's handling of request objects (RFC 9101): baselines that
must be accepted, then hostile request objects that must be refused (alg none, unsigned
JSON in a JWE, RSA1_5, injected keys, wrong aud, expired, replayed, another typ, …).
Register the test client first, with the public half of --key and --redirect-uri.

Options:
  --issuer <iss>           the server's issuer identifier (its metadata is discovered)
  --client-id <id>         the registered test client
  --key <jwk-file>         the client's private signing key (a JWK)
  --redirect-uri <uri>     a redirect_uri registered for the client (never followed)
  --profile fapi2          also test the FAPI 2.0 rules; requests are pushed (PAR)
  --scope <scope>          the requests' scope (default "openid")
  --client-auth <method>   PAR client authentication: private_key_jwt (default) or none
  --canary-url <url>       the canary listener's URL as the server reaches it; without
                           it a canary runs only when the server is on loopback
  --canary-port <port>     the canary's local port (register <canary>/registered/ as
                           a request_uris prefix for the by-reference baseline)
  --no-canary              no canary: the by-reference and jku cases are skipped
  --allow-origin <origin>  another origin the server's endpoints may be on (repeatable)
  --timeout <ms>           per request (default 10000)
  --max-requests <n>       at most this many requests (default 200)
  --json                   print the report as JSON
  --junit <file>           also write the report as JUnit XML (for CI)
  -h, --help               show this help

Exit codes: 0 no failure, 1 a hostile case accepted or a baseline refused (or the probe
could not start), 2 usage error.
`;

/** `oauth-jar probe`: parses its options, runs oauth-jar/probe, prints the report. */
async function probe(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        key: { type: 'string' },
        'redirect-uri': { type: 'string' },
        profile: { type: 'string' },
        scope: { type: 'string' },
        'client-auth': { type: 'string' },
        'canary-url': { type: 'string' },
        'canary-port': { type: 'string' },
        'no-canary': { type: 'boolean', default: false },
        'allow-origin': { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'max-requests': { type: 'string' },
        json: { type: 'boolean', default: false },
        junit: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(PROBE_HELP);
    return 0;
  }
  for (const name of ['issuer', 'client-id', 'key', 'redirect-uri'] as const) {
    if (values[name] === undefined) throw new UsageError(`probe needs --${name}`);
  }
  if (values.profile !== undefined && values.profile !== 'fapi2') throw new UsageError(`unknown --profile "${values.profile}": the only profile is fapi2`);
  const clientAuth = values['client-auth'];
  if (clientAuth !== undefined && clientAuth !== 'none' && clientAuth !== 'private_key_jwt') {
    throw new UsageError(`--client-auth must be private_key_jwt or none, got "${clientAuth}"`);
  }
  const positive = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
    return Number(value);
  };
  const keySet = await readKeySet(values.key!, '--key');
  const key = keySet.keys.find((k) => typeof k.d === 'string');
  if (!key) throw new UsageError(`the --key file "${values.key}" holds no private key (a JWK with "d")`);
  const canaryPort = positive('canary-port', values['canary-port']);
  const timeout = positive('timeout', values.timeout);
  const maxRequests = positive('max-requests', values['max-requests']);
  const options: ProbeAuthorizationServerOptions = {
    issuer: values.issuer!,
    clientId: values['client-id']!,
    key,
    redirectUri: values['redirect-uri']!,
    ...(values.profile ? { profile: 'fapi2' as const } : {}),
    ...(values.scope ? { scope: values.scope } : {}),
    ...(clientAuth ? { clientAuth } : {}),
    ...(values['allow-origin'] ? { allowedOrigins: values['allow-origin'] } : {}),
    ...(timeout ? { timeout } : {}),
    ...(maxRequests ? { maxRequests } : {}),
    canary: values['no-canary']
      ? false
      : { ...(values['canary-url'] ? { url: values['canary-url'] } : {}), ...(canaryPort ? { port: canaryPort } : {}) },
  };
  let report;
  try {
    report = await probeAuthorizationServer(options);
  } catch (err) {
    process.stderr.write(`oauth-jar probe: ${(err as Error).message}\n`);
    return 1;
  }
  if (values.junit !== undefined) {
    try {
      await writeFile(values.junit, probeReportToJUnit(report));
    } catch (cause) {
      throw new UsageError(`cannot write the --junit file "${values.junit}": ${(cause as Error).message}`);
    }
  }
  const color = !values.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatProbeReport(report, { color }));
  return report.summary.failures > 0 || !report.baselinesAccepted ? 1 : 0;
}

// `oauth-jar inspect … | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`oauth-jar: ${err.message}\nRun "oauth-jar --help" for usage.\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`oauth-jar: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);

// `oauth-jar inspect` prints the verifier's own record of the steps it ran. Driven from the table
// (src/server/pipeline.ts): for every step that can fail under inspect, a request that fails there,
// and the printed steps must be exactly the table's steps that apply to it, in order, ending there.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CompactEncrypt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFICATION_STEPS, type VerificationStepName } from '../../src/server.js';

const CLI = resolve(__dirname, '../../dist/cli.js');
const ISSUER = 'https://as.example.com';
const CLIENT = 'client-1';

let dir: string;
let jwksFile: string;
let badJwksFile: string;
let signer: { privateKey: CryptoKey; publicKey: CryptoKey };
let other: { privateKey: CryptoKey; publicKey: CryptoKey };
let enc: { privateKey: CryptoKey; publicKey: CryptoKey };

function run(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout) => {
      if (err && typeof err.code !== 'number') return fail(err);
      done({ code: err ? (err.code as unknown as number) : 0, stdout });
    });
  });
}

const now = () => Math.floor(Date.now() / 1000);

function claims(extra: Record<string, unknown> = {}): JWTPayload {
  const t = now();
  const c: Record<string, unknown> = {
    client_id: CLIENT, iss: CLIENT, aud: ISSUER, response_type: 'code', redirect_uri: 'https://rp.example.com/cb',
    scope: 'openid', state: 'st', iat: t, nbf: t, exp: t + 300, jti: crypto.randomUUID(), ...extra,
  };
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k];
  return c as JWTPayload;
}

function sign(c: JWTPayload = claims(), header: Record<string, unknown> = {}, key: CryptoKey = signer.privateKey): Promise<string> {
  return new SignJWT(c).setProtectedHeader({ alg: 'ES256', kid: 'client-key-1', typ: 'oauth-authz-req+jwt', ...header }).sign(key);
}

const authorize = (params: Record<string, string>, extra = '') => `${ISSUER}/authorize?${new URLSearchParams(params)}${extra}`;
const verifying = (jwks = jwksFile) => ['--jwks', jwks, '--issuer', ISSUER];
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Steps of the table that do not apply to a plain signed request object sent by value. */
const BY_VALUE_ABSENT: VerificationStepName[] = ['request_uri_not_supported', 'request_uri', 'decrypt', 'profile', 'replay'];
const BY_REFERENCE_ABSENT: VerificationStepName[] = ['request_not_supported'];

interface Fixture {
  args: () => Promise<string[]>;
  /** The table's steps that do not apply to this request (not run, not printed). */
  absent: VerificationStepName[];
}

const FIXTURES: Partial<Record<VerificationStepName, Fixture>> = {
  repeated_parameter: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign() }, '&scope=a&scope=b'), ...verifying()], absent: [] },
  client_id: { args: async () => ['inspect', authorize({ request: await sign() }), ...verifying()], absent: [] },
  client_metadata: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign() }), ...verifying(badJwksFile)], absent: [] },
  request_and_request_uri: {
    args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(), request_uri: 'https://rp.example.com/ro/1' }), ...verifying()],
    absent: [],
  },
  request_uri_not_supported: {
    args: async () => ['inspect', authorize({ client_id: CLIENT, request_uri: 'urn:ietf:params:oauth:request_uri:abc' }), ...verifying()],
    absent: BY_REFERENCE_ABSENT,
  },
  // The fetch guard refuses a loopback address before connecting: nothing is sent anywhere.
  request_uri: { args: async () => ['inspect', authorize({ client_id: CLIENT, request_uri: 'https://127.0.0.1:9/ro/1' }), ...verifying()], absent: BY_REFERENCE_ABSENT },
  signed_request_object_required: {
    args: async () => ['inspect', authorize({ client_id: CLIENT, response_type: 'code' }), ...verifying()],
    absent: [...BY_REFERENCE_ABSENT, 'request_uri_not_supported', 'request_uri'],
  },
  shape: {
    args: async () => {
      const [, payload] = (await sign()).split('.');
      const header = `{"alg":"ES256","kid":"client-key-1","__proto__":{"typ":"x"}}`;
      return ['inspect', authorize({ client_id: CLIENT, request: `${Buffer.from(header).toString('base64url')}.${payload}.${b64('sig')}` }), ...verifying()];
    },
    absent: BY_VALUE_ABSENT,
  },
  decrypt: {
    args: async () => {
      const jwe = await new CompactEncrypt(new TextEncoder().encode(await sign()))
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'as-enc-1' })
        .encrypt(enc.publicKey);
      return ['inspect', authorize({ client_id: CLIENT, request: jwe }), ...verifying()];
    },
    absent: BY_VALUE_ABSENT.filter((s) => s !== 'decrypt'),
  },
  header: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims(), { typ: 'at+jwt' }) }), ...verifying()], absent: BY_VALUE_ABSENT },
  profile: {
    args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ redirect_uri: undefined })) }), ...verifying(), '--profile', 'fapi2'],
    absent: BY_VALUE_ABSENT.filter((s) => s !== 'profile'),
  },
  key: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims(), { kid: 'unknown-kid' }) }), ...verifying()], absent: BY_VALUE_ABSENT },
  signature: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims(), {}, other.privateKey) }), ...verifying()], absent: BY_VALUE_ABSENT },
  client_id_claim: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ client_id: 'other' })) }), ...verifying()], absent: BY_VALUE_ABSENT },
  iss: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ iss: 'other' })) }), ...verifying()], absent: BY_VALUE_ABSENT },
  aud: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ aud: 'https://other.example.com' })) }), ...verifying()], absent: BY_VALUE_ABSENT },
  claim_type: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ scope: ['openid'] })) }), ...verifying()], absent: BY_VALUE_ABSENT },
  time: {
    args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })) }), ...verifying()],
    absent: BY_VALUE_ABSENT,
  },
  forbidden_claim: { args: async () => ['inspect', authorize({ client_id: CLIENT, request: await sign(claims({ sub: CLIENT })) }), ...verifying()], absent: BY_VALUE_ABSENT },
};

/** Steps inspect cannot fail at, and why. */
const NOT_FAILABLE_UNDER_INSPECT: Partial<Record<VerificationStepName, string>> = {
  client: 'inspect knows every client_id: its client is the one of --jwks',
  request_not_supported: 'inspect accepts the request parameter',
  replay: 'inspect has no replay store',
  redirect_uri: 'the client inspect builds from --jwks registers no redirect_uris',
};

/** The table's steps up to and including `failing`, without those that do not apply. */
function expectedSteps(failing: VerificationStepName, absent: readonly VerificationStepName[]): string[] {
  const names = VERIFICATION_STEPS.map((s) => s.name as VerificationStepName);
  return names.slice(0, names.indexOf(failing) + 1).filter((n) => !absent.includes(n));
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the build (npx -y pnpm@10 build) first`);
  dir = mkdtempSync(join(tmpdir(), 'oauth-jar-steps-'));
  signer = await generateKeyPair('ES256', { extractable: true });
  other = await generateKeyPair('ES256', { extractable: true });
  enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  jwksFile = join(dir, 'client.jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(signer.publicKey)), kid: 'client-key-1', alg: 'ES256' }] }));
  badJwksFile = join(dir, 'bad.jwks.json');
  writeFileSync(badJwksFile, JSON.stringify({ keys: [1] }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('every step of the table either has a failing fixture here or a reason why inspect cannot fail there', () => {
  for (const { name } of VERIFICATION_STEPS) {
    expect(FIXTURES[name] !== undefined || NOT_FAILABLE_UNDER_INSPECT[name] !== undefined, name).toBe(true);
  }
});

describe.each(VERIFICATION_STEPS.filter((s) => FIXTURES[s.name] !== undefined).map((s) => s.name))('a request that fails at %s', (step) => {
  it('prints exactly the steps that ran, in the table\'s order, ending with the failing one', async () => {
    const fixture = FIXTURES[step]!;
    const args = await fixture.args();
    const json = await run([...args, '--json']);
    expect(json.code).toBe(1);
    const verification = JSON.parse(json.stdout).verification as { checks: Array<{ check: string; passed: boolean }>; error: { check: string } };
    const printed = verification.checks.map((c) => c.check);
    expect(printed).toEqual(expectedSteps(step, fixture.absent));
    expect(verification.checks.slice(0, -1).every((c) => c.passed)).toBe(true);
    expect(verification.checks.at(-1)!.passed).toBe(false);
    expect(verification.error.check).toBe(step);

    // The text output lists the same steps, ✓ then one ✗.
    const text = await run(args);
    const lines = text.stdout.split('\n').filter((l) => /^ {2}[✓✗] /.test(l));
    expect(lines.map((l) => l.slice(4).split(/\s+/)[0])).toEqual(printed);
    expect(lines.at(-1)!.startsWith('  ✗ ')).toBe(true);
  });
});

it('a request that passes prints every step that applied, all passed, in order', async () => {
  const r = await run(['inspect', authorize({ client_id: CLIENT, request: await sign() }), ...verifying(), '--profile', 'fapi2', '--json']);
  expect(r.code).toBe(0);
  const checks = JSON.parse(r.stdout).verification.checks as Array<{ check: string; passed: boolean }>;
  expect(checks.map((c) => c.check)).toEqual(expectedSteps('redirect_uri', BY_VALUE_ABSENT.filter((s) => s !== 'profile')));
  expect(checks.every((c) => c.passed)).toBe(true);
});

it('FAPI 2.0 with a 2-hour lifetime, no redirect_uri and a wrong aud: refused at profile, and aud is never claimed', async () => {
  const t = now();
  const jws = await sign(claims({ nbf: t, exp: t + 7200, redirect_uri: undefined, aud: 'https://other.example.com' }));
  const r = await run(['inspect', authorize({ client_id: CLIENT, request: jws }), ...verifying(), '--profile', 'fapi2']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/✗ profile\s+invalid_request_object/);
  expect(r.stdout).not.toMatch(/[✓✗] aud/);
});

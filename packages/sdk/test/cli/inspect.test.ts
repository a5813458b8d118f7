// `oauth-jar inspect` as a user runs it: the built dist/cli.js (the package's `bin`) in a child
// process, judged by its exit code and its output.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder } from '../../src/index.js';

const CLI = resolve(__dirname, '../../dist/cli.js');
const ISSUER = 'https://as.example.com';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin?: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return fail(err);
      done({ code: err ? (err.code as unknown as number) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    else child.stdin!.end();
  });
}

let dir: string;
let signer: { privateKey: CryptoKey; publicKey: CryptoKey };
let other: { privateKey: CryptoKey; publicKey: CryptoKey };
let enc: { privateKey: CryptoKey; publicKey: CryptoKey };
let jwksFile: string;
let otherJwksFile: string;
let encKeyFile: string;
let jwksServer: Server;
let jwksUrl: string;
let jwksHits = 0;

function builder() {
  return new AuthorizationRequestBuilder('code', 'client-1')
    .endpoint(`${ISSUER}/authorize`)
    .audience(ISSUER)
    .redirectUri('https://rp.example.com/cb')
    .scope('openid', 'profile')
    .state('st-1')
    .maxAge(0)
    .signWith(signer.privateKey, { alg: 'ES256', kid: 'client-key-1' });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the build (npx -y pnpm@10 build) first`);
  dir = mkdtempSync(join(tmpdir(), 'oauth-jar-cli-'));
  signer = await generateKeyPair('ES256', { extractable: true });
  other = await generateKeyPair('ES256', { extractable: true });
  enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(signer.publicKey)), kid: 'client-key-1', alg: 'ES256', use: 'sig' }] };
  jwksFile = join(dir, 'client.jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwks));
  otherJwksFile = join(dir, 'other.jwks.json');
  writeFileSync(otherJwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(other.publicKey)), kid: 'client-key-1', alg: 'ES256' }] }));
  encKeyFile = join(dir, 'as-enc.jwk.json'); // a single JWK, not a set: both forms are accepted
  writeFileSync(encKeyFile, JSON.stringify({ ...(await exportJWK(enc.privateKey)), kid: 'as-enc-1', use: 'enc' }));
  jwksServer = createServer((req, res) => {
    jwksHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  await new Promise((ok) => jwksServer?.close(ok));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('usage (exit code 2)', () => {
  it('--help prints the usage with the options and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: oauth-jar inspect');
    for (const option of ['--key', '--jwks', '--issuer', '--client-secret', '--json', 'Exit codes']) expect(r.stdout).toContain(option);
  });

  it.each([
    ['no arguments', []],
    ['no input', ['inspect']],
    ['an unknown command', ['decode', 'x.y.z']],
    ['an unknown option', ['inspect', 'a.b.c', '--frobnicate']],
    ['--jwks without --issuer', ['inspect', 'a.b.c', '--jwks', 'x.json']],
    ['--issuer without --jwks', ['inspect', 'a.b.c', '--issuer', ISSUER]],
    ['a second input', ['inspect', 'a.b.c', 'd.e.f']],
  ])('%s → 2 and a hint on stderr', async (_name, args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('oauth-jar --help');
  });

  it('an unreadable or non-key --key file → 2', async () => {
    const request = await builder().build();
    expect((await run(['inspect', request.url.href, '--key', join(dir, 'missing.json')])).code).toBe(2);
    const notAKey = join(dir, 'not-a-key.json');
    writeFileSync(notAKey, '{"hello":1}');
    const r = await run(['inspect', request.url.href, '--key', notAKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('neither a JWK nor a JWK set');
  });
});

describe('decoding (exit code 0, or 1 when the input does not decode)', () => {
  it('prints the header and the claims of a signed request in an authorize URL', async () => {
    const request = await builder().build();
    const r = await run(['inspect', request.url.href]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('client_id    client-1');
    expect(r.stdout).toContain('"typ": "oauth-authz-req+jwt"');
    expect(r.stdout).toContain('"kid": "client-key-1"');
    expect(r.stdout).toContain('"max_age": 0');
    expect(r.stdout).not.toContain('Verification');
  });

  it('reads a bare request object, also from stdin with "-"', async () => {
    const request = await builder().build();
    const direct = await run(['inspect', request.requestObject!]);
    expect(direct.code).toBe(0);
    expect(direct.stdout).toContain('"scope": "openid profile"');
    const piped = await run(['inspect', '-'], `${request.requestObject}\n`);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(direct.stdout);
  });

  it('shows only the JWE header of an encrypted request without --key, and the inner JWS with it', async () => {
    const request = await builder().encryptWith(enc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc-1' }).build();
    const sealed = await run(['inspect', request.url.href]);
    expect(sealed.code).toBe(0);
    expect(sealed.stdout).toContain('JWE protected header');
    expect(sealed.stdout).toContain('"cty": "JWT"');
    expect(sealed.stdout).not.toContain('"state"');
    expect(sealed.stdout).toContain('pass --key');

    const opened = await run(['inspect', request.url.href, '--key', encKeyFile]);
    expect(opened.code).toBe(0);
    expect(opened.stdout).toContain('JWE protected header');
    expect(opened.stdout).toContain('JWS protected header');
    expect(opened.stdout).toContain('"state": "st-1"');
  });

  it('a key that cannot decrypt → 1', async () => {
    const request = await builder().encryptWith(enc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc-1' }).build();
    const wrong = join(dir, 'wrong-enc.jwk.json');
    const { privateKey } = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    writeFileSync(wrong, JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'as-enc-1' }));
    const r = await run(['inspect', request.url.href, '--key', wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not be decrypted');
  });

  it('a malformed request object → 1 with the reason', async () => {
    const r = await run(['inspect', 'https://as.example.com/authorize?client_id=c&request=not.a.jwt.at.all.really']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('3 (JWS) or 5 (JWE) segments');
  });
});

describe('verifying (exit code 0 verified, 1 refused)', () => {
  it('lists every check as passed for a valid signed request', async () => {
    const request = await builder().build();
    const r = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(r.code).toBe(0);
    for (const check of ['client_id', 'shape', 'header', 'key', 'signature', 'time', 'client_id_claim', 'iss', 'aud', 'claim_type', 'forbidden_claim']) {
      expect(r.stdout).toMatch(new RegExp(`✓ ${check} `));
    }
    expect(r.stdout).not.toContain('✗');
    expect(r.stdout).not.toContain('✓ decrypt');
    expect(r.stdout.trimEnd().endsWith('verified')).toBe(true);
  });

  it('verifies a nested (encrypted) request with --key, and fails at decrypt without it', async () => {
    const request = await builder().encryptWith(enc.publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'as-enc-1' }).build();
    const ok = await run(['inspect', request.url.href, '--key', encKeyFile, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('✓ decrypt');
    expect(ok.stdout).toContain('RSA-OAEP-256 / A256GCM');

    const no = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/✗ decrypt\s+invalid_request_object/);
    expect(no.stdout).not.toContain('✓ signature');
  });

  it('the wrong issuer: the checks before aud pass, aud fails, nothing after it is claimed', async () => {
    const request = await builder().build();
    const r = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', `${ISSUER}/`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ signature');
    expect(r.stdout).toContain('✓ iss');
    expect(r.stdout).toMatch(/✗ aud\s+invalid_request_object: .*issuer https:\/\/as\.example\.com\/$/m);
    expect(r.stdout).not.toContain('✓ claim_type');
    expect(r.stdout).toContain('refused: invalid_request_object (aud)');
  });

  it('a key the client did not register fails at signature, not before the header check', async () => {
    const request = await builder().build();
    const r = await run(['inspect', request.url.href, '--jwks', otherJwksFile, '--issuer', ISSUER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ header');
    expect(r.stdout).toMatch(/✗ signature/);
    expect(r.stdout).not.toContain('✓ signature');
  });

  it('an expired request object fails at time', async () => {
    const request = await builder().clock(() => Date.now() - 3_600_000).build();
    const r = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ time\s+invalid_request_object/);
  });

  it('--now verifies as of another time: a logged object that has since expired passes as of the time it was issued', async () => {
    const issuedAt = Date.now() - 3_600_000;
    const request = await builder().clock(() => issuedAt).build();
    const asOfThen = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER, '--now', new Date(issuedAt + 60_000).toISOString()]);
    expect(asOfThen.code).toBe(0);
    expect(asOfThen.stdout).toMatch(/✓ time\s+exp in 240 s/);
    const epoch = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER, '--now', String(Math.floor(issuedAt / 1000) + 60)]);
    expect(epoch.code).toBe(0);
    const today = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(today.code).toBe(1);
  });

  it('--profile fapi2 applies the FAPI 2.0 rules: a request object without redirect_uri fails at profile', async () => {
    const good = await builder().build();
    const ok = await run(['inspect', good.url.href, '--jwks', jwksFile, '--issuer', ISSUER, '--profile', 'fapi2']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('✓ profile');
    const noRedirect = await new AuthorizationRequestBuilder('code', 'client-1')
      .endpoint(`${ISSUER}/authorize`)
      .audience(ISSUER)
      .scope('openid')
      .signWith(signer.privateKey, { alg: 'ES256', kid: 'client-key-1' })
      .build();
    const plain = await run(['inspect', noRedirect.url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(plain.code).toBe(0);
    const fapi = await run(['inspect', noRedirect.url.href, '--jwks', jwksFile, '--issuer', ISSUER, '--profile', 'fapi2']);
    expect(fapi.code).toBe(1);
    expect(fapi.stdout).toMatch(/✗ profile\s+invalid_request_object: .*redirect_uri/);
  });

  it('--now and --profile are checked: a bad value, or either without verification, is a usage error (2)', async () => {
    const request = await builder().build();
    const verifying = ['--jwks', jwksFile, '--issuer', ISSUER];
    const cases = [
      [...verifying, '--now', 'yesterday-ish'],
      [...verifying, '--profile', 'fapi1'],
      ['--now', '1700000000'],
      ['--profile', 'fapi2'],
    ];
    for (const args of cases) {
      const r = await run(['inspect', request.url.href, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--now|--profile/);
    }
  });

  it('a plain authorization request (no request object) is refused', async () => {
    const plain = await new AuthorizationRequestBuilder('code', 'client-1').endpoint(`${ISSUER}/authorize`).build();
    const r = await run(['inspect', plain.url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(r.stdout).toContain('no request object');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ signed_request_object_required/);
  });

  it('a client_id in the query that differs from the object\'s fails at client_id_claim', async () => {
    const request = await builder().build();
    const url = new URL(request.url);
    url.searchParams.set('client_id', 'someone-else');
    const r = await run(['inspect', url.href, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ client_id_claim/);
  });

  it('fetches the client keys from a --jwks URL (loopback)', async () => {
    const before = jwksHits;
    const request = await builder().build();
    const r = await run(['inspect', request.requestObject!, '--jwks', jwksUrl, '--issuer', ISSUER]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`of ${jwksUrl}`);
    expect(jwksHits).toBeGreaterThan(before);
  });

  it('verifies HS256 with --client-secret and fails with the wrong secret', async () => {
    const secret = 'a-client-secret-of-at-least-32-bytes!!';
    const request = await new AuthorizationRequestBuilder('code', 'client-1')
      .endpoint(`${ISSUER}/authorize`)
      .audience(ISSUER)
      .signWith(new TextEncoder().encode(secret), { alg: 'HS256' })
      .build();
    const ok = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER, '--client-secret', secret]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('the client_secret');
    const bad = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', ISSUER, '--client-secret', `${secret}x`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/✗ signature/);
  });

  it('a request_uri on a loopback host is refused by the verifier\'s fetch guards, and never fetched', async () => {
    const before = jwksHits;
    const url = `${ISSUER}/authorize?client_id=client-1&request_uri=${encodeURIComponent(jwksUrl.replace('jwks.json', 'ro/1'))}`;
    const decoded = await run(['inspect', url]);
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toContain('fetched only when verifying');
    const r = await run(['inspect', url, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ request_uri\s+invalid_request_uri/);
    expect(jwksHits).toBe(before);
  });

  it('a PAR request_uri cannot be resolved outside its server: request_uri_not_supported, with the reason', async () => {
    const url = `${ISSUER}/authorize?client_id=client-1&request_uri=urn:ietf:params:oauth:request_uri:abc`;
    const decoded = await run(['inspect', url]);
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toContain('pushed (PAR, RFC 9126)');
    const r = await run(['inspect', url, '--jwks', jwksFile, '--issuer', ISSUER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ request_uri_not_supported .*resolved only by the server that issued it/);
  });

  it('--json prints one document with the decoded parts and every check', async () => {
    const request = await builder().build();
    const r = await run(['inspect', request.url.href, '--jwks', jwksFile, '--issuer', `${ISSUER}/`, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.clientId).toBe('client-1');
    expect(report.header.alg).toBe('ES256');
    expect(report.claims.max_age).toBe(0);
    expect(report.verification.verified).toBe(false);
    expect(report.verification.error).toMatchObject({ error: 'invalid_request_object', check: 'aud' });
    const checks = report.verification.checks as Array<{ check: string; passed: boolean }>;
    expect(checks.at(-1)).toMatchObject({ check: 'aud', passed: false });
    expect(checks.slice(0, -1).every((c) => c.passed)).toBe(true);
  });
});

it('dist/cli.js starts with a node shebang (npm links it as the package bin)', () => {
  expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
});

// `oauth-jar probe` as a user runs it: the built dist/cli.js in a child process, against servers on
// 127.0.0.1, judged by its exit code and its output.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs example without type declarations
import { createAuthorizationServer } from '../../../examples/authorization-server/server.mjs';
import { toNodeHandler } from '../../src/node.js';
import { startBrokenAs, type BrokenAs } from '../helpers/broken-as.js';
import { close, listen } from '../helpers/loopback.js';
import { CLIENT_ID, REDIRECT_URI, clientKey } from '../probe/fixtures.js';

const CLI = resolve(__dirname, '../../dist/cli.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return fail(err);
      done({ code: err ? (err.code as unknown as number) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let keyFile: string;
let broken: BrokenAs;
let example: Server;
let exampleIssuer: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the build (npx -y pnpm@10 build) first`);
  dir = mkdtempSync(join(tmpdir(), 'oauth-jar-probe-'));
  const key = await clientKey();
  keyFile = join(dir, 'probe-client.private.jwk.json');
  writeFileSync(keyFile, JSON.stringify(key.privateJwk));
  broken = await startBrokenAs({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, jwk: key.publicJwk });
  example = createServer();
  exampleIssuer = await listen(example);
  const enc = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  const meta = { kid: 'as-enc-1', alg: 'RSA-OAEP-256', use: 'enc' };
  example.on(
    'request',
    toNodeHandler(
      createAuthorizationServer({
        issuer: exampleIssuer,
        clients: { [CLIENT_ID]: { client_id: CLIENT_ID, redirect_uris: [REDIRECT_URI], jwks: { keys: [key.publicJwk] } } },
        decryptionKeys: { keys: [{ ...(await exportJWK(enc.privateKey)), ...meta }] },
        jwks: { keys: [{ ...(await exportJWK(enc.publicKey)), ...meta }] },
      }),
    ),
  );
});

afterAll(async () => {
  await broken?.close();
  await close(example);
  rmSync(dir, { recursive: true, force: true });
});

const args = (issuer: string) => ['probe', '--issuer', issuer, '--client-id', CLIENT_ID, '--key', keyFile, '--redirect-uri', REDIRECT_URI];

describe('oauth-jar probe', () => {
  it('exits 0 against a server that refuses every hostile case, and prints the table', async () => {
    const { code, stdout } = await run(args(exampleIssuer));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^case\s+source\s+expected\s+verdict\s+observed$/m);
    expect(stdout).toMatch(/^alg-none\s+RFC 9101 §5, RFC 8725 §3\.1\s+refused \(invalid_request_object\)\s+PASS\s+refused: /m);
    expect(stdout).toMatch(/0 failed/);
  });

  it('exits 1 when a hostile case is accepted; --junit writes the failures for CI', async () => {
    const junit = join(dir, 'probe.xml');
    const { code, stdout } = await run([...args(broken.issuer), '--junit', junit]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^alg-none\s.*FAIL\s+accepted: 302 to \/login$/m);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="oauth-jar probe" tests="\d+" failures="6"/);
    expect(xml).toMatch(/<testcase name="aud-missing: no aud" classname="oauth-jar.probe.hostile"><failure message="expected refused \(invalid_request_object\); observed accepted/);
  });

  it('--json prints the report', async () => {
    const { code, stdout } = await run([...args(broken.issuer), '--json', '--no-canary']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ issuer: broken.issuer, client_id: CLIENT_ID, baselinesAccepted: true });
    // Without the canary the by-reference cases are skipped, so the request_uri hole goes unseen.
    expect(report.results.find((r: { id: string }) => r.id === 'request-uri-unregistered').verdict).toBe('skip');
    expect(report.summary.failures).toBe(5);
  });

  it('exits 2 on a usage error and 1 when the server cannot be probed', async () => {
    const missing = await run(['probe', '--issuer', exampleIssuer]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/probe needs --client-id/);
    const badKey = join(dir, 'public.json');
    writeFileSync(badKey, JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }));
    expect((await run([...args(exampleIssuer).slice(0, 6), badKey, '--redirect-uri', REDIRECT_URI])).code).toBe(2);
    const down = await run(args('http://127.0.0.1:9'));
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^oauth-jar probe: .*metadata/m);
  });
});

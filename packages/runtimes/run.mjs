#!/usr/bin/env node
// The runtime smoke suite: the packed `oauth-jar` tarball, installed as a user installs it, runs
// smoke/smoke.mjs on Node 20 (this Node), Node 24, Bun, Deno and workerd (as a bundled Worker, no
// nodejs_compat). The authorization server it talks to is a real oidc-provider that runs here, in
// Node, on 127.0.0.1; every runtime under test is the client.
//
// The runtimes come from the npm registry as devDependencies of this package. Their install
// scripts stay blocked (pnpm 10): the binary is taken straight from the platform package that
// each one lists in its optionalDependencies, so nothing is downloaded at install or run time.
//
// Output: one line per runtime (version, pass/fail), the failing checks under it, then
// `N passed, N failed`. Exit 1 on any failure. Run after the build: `pnpm test:runtimes` (root).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPeer } from './peer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const sdk = join(repo, 'packages/sdk');
const work = join(repo, '.tmp/runtimes');
const app = join(work, 'app');
/** One runtime's whole run (start, three checks, exit), generous for a loaded 2-core machine. */
const RUN_TIMEOUT_MS = 90_000;
/** sign, refuse, nested, par (smoke/smoke.mjs), then par-accepted (here). */
const EXPECTED_CHECKS = 5;
// Nothing in a runtime may phone home: Deno's update check and Bun's crash/usage reports are off.
const quietEnv = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1' };

// pnpm hands its own npm_config_* settings down to scripts; npm warns about each one it does not know.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));

if (!existsSync(join(sdk, 'dist/index.js'))) {
  console.error('packages/sdk/dist is missing: run the build first (npx -y pnpm@10 build)');
  process.exit(1);
}

// ── The tarball, installed in a scratch project with the smoke client next to it ───────────────
const setupStarted = Date.now();
rmSync(work, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
execFileSync('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', work], { cwd: sdk, env: npmEnv, stdio: ['ignore', 'ignore', 'inherit'] });
const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
if (!tarball) throw new Error('pnpm pack produced no tarball');
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'runtime-smoke', private: true, version: '0.0.0', type: 'module' }, null, 2));
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(work, tarball)], { cwd: app, env: npmEnv, stdio: ['ignore', 'ignore', 'inherit'] });
for (const file of ['smoke.mjs', 'cli.mjs', 'worker.mjs']) copyFileSync(join(here, 'smoke', file), join(app, file));
console.log(`${tarball} packed and installed in a scratch project (${((Date.now() - setupStarted) / 1000).toFixed(1)} s)`);

// ── The runtimes ────────────────────────────────────────────────────────────────────────────────
const require = createRequire(import.meta.url);
const libc = () => (process.report?.getReport?.().header?.glibcVersionRuntime ? 'glibc' : 'musl');

/**
 * The binary inside the platform package that `pkg` lists in its optionalDependencies (the
 * package's own shim would do the same, or download it in its postinstall).
 *
 * @param {string} pkg
 * @param {Record<string, string>} byPlatform `${platform}-${arch}` → `platformPackage/path/to/binary`
 */
function platformBinary(pkg, byPlatform) {
  const key = `${platform()}-${arch()}`;
  const target = byPlatform[key];
  if (!target) throw new Error(`${pkg}: no platform package known for ${key}`);
  const within = createRequire(require.resolve(`${pkg}/package.json`));
  const [scope, name, ...path] = target.split('/');
  return join(dirname(within.resolve(`${scope}/${name}/package.json`)), ...path);
}

/** Node 24: the one CI installs from npm (.ci/run), installed the same way when missing. */
function node24() {
  const prefix = join(repo, '.tmp/node24');
  const bin = join(prefix, 'node_modules/.bin/node');
  if (!existsSync(bin)) execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'node@24'], { env: npmEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  return bin;
}

/** @typedef {{ name: string, ok: boolean, ms: number, error?: string }} Check */
/**
 * @typedef {object} Runtime
 * @property {string} name
 * @property {() => string} binary
 * @property {(bin: string) => string} version
 * @property {(bin: string, config: object) => Promise<{ checks: Check[], parUrl?: string }>} run
 */

const firstLine = (/** @type {string} */ text) => text.trim().split('\n')[0] ?? '';
const versionOf = (/** @type {string} */ bin, /** @type {string[]} */ args = ['--version']) => firstLine(execFileSync(bin, args, { encoding: 'utf8', env: quietEnv }));

/** @type {Runtime[]} */
const runtimes = [
  { name: 'node', binary: () => process.execPath, version: () => process.versions.node, run: (bin, config) => program(bin, ['cli.mjs'], config) },
  { name: 'node', binary: node24, version: (bin) => versionOf(bin, ['-v']).replace(/^v/, ''), run: (bin, config) => program(bin, ['cli.mjs'], config) },
  {
    name: 'bun',
    binary: () =>
      platformBinary('bun', {
        'linux-x64': `@oven/bun-linux-x64${libc() === 'musl' ? '-musl' : ''}/bin/bun`,
        'linux-arm64': `@oven/bun-linux-aarch64${libc() === 'musl' ? '-musl' : ''}/bin/bun`,
        'darwin-x64': '@oven/bun-darwin-x64/bin/bun',
        'darwin-arm64': '@oven/bun-darwin-aarch64/bin/bun',
      }),
    version: (bin) => versionOf(bin),
    // --no-install: resolve from the scratch project's node_modules only, never auto-install.
    run: (bin, config) => program(bin, ['run', '--no-install', 'cli.mjs'], config),
  },
  {
    name: 'deno',
    binary: () =>
      platformBinary('deno', {
        'linux-x64': '@deno/linux-x64-glibc/deno',
        'linux-arm64': '@deno/linux-arm64-glibc/deno',
        'darwin-x64': '@deno/darwin-x64/deno',
        'darwin-arm64': '@deno/darwin-arm64/deno',
      }),
    version: (bin) => versionOf(bin).replace(/^deno /, '').replace(/ .*/, ''),
    // Deno's permissions hold the client to the loopback address; no other permission is granted.
    run: (bin, config) => program(bin, ['run', '--allow-net=127.0.0.1', '--no-prompt', 'cli.mjs'], config),
  },
  {
    name: 'workerd',
    binary: () =>
      platformBinary('workerd', {
        'linux-x64': '@cloudflare/workerd-linux-64/bin/workerd',
        'linux-arm64': '@cloudflare/workerd-linux-arm64/bin/workerd',
        'darwin-x64': '@cloudflare/workerd-darwin-64/bin/workerd',
        'darwin-arm64': '@cloudflare/workerd-darwin-arm64/bin/workerd',
      }),
    version: (bin) => versionOf(bin).replace(/^workerd /, ''),
    run: worker,
  },
];

/**
 * Runs the smoke client as a program in `app`; its verdict is the JSON line it prints.
 *
 * @param {string} bin
 * @param {string[]} args
 * @param {object} config
 */
async function program(bin, args, config) {
  const { code, stdout, stderr } = await spawnBounded(bin, [...args, JSON.stringify(config)], { cwd: app, env: quietEnv });
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`exit ${code}, no verdict\n${stderr.trim() || stdout.trim()}`);
  }
}

/**
 * workerd: the smoke client bundled as a Worker (esbuild, Workers' export conditions, no
 * nodejs_compat), served on 127.0.0.1; the verdict is the answer to POST /smoke.
 *
 * @param {string} bin
 * @param {object} config
 */
async function worker(bin, config) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(app, 'worker.mjs')],
    absWorkingDir: app,
    outfile: join(work, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    logLevel: 'error',
  });
  const port = await freePort();
  // The compatibility date of the binary itself: today's Workers semantics.
  const compatibilityDate = versionOf(bin).replace(/^workerd /, '');
  // workerd's default outbound network refuses loopback and private addresses. The smoke Worker
  // reaches the authorization server on 127.0.0.1 through a network service that allows "local"
  // (loopback) only: nothing else, not the private ranges, not the public internet.
  writeFileSync(
    join(work, 'workerd.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "smoke", worker = .smokeWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "smoke") ],
);
const smokeWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "${compatibilityDate}",
  globalOutbound = "loopback",
);
`,
  );
  const child = spawn(bin, ['serve', join(work, 'workerd.capnp')], { cwd: work, env: quietEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited ${child.exitCode}\n${log.trim()}`);
      if (Date.now() > deadline) throw new Error(`no verdict within ${RUN_TIMEOUT_MS} ms\n${log.trim()}`);
      let res;
      try {
        res = await fetch(`http://127.0.0.1:${port}/smoke`, { method: 'POST', body: JSON.stringify(config), signal: AbortSignal.timeout(deadline - Date.now()) });
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // not listening yet
        continue;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 500)}\n${log.trim()}`);
      return await res.json();
    }
  } finally {
    child.kill();
    await exited;
  }
}

/**
 * Spawns `bin`, kills it (by its pid) past the time limit, and collects its output.
 *
 * @param {string} bin
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function spawnBounded(bin, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no verdict within ${RUN_TIMEOUT_MS} ms\n${stderr.trim()}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A free TCP port on 127.0.0.1, for workerd's socket. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

// ── Run ─────────────────────────────────────────────────────────────────────────────────────────
const peer = await startPeer();
let passed = 0;
let failed = 0;
try {
  for (const runtime of runtimes) {
    const started = Date.now();
    let label = runtime.name;
    /** @type {Check[]} */
    let checks = [];
    let crash = '';
    try {
      const bin = runtime.binary();
      label = `${runtime.name} ${runtime.version(bin)}`;
      const verdict = await runtime.run(bin, peer.config);
      checks = verdict.checks;
      // The last step, from outside: oidc-provider accepts the authorization URL the runtime made
      // from the pushed request (it moves on to its login interaction).
      if (verdict.parUrl) {
        const t = Date.now();
        const outcome = await peer.authorize(verdict.parUrl);
        checks.push({ name: 'par-accepted', ok: outcome.accepted, ms: Date.now() - t, ...(outcome.accepted ? {} : { error: `oidc-provider: ${outcome.error}${outcome.error_description ? `: ${outcome.error_description}` : ''}` }) });
      }
    } catch (err) {
      crash = /** @type {Error} */ (err).message;
    }
    const bad = checks.filter((c) => !c.ok);
    const ok = !crash && bad.length === 0 && checks.length === EXPECTED_CHECKS;
    if (ok) passed++;
    else failed++;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${ok ? 'pass' : 'FAIL'}  ${label.padEnd(22)} ${checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}`).join('  ')}  (${seconds} s)`);
    for (const c of bad) console.log(`        ${c.name}: ${c.error}`.replace(/\n/g, '\n        '));
    if (crash) console.log(`        ${crash}`.replace(/\n/g, '\n        '));
    else if (!ok && bad.length === 0) console.log(`        expected ${EXPECTED_CHECKS} checks, got ${checks.length}`);
  }
} finally {
  await peer.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

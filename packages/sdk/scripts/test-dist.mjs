#!/usr/bin/env node
// Tests the built package as an artifact, the way a user receives it:
//   1. the client entry (dist/index.js and every chunk it imports) has no node: import and no Buffer
//   2. `pnpm pack` → the tarball: publint (strict) and are-the-types-wrong on it
//   3. the tarball installed with npm in a scratch project under .tmp/: for every entry point of the
//      exports map, ESM import and CJS require, the same export names both ways, and `tsc` resolving
//      the types of every runtime export (moduleResolution node16 for .mts and .cts, and bundler)
//   4. a request built through the installed client entry, verified through the installed server
//      entry, in ESM and in CJS
//   5. the size budget of the sign-only browser bundle (scripts/size.mjs)
//   6. no reference to documents outside the repository in the sources, tests, dist and README
// Run after the build: `pnpm test:dist` (root) or `node packages/sdk/scripts/test-dist.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(sdk, '../..');
const bin = (name) => join(repo, 'node_modules/.bin', name);
const work = join(repo, '.tmp/test-dist');
const pkg = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8'));

let failures = 0;
const step = (title) => console.log(`\n── ${title}`);
const ok = (what) => console.log(`  ✓ ${what}`);
const fail = (what) => {
  failures++;
  console.log(`  ✗ ${what}`);
};
function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}
/** Runs a command, prints its output on failure, and records the result. */
function check(what, cmd, args, opts = {}) {
  try {
    const out = sh(cmd, args, opts);
    ok(what);
    return out;
  } catch (err) {
    fail(`${what}\n${String(err.stdout ?? '')}${String(err.stderr ?? err.message)}`.replace(/\n/g, '\n      '));
    return undefined;
  }
}

if (!existsSync(join(sdk, 'dist/index.js'))) {
  console.error('dist/ is missing: run the build first (npx -y pnpm@10 build)');
  process.exit(1);
}

// The entry points: "." and "./x" of the exports map (package.json itself excluded).
const entries = Object.keys(pkg.exports).filter((k) => typeof pkg.exports[k] === 'object');
const specifier = (entry) => (entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`);

// ── 1. The client entry runs on Web APIs only.
step('client entry: no node: import, no Buffer (dist/index.js and the chunks it imports)');
{
  const builtins = new Set(builtinModules);
  const seen = new Set();
  const queue = [join(sdk, 'dist/index.js')];
  const bad = [];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (spec.startsWith('node:') || builtins.has(spec.split('/')[0])) bad.push(`${relative(sdk, file)} imports "${spec}"`);
    }
    if (/\bBuffer\b/.test(code)) bad.push(`${relative(sdk, file)} mentions Buffer`);
    if (/\bprocess\.(env|versions|nextTick)\b/.test(code)) bad.push(`${relative(sdk, file)} uses process.*`);
  }
  if (bad.length) for (const b of bad) fail(b);
  else ok(`${seen.size} files: ${[...seen].map((f) => relative(join(sdk, 'dist'), f)).join(', ')}`);
}
// The server entry is Web-API code too (README runtime table): no node: import in its static graph.
{
  const seen = new Set();
  const queue = [join(sdk, 'dist/server.js')];
  const bad = [];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) bad.push(`${relative(sdk, file)} imports "${spec}"`);
    }
  }
  if (bad.length) for (const b of bad) fail(b);
  else ok(`server entry: ${seen.size} files, no node: import`);
}

// ── 2. the tarball, as npm would publish it.
step('pnpm pack, publint, are-the-types-wrong');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
sh('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', work], { cwd: sdk });
const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
if (!tarball) {
  fail('pnpm pack produced no tarball');
  process.exit(1);
}
const tgz = join(work, tarball);
const listing = sh('tar', ['-tzf', tgz]).trim().split('\n');
ok(`${tarball}: ${listing.length} files`);
const stray = listing.filter((f) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE)/.test(f));
if (stray.length) fail(`files outside dist/ in the tarball: ${stray.join(', ')}`);
if (!listing.includes('package/dist/cli.js')) fail('the tarball lacks dist/cli.js (the bin)');
if (!listing.includes('package/README.md')) fail('the tarball has no README.md (the prepack script copies the root one)');
check('publint --strict', bin('publint'), ['run', tgz, '--strict']);
// Profile node16: subpath exports cannot resolve under TypeScript's legacy node10 resolution
// (`moduleResolution: "node"`), which predates `exports`; node16/nodenext and bundler are checked.
check('attw --profile node16 (every entry point; node16 CJS and ESM, bundler)', bin('attw'), [tgz, '--profile', 'node16', '--format', 'table-flipped', '--no-emoji', '--no-color']);

// ── 3. the tarball in a scratch project.
step('install the tarball in a scratch project (npm)');
const app = join(work, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, version: '0.0.0' }, null, 2));
// Optional peers (redis for oauth-jar/redis) are not installed by npm: an entry that needs them does.
const optionalPeers = Object.keys(pkg.peerDependencies ?? {}).map((name) => `${name}@${pkg.peerDependencies[name]}`);
const typesNode = `@types/node@${pkg.devDependencies?.['@types/node'] ?? '20'}`;
check(`npm install ${tarball} ${[...optionalPeers, typesNode].join(' ')}`, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tgz, ...optionalPeers, typesNode], { cwd: app });
const installed = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8'));
if (installed.version !== pkg.version) fail('the installed package is not the packed one');

step('ESM import and CJS require of every entry point');
const namesOf = {};
for (const entry of entries) {
  const spec = specifier(entry);
  const esm = check(`import('${spec}')`, process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m).sort()))`], { cwd: app });
  const cjs = check(`require('${spec}')`, process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(spec)})).sort()))`], { cwd: app });
  if (esm === undefined || cjs === undefined) continue;
  const e = JSON.parse(esm);
  const c = JSON.parse(cjs).filter((n) => n !== '__esModule');
  if (JSON.stringify(e) !== JSON.stringify(c)) fail(`${spec}: ESM exports ${e.join(',')} ≠ CJS exports ${c.join(',')}`);
  else if (e.length === 0) fail(`${spec} exports nothing`);
  else ok(`${spec}: the same ${e.length} exports in ESM and CJS`);
  namesOf[entry] = e;
}
// oauth-jar/server: Node (import and require) resolves the Node build, which checks resolved
// addresses; the Web-API build exports the same names.
{
  const resolved = check('oauth-jar/server under Node: the "node" condition', process.execPath, [
    '--input-type=module',
    '-e',
    `import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const web = await import(new URL('./node_modules/${pkg.name}/dist/server.js', 'file://' + process.cwd() + '/').href);
const node = await import('${pkg.name}/server');
console.log(JSON.stringify({ esm: import.meta.resolve('${pkg.name}/server'), cjs: require.resolve('${pkg.name}/server'), same: JSON.stringify(Object.keys(web).sort()) === JSON.stringify(Object.keys(node).sort()) }));`,
  ], { cwd: app });
  if (resolved !== undefined) {
    const r = JSON.parse(resolved);
    if (!r.esm.endsWith('/dist/server-node.js') || !r.cjs.endsWith('/dist/server-node.cjs')) fail(`oauth-jar/server resolves to ${r.esm} / ${r.cjs}, not the Node build`);
    else if (!r.same) fail('the Node and Web-API builds of oauth-jar/server export different names');
    else ok('oauth-jar/server → dist/server-node.js (import) and .cjs (require), the same exports as dist/server.js');
  }
}
const bare = check('the bin: node_modules/.bin/oauth-jar --help', join(app, 'node_modules/.bin/oauth-jar'), ['--help'], { cwd: app });
if (bare !== undefined && !bare.includes('oauth-jar inspect')) fail('oauth-jar --help does not describe inspect');

step('tsc: the types of every runtime export resolve (node16 ESM and CJS, bundler)');
{
  const importAll = (entry, i) => {
    const names = namesOf[entry];
    return `import { ${names.map((n) => `${n} as e${i}_${n}`).join(', ')} } from '${specifier(entry)}';\nexport const e${i} = [${names.map((n) => `e${i}_${n}`).join(', ')}];\n`;
  };
  // A type that comes from jose must be a real type, not `any` from a failed resolution.
  const notAny = `import type { JWK } from '${pkg.name}';\n// @ts-expect-error a JWK is an object\nexport const notAJwk: JWK = 5;\n`;
  const body = entries.filter((e) => namesOf[e]).map(importAll).join('') + notAny;
  writeFileSync(join(app, 'esm.mts'), body);
  writeFileSync(join(app, 'cjs.cts'), body);
  writeFileSync(join(app, 'bundler.ts'), body);
  const base = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] };
  writeFileSync(join(app, 'tsconfig.node16.json'), JSON.stringify({ compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' }, files: ['esm.mts', 'cjs.cts'] }));
  writeFileSync(join(app, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['bundler.ts'] }));
  check('tsc -p tsconfig.node16.json (import from .mts, require from .cts)', bin('tsc'), ['-p', 'tsconfig.node16.json'], { cwd: app });
  check('tsc -p tsconfig.bundler.json', bin('tsc'), ['-p', 'tsconfig.bundler.json'], { cwd: app });
}

step('README: every ```ts snippet type-checks against the installed package');
{
  // Placeholders such as clientPrivateKey are left undeclared: "Cannot find name" (TS2304) is
  // tolerated, every other error (a renamed export, a wrong option) fails.
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const files = snippets.map((code, i) => {
    const file = `readme-${i}.mts`;
    writeFileSync(join(app, file), `${code}\nexport {};\n`);
    return file;
  });
  writeFileSync(join(app, 'tsconfig.readme.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] }, files }));
  let out = '';
  try {
    sh(bin('tsc'), ['-p', 'tsconfig.readme.json', '--pretty', 'false'], { cwd: app });
  } catch (err) {
    out = String(err.stdout ?? '');
  }
  const errors = out.split('\n').filter((l) => /error TS\d+/.test(l) && !/error TS2304/.test(l));
  if (errors.length) fail(`README snippets:\n${errors.join('\n')}`.replace(/\n/g, '\n      '));
  else ok(`${snippets.length} snippets`);
}

// ── 4. it works, not only loads: client builds, server verifies, through the installed package.
step('a signed and an encrypted request, built and verified through the installed package');
{
  const program = (load) => `
${load}
const { generateKeyPair, exportJWK } = jose;
const sig = await generateKeyPair('ES256', { extractable: true });
const enc = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
const issuer = 'https://as.example';
const client = { client_id: 'c1', jwks: { keys: [{ ...(await exportJWK(sig.publicKey)), kid: 'k1' }] } };
const verifier = new server.RequestObjectVerifier({
  issuer, getClient: (id) => (id === 'c1' ? client : undefined),
  decryptionKeys: { keys: [{ ...(await exportJWK(enc.privateKey)), kid: 'e1' }] },
});
for (const encrypt of [false, true]) {
  let b = new client_.AuthorizationRequestBuilder('code', 'c1').endpoint(issuer + '/authorize').audience(issuer)
    .redirectUri('https://rp.example/cb').scope('openid').signWith(sig.privateKey, { alg: 'ES256', kid: 'k1' });
  if (encrypt) b = b.encryptWith(enc.publicKey, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'e1' });
  const request = await b.build();
  const verified = await verifier.verify(request.url.searchParams);
  if (verified.parameters.scope !== 'openid' || (verified.requestObject.encryptionHeader !== undefined) !== encrypt) throw new Error('unexpected result');
}
console.log('ok');
`;
  const esm = `const client_ = await import('${pkg.name}'); const server = await import('${pkg.name}/server'); const jose = await import('jose');`;
  const cjs = `const client_ = require('${pkg.name}'); const server = require('${pkg.name}/server'); const jose = require('jose');`;
  writeFileSync(join(app, 'roundtrip.mjs'), program(esm));
  writeFileSync(join(app, 'roundtrip.cjs'), `(async () => {${program(cjs)}})().catch((e) => { console.error(e); process.exit(1); });`);
  check('ESM: build (signed, nested) → verify', process.execPath, ['roundtrip.mjs'], { cwd: app });
  check('CJS: build (signed, nested) → verify', process.execPath, ['roundtrip.cjs'], { cwd: app });
}

// ── 6. the repository documents itself: code, tests, the shipped files and the README cite RFC
// sections or the repository's own docs/, never notes that readers of the package do not have.
step('no reference to documents outside the repository (src, test, dist, README)');
{
  // The names of outside notes, and a tracker's item named as a word ("issuer", "issued" and
  // the verb "issues" do not match). Assembled from parts so that this line does not match itself.
  const outside = [new RegExp(['SPEC', 'NOTES'].join('-')), new RegExp(['STYLE', 'md'].join('\\.')), new RegExp(`\\b${'iss'}ue\\b`, 'i')];
  const roots = [
    ...readdirSync(join(repo, 'packages')).flatMap((p) => ['src', 'test'].map((d) => join(repo, 'packages', p, d))),
    join(sdk, 'dist'),
    join(repo, 'README.md'),
  ].filter((p) => existsSync(p));
  const files = (path) => {
    try {
      return readdirSync(path, { withFileTypes: true }).flatMap((e) => (e.name === 'node_modules' ? [] : files(join(path, e.name))));
    } catch {
      return [path];
    }
  };
  const found = [];
  for (const file of roots.flatMap(files)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (outside.some((re) => re.test(line))) found.push(`${relative(repo, file)}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  if (found.length === 0) ok(`${roots.length} roots searched`);
  else fail(`references to documents outside the repository:\n${found.join('\n')}`);
}

// ── 5. the browser size budget.
step('size budget (scripts/size.mjs)');
if (existsSync(join(sdk, 'scripts/size.mjs'))) {
  try {
    execFileSync(process.execPath, [join(sdk, 'scripts/size.mjs')], { stdio: 'inherit' });
    ok('within budget');
  } catch {
    fail('size budget exceeded (see above)');
  }
}

console.log(failures ? `\n${failures} check(s) failed` : '\nthe package artifact is fine');
process.exit(failures ? 1 : 0);

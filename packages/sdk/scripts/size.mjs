#!/usr/bin/env node
// The browser size of the client entry (docs/performance.md, "Bundle"): keep the sign-only path
// near jose's own size, with nothing server-side and no ky up front.
//
// esbuild bundles tiny apps against the built dist/ (minify, platform browser, format esm, code
// splitting), the way a browser app's bundler would, and measures min and min+gzip bytes:
//   - jose:       `new SignJWT(claims).setProtectedHeader(…).sign(key)` only — the baseline
//   - sign:       `new AuthorizationRequestBuilder(…).signWith(…).build()`
//   - sign+enc:   the same with `.encryptWith(…)` (reported, no target)
//   - jose+enc:   SignJWT + CompactEncrypt — the baseline of sign+enc
// Three figures per app: what a page loads up front (the entry chunk and the chunks it imports
// statically); what it has loaded once build() has run (plus the chunks the up-front code imports
// dynamically, with their static imports); and the total with every lazy chunk (JWE, the jwks_uri
// fetch with ky, JWK import: loaded only by an app that uses them).
// The target: the sign-only app loads at most jose's SignJWT app + 4 KB min+gzip up front, loads no
// ky up front and no oauth-jar/server code anywhere. The script fails (exit 1) when it does not and
// then lists what the sign-only app loads beyond jose's (esbuild metafile).
// The same apps built by rollup (as vite does) are reported for comparison.
//
// Usage: node packages/sdk/scripts/size.mjs [--json]   (after the build; root: `pnpm size`)
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { rollup } from 'rollup';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(sdk, 'dist/index.js');
// The target (docs/performance.md): the sign-only app's up-front code ≤ jose's SignJWT app + 4 KB
// min+gzip. The builder's setters with their checks and messages load up front; the build stages
// (claims, signing with jose, URL) load with the first build().
const TARGET_OVER_JOSE = 4096; // bytes, min+gzip

if (!existsSync(dist)) {
  console.error('dist/ is missing: run the build first (npx -y pnpm@10 build)');
  process.exit(1);
}

const apps = {
  jose: `
    import { SignJWT } from 'jose';
    export async function sign(key) {
      return new SignJWT({ client_id: 'c', response_type: 'code', scope: 'openid' })
        .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
        .setIssuer('c').setAudience('https://as.example').setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID())
        .sign(key);
    }`,
  sign: `
    import { AuthorizationRequestBuilder } from 'oauth-jar';
    export async function sign(key) {
      const request = await new AuthorizationRequestBuilder('code', 'c')
        .endpoint('https://as.example/authorize').audience('https://as.example').scope('openid')
        .signWith(key, { alg: 'ES256' })
        .build();
      return request.url.href;
    }`,
  'jose+enc': `
    import { SignJWT, CompactEncrypt } from 'jose';
    export async function sign(key, encKey) {
      const jws = await new SignJWT({ client_id: 'c', response_type: 'code', scope: 'openid' })
        .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
        .setIssuer('c').setAudience('https://as.example').setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID())
        .sign(key);
      return new CompactEncrypt(new TextEncoder().encode(jws)).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT' }).encrypt(encKey);
    }`,
  'sign+enc': `
    import { AuthorizationRequestBuilder } from 'oauth-jar';
    export async function sign(key, encKey) {
      const request = await new AuthorizationRequestBuilder('code', 'c')
        .endpoint('https://as.example/authorize').audience('https://as.example').scope('openid')
        .signWith(key, { alg: 'ES256' })
        .encryptWith(encKey, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' })
        .build();
      return request.url.href;
    }`,
};

// Strings that only ky / oauth-jar/server contain (ky's body-init probe; the verifier's OAuth codes).
const MARKERS = {
  ky: ['unsupported BodyInit type', 'ForceRetryError'],
  server: ['invalid_request_object', 'request_uri_not_supported', 'PAR store'],
};

async function measure(name, contents) {
  // splitting: a dynamic import() becomes a lazy chunk, as in a browser app's bundler.
  const result = await build({
    stdin: { contents, resolveDir: sdk, sourcefile: `${name}.mjs`, loader: 'js' },
    bundle: true,
    splitting: true,
    outdir: resolve(sdk, '.size-out'), // not written (write: false)
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    legalComments: 'none',
    alias: { 'oauth-jar': dist },
    logLevel: 'silent',
  });
  const outputs = result.outputFiles.filter((f) => f.path.endsWith('.js'));
  const meta = result.metafile.outputs;
  const fileOf = (metaPath) => outputs.find((f) => f.path === resolve(metaPath));
  // What the page loads up front: the entry chunk and, transitively, the chunks it imports
  // statically (esbuild moves code shared with a lazy chunk into a chunk of its own).
  // The app's own entry (stdin): each dynamic import() is an entry point of the metafile too, and
  // esbuild lists outputs in no guaranteed order.
  const isApp = (entry) => entry === `${name}.mjs` || entry?.endsWith(`/${name}.mjs`);
  const entryPath = Object.keys(meta).find((p) => isApp(meta[p].entryPoint));
  const initialPaths = new Set();
  const queue = [entryPath];
  while (queue.length) {
    const p = queue.pop();
    if (initialPaths.has(p)) continue;
    initialPaths.add(p);
    for (const i of meta[p].imports) if (i.kind === 'import-statement' && meta[i.path]) queue.push(i.path);
  }
  const initial = [...initialPaths].map(fileOf);
  const lazy = outputs.filter((f) => !initial.includes(f));
  // What build() loads: the up-front code's dynamic imports and, transitively, their static imports.
  const builtPaths = new Set(initialPaths);
  const next = [...initialPaths].flatMap((p) => meta[p].imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  while (next.length) {
    const p = next.pop();
    if (builtPaths.has(p) || !meta[p]) continue;
    builtPaths.add(p);
    for (const i of meta[p].imports) if (i.kind === 'import-statement') next.push(i.path);
  }
  const afterBuild = [...builtPaths].map(fileOf);
  const text = (files) => files.map((f) => new TextDecoder().decode(f.contents)).join('\n');
  const inputs = [...initialPaths]
    .flatMap((p) => Object.entries(meta[p].inputs))
    .map(([path, { bytesInOutput }]) => ({ path: relative(sdk, resolve(sdk, path)), bytes: bytesInOutput }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const found = [];
  // ky: not in what the page loads up front. Server code: nowhere, not even in a lazy chunk.
  if (inputs.some((i) => /node_modules[\\/](\.pnpm[\\/]ky@[^\\/]+[\\/]node_modules[\\/])?ky[\\/]/.test(i.path))) found.push('ky (module loaded up front)');
  for (const marker of MARKERS.ky) if (text(initial).includes(marker)) found.push(`ky (marker "${marker}" loaded up front)`);
  for (const marker of MARKERS.server) if (text(outputs).includes(marker)) found.push(`oauth-jar/server code (marker "${marker}")`);
  // Gzip per file, as a browser fetches them.
  const gz = (f) => gzipSync(f.contents, { level: 9 }).byteLength;
  const sum = (files, f) => files.reduce((n, file) => n + f(file), 0);
  return {
    name,
    min: sum(initial, (f) => f.contents.byteLength),
    gzip: sum(initial, gz),
    builtGzip: sum(afterBuild, gz),
    lazyGzip: sum(lazy, gz),
    totalGzip: sum(outputs, gz),
    inputs,
    found,
  };
}

/**
 * The same app through rollup (what vite's production build runs), each chunk minified by esbuild:
 * rollup assigns modules to chunks after tree-shaking, so code that only a dynamic import() needs
 * (the builder's JWE and jwks_uri paths) stays in a lazy chunk; esbuild's splitting puts every
 * module of a package shared by two chunks (jose) into the shared chunk. Reported, not budgeted.
 */
async function measureRollup(name, contents) {
  const bundle = await rollup({
    input: 'app',
    // jose, ky and oauth-jar all declare "sideEffects": false
    treeshake: { moduleSideEffects: false },
    onwarn: () => {},
    plugins: [
      {
        name: 'app',
        resolveId(source, importer) {
          if (source === 'app') return '\0app';
          if (source === 'oauth-jar') return dist;
          if (source.startsWith('.') || source.startsWith('/')) return null;
          return createRequire(importer && !importer.startsWith('\0') ? importer : `${sdk}/`).resolve(source);
        },
        load: (id) => (id === '\0app' ? contents : null),
      },
    ],
  });
  const { output } = await bundle.generate({ format: 'es', hoistTransitiveImports: false });
  await bundle.close();
  const chunks = new Map(output.filter((o) => o.type === 'chunk').map((c) => [c.fileName, c]));
  const initial = new Set();
  const queue = [[...chunks.values()].find((c) => c.isEntry).fileName];
  while (queue.length) {
    const f = queue.pop();
    if (initial.has(f)) continue;
    initial.add(f);
    queue.push(...chunks.get(f).imports.filter((i) => chunks.has(i)));
  }
  let gzip = 0;
  let min = 0;
  let lazyGzip = 0;
  let ky = false;
  for (const [file, chunk] of chunks) {
    const { code } = await transform(chunk.code, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' });
    const bytes = Buffer.from(code);
    const z = gzipSync(bytes, { level: 9 }).byteLength;
    if (initial.has(file)) {
      min += bytes.byteLength;
      gzip += z;
      ky ||= Object.keys(chunk.modules).some((m) => /[\\/]node_modules[\\/](\.pnpm[\\/]ky@[^\\/]+[\\/]node_modules[\\/])?ky[\\/]/.test(m));
    } else lazyGzip += z;
  }
  return { name, min, gzip, lazyGzip, ky };
}

const results = {};
for (const [name, contents] of Object.entries(apps)) results[name] = await measure(name, contents);
const viaRollup = {};
for (const [name, contents] of Object.entries(apps)) viaRollup[name] = await measureRollup(name, contents);

const limit = results.jose.gzip + TARGET_OVER_JOSE;
const problems = [];
if (results.sign.gzip > limit) problems.push(`sign-only app loads ${results.sign.gzip} B gzip up front > jose SignJWT ${results.jose.gzip} B + ${TARGET_OVER_JOSE} B = ${limit} B`);
for (const name of ['sign', 'sign+enc']) {
  for (const f of results[name].found) problems.push(`${name} bundle contains ${f}`);
}

if (process.argv.includes('--json')) {
  const summary = Object.fromEntries(
    Object.values(results).map(({ name, min, gzip, builtGzip, lazyGzip, totalGzip }) => [name, { min, gzip, builtGzip, lazyGzip, totalGzip }]),
  );
  const rollupSummary = Object.fromEntries(Object.values(viaRollup).map(({ name, min, gzip, lazyGzip, ky }) => [name, { min, gzip, lazyGzip, ky }]));
  console.log(JSON.stringify({ esbuild: summary, rollup: rollupSummary, target: { sign: limit, pass: results.sign.gzip <= limit }, problems }, null, 2));
} else {
  const table = (title, rows, built) => {
    console.log(title);
    const cols = built ? `${'after build()'.padStart(14)} ${'all chunks'.padStart(11)}` : 'lazy chunks (gzip)';
    console.log(`  ${'app'.padEnd(10)} ${'min'.padStart(7)} ${'min+gzip'.padStart(9)} ${'vs jose'.padStart(8)}  ${cols}`);
    for (const [name, base] of [['jose'], ['sign', 'jose'], ['jose+enc'], ['sign+enc', 'jose+enc']]) {
      const r = rows[name];
      const delta = base ? `${r.gzip - rows[base].gzip >= 0 ? '+' : ''}${r.gzip - rows[base].gzip}` : '';
      const more = built ? `${String(r.builtGzip).padStart(14)} ${String(r.totalGzip).padStart(11)}` : `${r.lazyGzip || ''}`;
      console.log(`  ${name.padEnd(10)} ${String(r.min).padStart(7)} ${String(r.gzip).padStart(9)} ${delta.padStart(8)}  ${more}`);
    }
  };
  table('browser bundles (esbuild --bundle --splitting --minify --platform=browser --format=esm), bytes; min, min+gzip: up front; then min+gzip', results, true);
  table('the same through rollup (as vite builds), chunks minified by esbuild, for comparison:', viaRollup, false);
  const pass = results.sign.gzip <= limit;
  console.log(
    `  target: sign-only app up front ≤ jose SignJWT + ${TARGET_OVER_JOSE} = ${limit} B min+gzip, no ky up front, no server code: ` +
      `${results.sign.gzip} B (jose + ${results.sign.gzip - results.jose.gzip}) ${pass && problems.length === 0 ? 'PASS' : 'MISS'}`,
  );
  console.log(`  total with the lazy chunks: ${results.sign.totalGzip} B min+gzip (${results.sign.builtGzip} B once build() has run; the rest only for encryption, jwks_uri keys, JWK import)`);
}

if (problems.length) {
  console.error('\nSIZE TARGET MISSED:');
  for (const p of problems) console.error(`  - ${p}`);
  // Why: what the sign-only app loads up front that jose's own SignJWT app does not.
  const baseline = new Map(results.jose.inputs.map((i) => [i.path, i.bytes]));
  const extra = results.sign.inputs
    .map((i) => ({ ...i, bytes: i.bytes - (baseline.get(i.path) ?? 0) }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const total = extra.reduce((n, i) => n + i.bytes, 0);
  console.error(`\nloaded up front by the sign-only app beyond jose's SignJWT app: ${total} B minified (esbuild metafile, bytes in output):`);
  for (const i of extra.slice(0, 20)) console.error(`  ${String(i.bytes).padStart(7)}  ${i.path.replace(/^.*node_modules\//, '')}`);
  process.exit(1);
}

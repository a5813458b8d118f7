#!/usr/bin/env node
// The browser size budget of the client entry (issue 5; SPEC-NOTES §6: "keep the sign-only path
// near jose's own size, with ky only behind the publishers").
//
// esbuild bundles tiny apps against the built dist/ (minify, platform browser, format esm), the way
// a browser app's bundler would, and measures min and min+gzip bytes:
//   - jose:       `new SignJWT(claims).setProtectedHeader(…).sign(key)` only — the baseline
//   - sign:       `new AuthorizationRequestBuilder(…).signWith(…).build()`
//   - sign+enc:   the same with `.encryptWith(…)` (reported, no budget)
//   - jose+enc:   SignJWT + CompactEncrypt — the baseline of sign+enc
// It fails when the sign-only bundle is larger than the jose baseline + 1.5 KB gzip, or when a
// client bundle contains ky or code of oauth-jar/server. On failure it lists the largest inputs
// (esbuild metafile) so the cause can be found.
//
// Usage: node packages/sdk/scripts/size.mjs [--json]   (after the build; root: `pnpm size`)
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(sdk, 'dist/index.js');
const BUDGET_OVER_JOSE = 1536; // bytes, min+gzip

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
  // splitting: a dynamic import() becomes a lazy chunk, as in a browser app's bundler (vite,
  // rollup, webpack); the budget is the entry chunk, what a sign-only page downloads.
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
  const entryPath = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint)[0];
  const entry = outputs.find((f) => f.path.endsWith(entryPath.split('/').pop()));
  const lazy = outputs.filter((f) => f !== entry);
  const text = (files) => files.map((f) => new TextDecoder().decode(f.contents)).join('\n');
  const inputsOf = (out) =>
    Object.entries(out.inputs)
      .map(([path, { bytesInOutput }]) => ({ path: relative(sdk, resolve(sdk, path)), bytes: bytesInOutput }))
      .filter((i) => i.bytes > 0);
  const inputs = inputsOf(result.metafile.outputs[entryPath]).sort((a, b) => b.bytes - a.bytes);
  const found = [];
  // ky: not in what the page loads up front. Server code: nowhere, not even in a lazy chunk.
  if (inputs.some((i) => /node_modules[\\/](\.pnpm[\\/]ky@[^\\/]+[\\/]node_modules[\\/])?ky[\\/]/.test(i.path))) found.push('ky (module in the entry chunk)');
  for (const marker of MARKERS.ky) if (text([entry]).includes(marker)) found.push(`ky (marker "${marker}" in the entry chunk)`);
  for (const marker of MARKERS.server) if (text(outputs).includes(marker)) found.push(`oauth-jar/server code (marker "${marker}")`);
  const gz = (f) => gzipSync(f.contents, { level: 9 }).byteLength;
  return {
    name,
    min: entry.contents.byteLength,
    gzip: gz(entry),
    lazyGzip: lazy.reduce((n, f) => n + gz(f), 0),
    inputs,
    found,
  };
}

const results = {};
for (const [name, contents] of Object.entries(apps)) results[name] = await measure(name, contents);

const limit = results.jose.gzip + BUDGET_OVER_JOSE;
const problems = [];
if (results.sign.gzip > limit) problems.push(`sign-only bundle ${results.sign.gzip} B gzip > jose SignJWT ${results.jose.gzip} B + ${BUDGET_OVER_JOSE} B = ${limit} B`);
for (const name of ['sign', 'sign+enc']) {
  for (const f of results[name].found) problems.push(`${name} bundle contains ${f}`);
}

if (process.argv.includes('--json')) {
  const summary = Object.fromEntries(Object.values(results).map(({ name, min, gzip, lazyGzip }) => [name, { min, gzip, lazyGzip }]));
  console.log(JSON.stringify({ ...summary, budget: { sign: limit }, problems }, null, 2));
} else {
  console.log('browser bundles (esbuild --bundle --minify --platform=browser --format=esm), bytes:');
  console.log(`  ${'app'.padEnd(10)} ${'min'.padStart(7)} ${'min+gzip'.padStart(9)} ${'vs jose'.padStart(8)}  lazy chunks (gzip)`);
  for (const [name, base] of [['jose'], ['sign', 'jose'], ['jose+enc'], ['sign+enc', 'jose+enc']]) {
    const r = results[name];
    const delta = base ? `${r.gzip - results[base].gzip >= 0 ? '+' : ''}${r.gzip - results[base].gzip}` : '';
    console.log(`  ${name.padEnd(10)} ${String(r.min).padStart(7)} ${String(r.gzip).padStart(9)} ${delta.padStart(8)}  ${r.lazyGzip || ''}`);
  }
  console.log(`  budget: sign ≤ jose + ${BUDGET_OVER_JOSE} = ${limit} B gzip; no ky, no server code`);
}

if (problems.length) {
  console.error('\nSIZE BUDGET FAILED:');
  for (const p of problems) console.error(`  - ${p}`);
  console.error('\nlargest inputs of the sign-only entry chunk (bytes in the minified output):');
  for (const i of results.sign.inputs.slice(0, 15)) console.error(`  ${String(i.bytes).padStart(7)}  ${i.path}`);
  process.exit(1);
}

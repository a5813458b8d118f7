// Bundle: the min+gzip size of small browser apps (esbuild: bundle, esm, platform browser, minify,
// code splitting; gzip level 9 with node:zlib) that make a request object with oauth-jar's built dist, with jose
// alone, and with oauth4webapi. Target (docs/performance.md): the sign-only app with oauth-jar loads
// at most jose's SignJWT-only app + 4 KB min+gzip up front, and no ky up front. The build stages load
// with the first build() (reported as "on demand"). scripts/size.mjs checks the same target in CI;
// this is the bench report, kept independent of it.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const SLACK = 4096; // 4 KB min+gzip
const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const dist = JSON.stringify(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

const apps = {
  'oauth-jar sign': `
    import { AuthorizationRequestBuilder } from ${dist};
    export async function authorizeUrl(key) {
      const r = await new AuthorizationRequestBuilder('code', 'client').endpoint('https://as.example.com/authorize')
        .audience('https://as.example.com').redirectUri('https://rp.example.com/cb').scope('openid')
        .signWith(key, { alg: 'ES256' }).build();
      return r.url.href;
    }`,
  'oauth-jar sign+encrypt': `
    import { AuthorizationRequestBuilder } from ${dist};
    export async function authorizeUrl(key, asKey) {
      const r = await new AuthorizationRequestBuilder('code', 'client').endpoint('https://as.example.com/authorize')
        .audience('https://as.example.com').redirectUri('https://rp.example.com/cb').scope('openid')
        .signWith(key, { alg: 'ES256' }).encryptWith(asKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }).build();
      return r.url.href;
    }`,
  'jose SignJWT': `
    import { SignJWT } from 'jose';
    export function requestObject(key, claims) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
        .setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID()).sign(key);
    }`,
  'jose SignJWT+CompactEncrypt': `
    import { SignJWT, CompactEncrypt } from 'jose';
    export async function requestObject(key, asKey, claims) {
      const jws = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
        .setIssuedAt().setExpirationTime('5m').setJti(crypto.randomUUID()).sign(key);
      return new CompactEncrypt(new TextEncoder().encode(jws)).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' }).encrypt(asKey);
    }`,
  'oauth4webapi issueRequestObject': `
    import { issueRequestObject } from 'oauth4webapi';
    export function requestObject(key, params) {
      return issueRequestObject({ issuer: 'https://as.example.com' }, { client_id: 'client' }, params, key);
    }`,
};

// Code splitting on, as an app's bundler does: what a page loads up front is the entry chunk and
// the chunks it imports statically; chunks reached only by import() load on demand ("lazy"). Each
// file is gzipped on its own, as a server sends it.
async function size(source) {
  const out = await build({
    stdin: { contents: source, resolveDir: sdkDir, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, splitting: true,
    outdir: '/bench-out', write: false, metafile: true, logLevel: 'silent',
  });
  const outputs = out.metafile.outputs;
  const bytes = new Map(out.outputFiles.map((f) => [basename(f.path), f.contents]));
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint !== undefined);
  const initial = new Set();
  const visit = (file) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  const measure = (files) => {
    let min = 0, gzip = 0;
    const inputs = new Set();
    for (const f of files) {
      const code = bytes.get(basename(f));
      min += code.byteLength;
      gzip += gzipSync(code, { level: 9 }).byteLength;
      for (const i of Object.keys(outputs[f].inputs)) inputs.add(i);
    }
    return { min, gzip, inputs: [...inputs] };
  };
  const up = measure(initial);
  const lazy = measure(Object.keys(outputs).filter((f) => !initial.has(f) && f.endsWith('.js')));
  const isKy = (p) => /(^|\/)node_modules\/(\.pnpm\/)?ky[@/]/.test(p);
  return {
    min: up.min,
    gzip: up.gzip,
    ky: up.inputs.some(isKy),
    lazyMin: lazy.min,
    lazyGzip: lazy.gzip,
    lazyKy: lazy.inputs.some(isKy),
    node: up.inputs.some((p) => p.startsWith('node:')),
  };
}

export async function bundleSuite() {
  const sizes = {};
  for (const [name, source] of Object.entries(apps)) sizes[name] = await size(source);
  const rows = Object.entries(sizes).map(([name, s]) => ({ suite: 'bundle', id: name, ...s }));
  const sdk = sizes['oauth-jar sign'];
  const jose = sizes['jose SignJWT'];
  const budget = jose.gzip + SLACK;
  rows.find((r) => r.id === 'oauth-jar sign').check = {
    target: `<= jose SignJWT + 4 KB min+gzip up front (${budget} B), no ky`,
    pass: sdk.gzip <= budget && !sdk.ky,
    overJose: sdk.gzip - jose.gzip,
  };
  return rows;
}

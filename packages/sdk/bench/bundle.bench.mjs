// Bundle: the min+gzip size of small browser apps (esbuild: bundle, esm, platform browser, minify;
// gzip level 9 with node:zlib) that make a request object with oauth-jar's built dist, with jose
// alone, and with oauth4webapi. Target (issue 6): the sign-only app with oauth-jar is at most jose's
// SignJWT-only app + 1.5 KB gzip, and pulls in no ky. (scripts/size.mjs is the CI size budget; this
// is the bench report, kept independent of it.)
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const SLACK = 1536; // 1.5 KB gzip
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

async function size(source) {
  const out = await build({
    stdin: { contents: source, resolveDir: sdkDir, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
    write: false, metafile: true, logLevel: 'silent',
  });
  const code = out.outputFiles[0].contents;
  const inputs = Object.keys(out.metafile.inputs);
  return {
    min: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    ky: inputs.some((p) => /(^|\/)node_modules\/(\.pnpm\/)?ky[@/]/.test(p)),
    node: inputs.some((p) => p.startsWith('node:')),
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
    target: `<= jose SignJWT + 1.5 KB gzip (${budget} B), no ky`,
    pass: sdk.gzip <= budget && !sdk.ky,
    overJose: sdk.gzip - jose.gzip,
  };
  const sdkEnc = sizes['oauth-jar sign+encrypt'];
  const joseEnc = sizes['jose SignJWT+CompactEncrypt'];
  rows.find((r) => r.id === 'oauth-jar sign+encrypt').check = {
    target: `<= jose SignJWT+CompactEncrypt + 1.5 KB gzip (${joseEnc.gzip + SLACK} B), no ky (report only)`,
    pass: sdkEnc.gzip <= joseEnc.gzip + SLACK && !sdkEnc.ky,
    overJose: sdkEnc.gzip - joseEnc.gzip,
  };
  return rows;
}

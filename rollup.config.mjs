// Builds packages/sdk into dist/: ESM (.js), CJS (.cjs) and bundled types (.d.ts / .d.cts) for
// every entry point of the package's `exports` map. An export "./x" is built from src/x.ts
// ("." from src/index.ts), so adding an entry point is one line in package.json.
// Dependencies and peer dependencies stay external: they are never bundled.
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';

const root = new URL('./packages/sdk/', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

const input = {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (typeof target !== 'object') continue; // "./package.json"
  const name = subpath === '.' ? 'index' : subpath.slice(2);
  input[name] = new URL(`src/${name}.ts`, root).pathname;
}
// Runtime-specific builds behind export conditions (e.g. "./server" → "node" → dist/server-node.js,
// built from src/server-node.ts): every `default` file of the map is an input. Their types are the
// entry's own, so only the JavaScript build takes them.
const jsInput = { ...input };
const defaults = (target) =>
  typeof target === 'string' ? [] : Object.entries(target).flatMap(([k, v]) => (k === 'default' && typeof v === 'string' ? [v] : defaults(v)));
for (const file of Object.values(pkg.exports).flatMap(defaults)) {
  const name = file.replace(/^\.\/dist\//, '').replace(/\.c?js$/, '');
  jsInput[name] ??= new URL(`src/${name}.ts`, root).pathname;
}

const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
const external = (id) =>
  id.startsWith('node:') || builtinModules.includes(id) || deps.some((d) => id === d || id.startsWith(`${d}/`));

const dist = new URL('dist/', root).pathname;

// jose and ky are ESM-only: a .d.cts that imports their types must say so, or TypeScript (node16,
// skipLibCheck off) reports TS1479 in CJS projects. Types only, so `import type … with
// { 'resolution-mode': 'import' }` (TypeScript 5.3+) is exact; the runtime require(esm) is Node's.
const esmOnly = deps.filter((d) => {
  try {
    return JSON.parse(readFileSync(new URL(`node_modules/${d}/package.json`, root), 'utf8')).type === 'module';
  } catch {
    return false;
  }
});
const esmOnlyTypes = {
  name: 'esm-only-types',
  renderChunk: (code) =>
    code.replace(/^(import|export) \{([^}]*)\} from '([^']+)';$/gm, (line, kind, names, id) =>
      esmOnly.includes(id) ? `${kind} type {${names}} from '${id}' with { 'resolution-mode': 'import' };` : line),
};

// The `oauth-jar` CLI (package.json `bin`): ESM only, not an export. Its imports of the entry
// barrels stay imports of the built entry points, so it runs the very code the package exports.
const barrels = new Set(['./index.js', './server.js', './node.js', './probe.js']);
const cli = {
  input: { cli: new URL('src/cli.ts', root).pathname },
  external,
  treeshake: { moduleSideEffects: false },
  plugins: [
    { name: 'entry-barrels', resolveId: (source, importer) => (importer?.endsWith('/src/cli.ts') && barrels.has(source) ? { id: source, external: true } : null) },
    esbuild({ target: 'es2022', tsconfig: new URL('tsconfig.json', root).pathname }),
  ],
  output: { dir: dist, format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/cli-[name]-[hash].js', banner: '#!/usr/bin/env node', sourcemap: true },
};

// dist/ is emptied first: chunk names carry content hashes, and stale chunks from an earlier build
// would otherwise be packed and published.
const clean = { name: 'clean-dist', buildStart: () => rmSync(dist, { recursive: true, force: true }) };

export default [
  {
    input: jsInput,
    external,
    treeshake: { moduleSideEffects: false },
    plugins: [clean, esbuild({ target: 'es2022', tsconfig: new URL('tsconfig.json', root).pathname })],
    output: [
      // ESM keeps one file per source module (as jose does): an app's bundler then splits and
      // tree-shakes at module level, so an app that only signs loads neither the JWE code nor ky
      // (the builder imports those on demand), and no entry hoists a bare `import 'ky'`.
      {
        dir: dist,
        format: 'es',
        preserveModules: true,
        preserveModulesRoot: new URL('src', root).pathname,
        entryFileNames: '[name].js',
        sourcemap: true,
        hoistTransitiveImports: false,
      },
      { dir: dist, format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named', interop: 'auto' },
    ],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: new URL('tsconfig.json', root).pathname })],
    output: [
      { dir: dist, format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
      { dir: dist, format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts', plugins: [esmOnlyTypes] },
    ],
  },
  cli,
];

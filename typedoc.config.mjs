// TypeDoc API reference: `pnpm docs` → docs/api/ (gitignored). The entry points are the package's
// `exports` map, as in rollup.config.mjs, so a new entry point is documented without an edit here.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./packages/sdk/package.json', import.meta.url), 'utf8'));
const entryPoints = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object')
  .map(([subpath]) => `packages/sdk/src/${subpath === '.' ? 'index' : subpath.slice(2)}.ts`);

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: `${pkg.name} ${pkg.version}`,
  entryPoints,
  tsconfig: 'packages/sdk/tsconfig.node.json',
  out: 'docs/api',
  readme: 'README.md',
  excludePrivate: true,
  excludeInternal: true,
  includeVersion: false,
  sort: ['kind', 'instance-first', 'source-order'],
  validation: { notExported: true, invalidLink: true, notDocumented: false },
  // The algorithm unions are `(typeof SIGNING_ALGS)[number]`; the arrays themselves are internal.
  intentionallyNotExported: ['SIGNING_ALGS', 'KEY_MANAGEMENT_ALGS', 'CONTENT_ENCRYPTION_ALGS'],
  // No git remote to link sources to.
  disableSources: true,
  treatWarningsAsErrors: process.env.TYPEDOC_STRICT === '1',
  externalSymbolLinkMappings: {
    jose: { '*': 'https://github.com/panva/jose/tree/main/docs' },
  },
};

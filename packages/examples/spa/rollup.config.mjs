// Bundles the SPA for the browser: `oauth-jar` and jose resolve to their browser builds
// (WebCrypto, no node:). The SDK loads its JWE and HTTP code on demand, so those become lazy
// chunks: a page that only signs never downloads them.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: new URL('./src/app.js', import.meta.url).pathname,
  plugins: [nodeResolve({ browser: true, exportConditions: ['browser'] })],
  output: { dir: new URL('./dist/', import.meta.url).pathname, entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js', format: 'es', sourcemap: true },
};

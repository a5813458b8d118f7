// Bundles the SPA for the browser: `oauth-jar` and jose resolve to their browser builds
// (WebCrypto, no node:), everything in one ES module file.
import { nodeResolve } from '@rollup/plugin-node-resolve';

export default {
  input: new URL('./src/app.js', import.meta.url).pathname,
  plugins: [nodeResolve({ browser: true, exportConditions: ['browser'] })],
  output: { file: new URL('./dist/app.js', import.meta.url).pathname, format: 'es', sourcemap: true },
};

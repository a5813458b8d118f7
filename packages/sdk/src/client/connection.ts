// The connection settings (`fetch`, `timeout`) a server's metadata was discovered with, so that
// every later request to that server (its jwks_uri) uses them too. Kept apart from discovery.ts,
// which loads the HTTP layer: the builder reads these settings without loading it.
import type { AuthorizationServerMetadata } from './discovery.js';

/** How to reach an authorization server. */
export interface ConnectionSettings {
  /** Milliseconds for each request. */
  timeout?: number;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

const settings = /* @__PURE__ */ new WeakMap<AuthorizationServerMetadata, ConnectionSettings>();

/** Records the settings of the discovery call that returned `metadata` (the latest call wins). */
export function rememberConnection(metadata: AuthorizationServerMetadata, connection: ConnectionSettings): void {
  settings.set(metadata, connection);
}

/** The settings `metadata` was discovered with; none for metadata built by hand. */
export function connectionOf(metadata: AuthorizationServerMetadata): ConnectionSettings {
  return settings.get(metadata) ?? {};
}

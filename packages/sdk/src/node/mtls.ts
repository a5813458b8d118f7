/** Options of {@link mtlsFetch}. */
export interface MtlsFetchOptions {
  /** The client certificate (PEM), optionally followed by its intermediates. */
  cert: string | Uint8Array;
  /** The certificate's private key (PEM). */
  key: string | Uint8Array;
  /** The private key's passphrase, when it is encrypted. */
  passphrase?: string;
  /**
   * CA certificates (PEM) to trust for the server's certificate instead of Node's default list,
   * e.g. an ecosystem's own PKI.
   */
  ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
}

// The parts of undici this module uses; undici is an optional peer dependency, loaded on first use.
interface Dispatcher {
  close(): Promise<void>;
}
type AgentConstructor = new (options: { connect: Record<string, unknown> }) => Dispatcher;

let undici: Promise<{ Agent: AgentConstructor }> | undefined;
const loadUndici = () =>
  (undici ??= (import('undici') as Promise<{ Agent: AgentConstructor }>).catch((cause: unknown) => {
    undici = undefined;
    throw new Error('mtlsFetch needs the "undici" package (an optional peer dependency of oauth-jar): npm install undici', { cause });
  }));

/**
 * A `fetch` that presents a TLS client certificate (RFC 8705): for `tls_client_auth` and
 * `self_signed_tls_client_auth` client authentication (§2) and for certificate-bound access
 * tokens (§3) with any client authentication. Node's `fetch` takes client certificates only
 * through an undici dispatcher, so this needs the `undici` package (an optional peer dependency).
 * One connection pool per `mtlsFetch`, kept for its life.
 *
 * Give it to the PAR publisher as `fetch` (with `mtls: true` for certificate-bound tokens with
 * another client authentication): the PAR endpoint is then taken from the server's
 * `mtls_endpoint_aliases` (RFC 8705 §5).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { PushedAuthorizationRequestPublisher } from 'oauth-jar';
 * import { mtlsFetch } from 'oauth-jar/node';
 *
 * const fetchWithCert = mtlsFetch({ cert: readFileSync('client.pem', 'utf8'), key: readFileSync('client.key', 'utf8') });
 * const par = new PushedAuthorizationRequestPublisher({ clientAuth: { method: 'tls_client_auth' }, fetch: fetchWithCert });
 * ```
 *
 * @see [RFC 8705 §2](https://www.rfc-editor.org/rfc/rfc8705#section-2) Mutual TLS for OAuth Client Authentication
 */
export function mtlsFetch(options: MtlsFetchOptions): typeof fetch {
  if (typeof options !== 'object' || options === null) throw new TypeError('mtlsFetch needs { cert, key }');
  const { cert, key, passphrase, ca } = options;
  const pem = (v: unknown) => typeof v === 'string' || v instanceof Uint8Array;
  if (!pem(cert) || !pem(key)) throw new TypeError('mtlsFetch needs a PEM "cert" and "key" (strings or bytes)');
  if (ca !== undefined && !pem(ca) && !(Array.isArray(ca) && ca.every(pem))) throw new TypeError('mtlsFetch "ca" must be PEM text or a list of them');
  let dispatcher: Promise<Dispatcher> | undefined;
  const connect = { cert, key, ...(passphrase !== undefined ? { passphrase } : {}), ...(ca !== undefined ? { ca } : {}) };
  return async (input, init) => {
    dispatcher ??= loadUndici().then(({ Agent }) => new Agent({ connect }));
    // Node's fetch is undici's: it takes the dispatcher as an extra init member.
    return fetch(input, { ...init, dispatcher: await dispatcher } as RequestInit);
  };
}

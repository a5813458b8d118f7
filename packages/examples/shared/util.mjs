// Small helpers the examples share: keys as JWKs (WebCrypto only) and loopback servers.

const { subtle } = globalThis.crypto;

/**
 * A key pair as JWKs with a `kid` (WebCrypto, no other dependency).
 * @param {'ES256' | 'RS256' | 'RSA-OAEP-256'} alg
 * @param {string} kid
 */
export async function generateJwkPair(alg, kid) {
  const params = {
    ES256: [{ name: 'ECDSA', namedCurve: 'P-256' }, ['sign', 'verify'], 'sig'],
    RS256: [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, ['sign', 'verify'], 'sig'],
    'RSA-OAEP-256': [{ name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, ['encrypt', 'decrypt'], 'enc'],
  }[alg];
  const pair = await subtle.generateKey(params[0], true, params[1]);
  const extra = { kid, alg, use: params[2] };
  const strip = ({ key_ops, ext, ...jwk }) => ({ ...jwk, ...extra });
  return {
    publicJwk: strip(await subtle.exportKey('jwk', pair.publicKey)),
    privateJwk: strip(await subtle.exportKey('jwk', pair.privateKey)),
  };
}

/** Starts a node:http server on 127.0.0.1 on a free port; resolves to its origin. */
export async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

/** Closes a node:http server, dropping kept-alive connections. */
export async function close(server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

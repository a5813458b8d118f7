import type { KeyInput as JoseKeyInput, JWK, JSONWebKeySet } from 'jose';

/**
 * A key as oauth-jar accepts it: a WebCrypto `CryptoKey` (non-extractable ones too), a JWK object,
 * a Node.js `KeyObject`, or a `Uint8Array` secret (HS*, A*KW, dir).
 */
export type KeyInput = JoseKeyInput;
export type { JWK, JSONWebKeySet };

// The server's own configuration fails at construction, with a message that says what is wrong,
// not later as the client's invalid_request_object.
import { createPrivateKey } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder } from '../../src/index.js';
import { RequestObjectVerifier, type RequestObjectVerifierOptions } from '../../src/server.js';
import { CLIENT_ID, ISSUER, NOW, claims, clientFor, encrypt, query, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

const construct = (opts: Partial<RequestObjectVerifierOptions>) => () =>
  new RequestObjectVerifier({ issuer: ISSUER, getClient: (id) => (id === CLIENT_ID ? clientFor(keys) : undefined), now: () => NOW, ...opts });

const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
};

describe('decryptionKeys', () => {
  it('a public JWK is refused at construction, saying it is public', () => {
    const msg = messageOf(construct({ decryptionKeys: { keys: [keys.rsaEnc.publicJwk] } }));
    expect(msg).toMatch(/^ERR_INVALID_ARGUMENT: decryptionKeys\.keys\[0\] \(kid "as-enc"\) is a public key/);
  });

  it('a public CryptoKey, a PEM string and a key that serves no JWE alg are refused at construction', async () => {
    expect(messageOf(construct({ decryptionKeys: [{ key: keys.rsaEnc.publicKey }] }))).toMatch(/is a public CryptoKey/);
    const pem = await exportPKCS8((await generateKeyPair('RSA-OAEP-256', { extractable: true })).privateKey);
    expect(messageOf(construct({ decryptionKeys: [{ key: pem as never }] }))).toMatch(/PEM string.*importPKCS8/);
    const signingOnly = { ...(await exportJWK(keys.es256.privateKey)), use: 'sig' };
    expect(messageOf(construct({ decryptionKeys: { keys: [signingOnly] } }))).toMatch(/no key can decrypt/);
    expect(messageOf(construct({ decryptionKeys: [{ key: keys.rsaEnc.privateKey, alg: 'RS256' }] }))).toMatch(/alg must be a JWE key management algorithm/);
  });

  it('a non-extractable private CryptoKey decrypts, and is advertised for its alg only', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RSA-OAEP-256'); // extractable: false
    expect(privateKey.extractable).toBe(false);
    const verifier = construct({ decryptionKeys: [{ key: privateKey, kid: 'k1' }] })();
    expect(verifier.metadata().request_object_encryption_alg_values_supported).toEqual(['RSA-OAEP-256']);
    const jwe = await encrypt(await sign(claims(), keys.es256.privateKey), publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k1', cty: 'JWT' });
    const { requestObject } = await verifier.verify(query({ client_id: CLIENT_ID, request: jwe }));
    expect(requestObject?.encryptionHeader?.kid).toBe('k1');
  });

  it('a Node.js KeyObject decrypts, the builder\'s nested JWT included', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
    const keyObject = createPrivateKey({ key: await exportPKCS8(privateKey), format: 'pem' });
    const verifier = construct({ decryptionKeys: [{ key: keyObject, alg: 'ECDH-ES+A256KW', kid: 'ec-enc' }] })();
    const built = await new AuthorizationRequestBuilder('code', CLIENT_ID)
      .endpoint(`${ISSUER}/authorize`).audience(ISSUER).redirectUri('https://client.example.org/cb').clock(() => NOW)
      .signWith(keys.es256.privateKey, { alg: 'ES256', kid: 'c1' })
      .encryptWith(publicKey, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'ec-enc' })
      .build();
    const { parameters } = await verifier.verify(built.url.searchParams);
    expect(parameters.redirect_uri).toBe('https://client.example.org/cb');
  });

  it('the JWK-set form keeps working', async () => {
    const verifier = construct({ decryptionKeys: { keys: [keys.rsaEnc.privateJwk] } })();
    const jwe = await encrypt(await sign(claims(), keys.es256.privateKey), keys.rsaEnc.publicKey);
    await expect(verifier.verify(query({ client_id: CLIENT_ID, request: jwe }))).resolves.toBeDefined();
  });
});

describe('issuer', () => {
  it('must be an https URL without query or fragment (RFC 8414 §2): "as" is refused', () => {
    for (const issuer of ['as', 'as.example.com', 'http://as.example.com', 'https://as.example.com?x', 'https://as.example.com#f']) {
      expect(messageOf(construct({ issuer })), issuer).toMatch(/^ERR_INVALID_ARGUMENT: issuer must/);
    }
    expect(messageOf(construct({ issuer: 'https://as.example.com/tenant/' }))).toBe('no error');
    expect(messageOf(construct({ issuer: 'http://127.0.0.1:3000' }))).toBe('no error');
  });
});

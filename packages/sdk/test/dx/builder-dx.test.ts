// What tripped a new user on the client side: PEM strings, encryption keys meant for signing,
// the two meanings of "issuer", the PKCE verifier.
import { decodeJwt, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8 } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationRequestBuilder, OAuthJarError, generateCodeVerifier } from '../../src/index.js';

let signing: CryptoKeyPair;
let encJwk: Record<string, unknown>;
beforeAll(async () => {
  signing = await generateKeyPair('ES256', { extractable: true });
  encJwk = await exportJWK((await generateKeyPair('RSA-OAEP-256', { extractable: true })).publicKey);
});

const builder = () =>
  new AuthorizationRequestBuilder('code', 'rp-1').endpoint('https://as.example/authorize').audience('https://as.example').redirectUri('https://rp.example/cb');

const thrown = (fn: () => unknown): OAuthJarError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthJarError);
    return err as OAuthJarError;
  }
  throw new Error('expected an OAuthJarError');
};

describe('keys', () => {
  it('a PEM string says how to import it (jose importPKCS8 / importSPKI), and the imported key signs', async () => {
    const pem = await exportPKCS8(signing.privateKey);
    const err = thrown(() => builder().signWith(pem as never, { alg: 'ES256' }));
    expect(err.code).toBe('ERR_KEY_MISMATCH');
    expect(err.message).toContain("importPKCS8(pem, 'ES256')");
    const spki = await exportSPKI((await generateKeyPair('RSA-OAEP-256', { extractable: true })).publicKey);
    expect(thrown(() => builder().encryptWith(spki as never, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })).message).toContain('importSPKI');
    const request = await builder().signWith(await importPKCS8(pem, 'ES256'), { alg: 'ES256' }).build();
    expect(request.requestObject).toBeDefined();
  });
});

describe('encryptWith refuses a key that is not for encryption', () => {
  it('use "sig"', () => {
    const err = thrown(() => builder().encryptWith({ ...encJwk, use: 'sig' }, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }));
    expect(err.code).toBe('ERR_KEY_MISMATCH');
    expect(err.message).toMatch(/use "sig"/);
  });

  it('a signing alg, or another key management alg', () => {
    expect(thrown(() => builder().encryptWith({ ...encJwk, alg: 'RS256' }, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })).message).toMatch(/alg "RS256", a signing algorithm/);
    expect(thrown(() => builder().encryptWith({ ...encJwk, alg: 'RSA-OAEP' }, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })).code).toBe('ERR_KEY_MISMATCH');
  });

  it('key_ops without an encrypting operation; use "enc" with the same alg is fine', () => {
    expect(thrown(() => builder().encryptWith({ ...encJwk, key_ops: ['verify'] }, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })).code).toBe('ERR_KEY_MISMATCH');
    expect(() => builder().encryptWith({ ...encJwk, use: 'enc', alg: 'RSA-OAEP-256', key_ops: ['encrypt'] }, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })).not.toThrow();
  });
});

describe('names', () => {
  it('requestObjectIssuer() sets the object\'s iss (the client); audience() the AS; issuer() is its deprecated alias', async () => {
    for (const set of [(b: AuthorizationRequestBuilder) => b.requestObjectIssuer('https://rp.example'), (b: AuthorizationRequestBuilder) => b.issuer('https://rp.example')]) {
      const { requestObject } = await set(builder()).signWith(signing.privateKey, { alg: 'ES256' }).build();
      const claims = decodeJwt(requestObject!);
      expect(claims.iss).toBe('https://rp.example');
      expect(claims.aud).toBe('https://as.example');
    }
  });

  it('codeChallenge() takes the verifier, puts its S256 challenge in the object, and returns the verifier', async () => {
    const verifier = generateCodeVerifier();
    const request = await builder().codeChallenge(verifier).signWith(signing.privateKey, { alg: 'ES256' }).build();
    const codeVerifier: string = request.codeVerifier; // typed string after codeChallenge()
    expect(codeVerifier).toBe(verifier);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    expect(decodeJwt(request.requestObject!)).toMatchObject({ code_challenge: Buffer.from(digest).toString('base64url'), code_challenge_method: 'S256' });
    expect(decodeJwt(request.requestObject!)).not.toHaveProperty('code_verifier');
  });
});

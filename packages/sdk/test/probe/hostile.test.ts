// The hostile JOSE objects the probe sends are what they claim to be: checked with jose and with
// Node's own X.509 and crypto code, independently of the crafting code.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { rsa1_5Jwe } from '../../src/node/jwe-rsa1_5.js';
import { b64FalseJws, generateJwkPair, publicKeyPemBytes, selfSignedCertificate, signWithHeader, unsecuredJws } from '../../src/crypto/hostile.js';

const claims = { iss: 'c', aud: 'https://as.example.com', exp: 2_000_000_000 };

describe('crypto/hostile', () => {
  it('unsecuredJws: the header as given, the claims, an empty signature', () => {
    const jws = unsecuredJws({ alg: 'nOnE', typ: 'oauth-authz-req+jwt' }, claims);
    expect(jws.endsWith('.')).toBe(true);
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'nOnE', typ: 'oauth-authz-req+jwt' });
  });

  it('b64FalseJws: b64 false in crit, the usual payload segment, a signature a b64-ignoring verifier accepts', async () => {
    const pair = await generateJwkPair('ES256', 'k');
    const jws = await b64FalseJws(claims, pair.privateJwk, { alg: 'ES256' });
    expect(decodeProtectedHeader(jws)).toMatchObject({ b64: false, crit: ['b64'] });
    expect(JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString())).toEqual(claims);
    // RFC 7797 reading: the payload is the middle segment's text, not JSON claims.
    const { payload } = await compactVerify(jws, await importJWK(pair.publicJwk, 'ES256'));
    expect(new TextDecoder().decode(payload)).toBe(jws.split('.')[1]);
  });

  it('signWithHeader: an unknown crit extension, signed', async () => {
    const pair = await generateJwkPair('ES256', 'k');
    const jws = await signWithHeader(claims, pair.privateJwk, { alg: 'ES256', crit: ['urn:x'], 'urn:x': 1 }, ['urn:x']);
    await expect(compactVerify(jws, await importJWK(pair.publicJwk, 'ES256'))).rejects.toThrow(/not recognized/);
    await compactVerify(jws, await importJWK(pair.publicJwk, 'ES256'), { crit: { 'urn:x': true } });
  });

  it('HS256 keyed with the public key PEM verifies with that PEM as the secret', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const secret = await publicKeyPemBytes(publicJwk, 'ES256');
    expect(new TextDecoder().decode(secret)).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const jws = await signWithHeader(claims, secret, { alg: 'HS256' });
    await compactVerify(jws, secret);
  });

  it.each(['ES256', 'RS256', 'PS256', 'EdDSA'])('selfSignedCertificate (%s): a valid self-signed certificate for the injected key', async (alg) => {
    const pair = await generateJwkPair(alg, 'x');
    const cert = new X509Certificate(Buffer.from(await selfSignedCertificate(pair), 'base64'));
    expect(cert.verify(cert.publicKey)).toBe(true);
    const { alg: _a, ...bare } = pair.publicJwk;
    expect(cert.publicKey.equals(createPublicKey({ key: bare as never, format: 'jwk' }))).toBe(true);
    expect(cert.subject).toBe('CN=oauth-jar probe (injected key)');
  });

  it.each(['A128CBC-HS256', 'A256GCM'] as const)('rsa1_5Jwe (%s): a JWE that an RSA1_5 decrypter opens', async (enc) => {
    const pair = await generateJwkPair('RSA-OAEP-256', 'as-enc');
    const jwe = await rsa1_5Jwe('eyJhbGciOiJFUzI1NiJ9.e30.c2ln', pair.publicJwk, enc);
    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'RSA1_5', enc, cty: 'JWT', kid: 'as-enc' });
    // Decrypted by hand (RFC 7518 §4.2, §5.2.2.2 / §5.3) in a Node that still allows PKCS#1 v1.5
    // decryption: independent of the code that encrypted it.
    const script = `
      const c = require('node:crypto');
      const [h, k, iv, ct, tag] = process.env.JWE.split('.').map((s, i) => i ? Buffer.from(s, 'base64url') : s);
      const key = c.createPrivateKey({ key: JSON.parse(process.env.JWK), format: 'jwk' });
      const cek = c.privateDecrypt({ key, padding: c.constants.RSA_PKCS1_PADDING }, k);
      const enc = JSON.parse(Buffer.from(h, 'base64url')).enc;
      if (enc === 'A256GCM') {
        const d = c.createDecipheriv('aes-256-gcm', cek, iv).setAAD(Buffer.from(h)).setAuthTag(tag);
        process.stdout.write(Buffer.concat([d.update(ct), d.final()]));
      } else {
        const al = Buffer.alloc(8); al.writeBigUInt64BE(BigInt(h.length * 8));
        const mac = c.createHmac('sha256', cek.subarray(0, 16)).update(Buffer.concat([Buffer.from(h), iv, ct, al])).digest().subarray(0, 16);
        if (!mac.equals(tag)) throw new Error('bad tag');
        const d = c.createDecipheriv('aes-128-cbc', cek.subarray(16), iv);
        process.stdout.write(Buffer.concat([d.update(ct), d.final()]));
      }`;
    const { alg: _a, use: _u, ...jwk } = pair.privateJwk;
    const out = execFileSync(process.execPath, ['--security-revert=CVE-2023-46809', '-e', script], {
      env: { ...process.env, JWE: jwe, JWK: JSON.stringify(jwk) },
      encoding: 'utf8',
    });
    // Node prints a SECURITY WARNING line for the revert flag before the plaintext.
    expect(out.split('\n').at(-1)).toBe('eyJhbGciOiJFUzI1NiJ9.e30.c2ln');
  });
});

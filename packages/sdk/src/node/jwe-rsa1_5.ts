import { constants, createCipheriv, createHmac, createPublicKey, publicEncrypt, randomBytes, type JsonWebKey } from 'node:crypto';
import { b64u } from '../crypto/encoding.js';
import type { JWK } from '../crypto/types.js';

/**
 * A compact JWE with key management RSA1_5 (RSAES-PKCS1-v1_5, RFC 7518 §4.2), which jose no
 * longer produces and WebCrypto cannot: the probe's downgrade case. Content encryption
 * A128CBC-HS256 (RFC 7518 §5.2.3) or A256GCM (§5.3), with Node's crypto.
 */
export async function rsa1_5Jwe(plaintext: string, key: JWK, enc: 'A128CBC-HS256' | 'A256GCM'): Promise<string> {
  const { alg: _alg, use: _use, key_ops: _ops, ...bare } = key;
  const publicKey = createPublicKey({ key: bare as JsonWebKey, format: 'jwk' });
  const cek = randomBytes(32);
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
  const header = b64u(JSON.stringify({ alg: 'RSA1_5', enc, cty: 'JWT', ...(key.kid ? { kid: key.kid } : {}) }));
  const aad = Buffer.from(header, 'ascii');
  const data = Buffer.from(plaintext, 'utf8');
  let iv: Buffer;
  let ciphertext: Buffer;
  let tag: Buffer;
  if (enc === 'A256GCM') {
    iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', cek, iv).setAAD(aad);
    ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    tag = cipher.getAuthTag();
  } else {
    iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', cek.subarray(16), iv);
    ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const al = Buffer.alloc(8);
    al.writeBigUInt64BE(BigInt(aad.length * 8));
    tag = createHmac('sha256', cek.subarray(0, 16)).update(Buffer.concat([aad, iv, ciphertext, al])).digest().subarray(0, 16);
  }
  return [header, b64u(encryptedKey), b64u(iv), b64u(ciphertext), b64u(tag)].join('.');
}

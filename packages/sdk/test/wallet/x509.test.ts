import { describe, expect, it } from 'vitest';
import { prepareTrustAnchors, validateChain, X509Failure } from '../../src/crypto/x509.js';
import { certificateDnsNames, x509Hash } from '../../src/crypto/certificate.js';
import { issueCertificate, makePki } from '../helpers/pki.js';

async function refusal(p: Promise<unknown>): Promise<X509Failure> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(X509Failure);
    return err as X509Failure;
  }
  throw new Error('expected a refusal');
}

describe('x5c chain validation (RFC 5280 §6, OpenID4VP 1.0 §5.9.3)', () => {
  it('accepts root → intermediate → leaf, with or without the root in x5c', async () => {
    const pki = await makePki('verifier.example');
    const anchors = await prepareTrustAnchors([pki.root.pem]);
    const chain = await validateChain(pki.x5c, anchors, new Date());
    expect(chain.dnsNames).toEqual(['verifier.example']);
    await expect(validateChain([...pki.x5c, pki.root.b64], anchors, new Date())).resolves.toBeDefined();
  });

  it('refuses a chain to an unknown root', async () => {
    const pki = await makePki();
    const other = await makePki();
    const anchors = await prepareTrustAnchors([other.root.pem]);
    expect((await refusal(validateChain(pki.x5c, anchors, new Date()))).kind).toBe('untrusted');
    // the unknown root appended to x5c does not make it trusted
    expect((await refusal(validateChain([...pki.x5c, pki.root.b64], anchors, new Date()))).kind).toBe('untrusted');
  });

  it('refuses an expired leaf, and a leaf not yet valid', async () => {
    const pki = await makePki();
    const anchors = await prepareTrustAnchors([pki.root.pem]);
    const expired = await issueCertificate({ subject: 'CN=old', dns: ['verifier.example'], issuer: pki.intermediate, notAfter: new Date(Date.now() - 60_000) });
    expect((await refusal(validateChain([expired.b64, pki.intermediate.b64], anchors, new Date()))).kind).toBe('expired');
    expect((await refusal(validateChain(pki.x5c, anchors, new Date(Date.now() + 365 * 86_400_000)))).kind).toBe('expired');
  });

  it('refuses a self-signed leaf, even when it is configured as an anchor', async () => {
    const self = await issueCertificate({ subject: 'CN=self', dns: ['verifier.example'] });
    const anchors = await prepareTrustAnchors([self.pem]);
    expect((await refusal(validateChain([self.b64], anchors, new Date()))).kind).toBe('self_signed');
  });

  it('refuses an issuer that is not a CA, and a CA path longer than its pathLength', async () => {
    const pki = await makePki();
    const anchors = await prepareTrustAnchors([pki.root.pem]);
    const notCa = await issueCertificate({ subject: 'CN=not a CA', issuer: pki.root, ca: false, keyUsage: 32 });
    const leaf = await issueCertificate({ subject: 'CN=leaf', dns: ['verifier.example'], issuer: notCa });
    expect((await refusal(validateChain([leaf.b64, notCa.b64], anchors, new Date()))).kind).toBe('ca_constraints');
    // intermediate has pathLength 0: a second CA below it is one too many
    const sub = await issueCertificate({ subject: 'CN=sub CA', issuer: pki.intermediate, ca: true });
    const deep = await issueCertificate({ subject: 'CN=deep', dns: ['verifier.example'], issuer: sub });
    expect((await refusal(validateChain([deep.b64, sub.b64, pki.intermediate.b64], anchors, new Date()))).kind).toBe('ca_constraints');
  });

  it('refuses a leaf whose keyUsage does not allow signatures', async () => {
    const pki = await makePki('verifier.example', { keyUsage: 4 /* keyEncipherment */ });
    const anchors = await prepareTrustAnchors([pki.root.pem]);
    expect((await refusal(validateChain(pki.x5c, anchors, new Date()))).kind).toBe('key_usage');
  });

  it('refuses a chain whose links are not signed by each other', async () => {
    const pki = await makePki();
    const other = await makePki();
    const anchors = await prepareTrustAnchors([pki.root.pem]);
    expect((await refusal(validateChain([pki.leaf.b64, other.intermediate.b64], anchors, new Date()))).kind).toBe('signature');
    expect((await refusal(validateChain(['not base64!'], anchors, new Date()))).kind).toBe('malformed');
    expect((await refusal(validateChain([], anchors, new Date()))).kind).toBe('malformed');
  });

  it('the builder\'s DER walk reads the same SAN dNSNames as @peculiar/x509', async () => {
    const { issueCertificate } = await import('../helpers/pki.js');
    const many = await issueCertificate({ subject: 'CN=x', dns: ['A.example', 'b.example'] });
    expect(certificateDnsNames(many.b64)).toEqual(['a.example', 'b.example']);
    expect(certificateDnsNames(many.pem)).toEqual(['a.example', 'b.example']);
    const none = await issueCertificate({ subject: 'CN=root', ca: true });
    expect(certificateDnsNames(none.b64)).toEqual([]);
    expect(() => certificateDnsNames('AAAA')).toThrow(TypeError);
  });

  it('x509_hash is base64url SHA-256 of the DER', async () => {
    const pki = await makePki();
    const expected = Buffer.from(await crypto.subtle.digest('SHA-256', pki.leaf.cert.rawData)).toString('base64url');
    expect(await x509Hash(pki.leaf.b64)).toBe(expected);
    expect(await x509Hash(pki.leaf.pem)).toBe(expected);
  });
});

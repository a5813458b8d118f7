// A throwaway PKI for the example: root CA → intermediate CA → the verifier's leaf certificate,
// ECDSA P-256, made in memory with @peculiar/x509 (which needs a Reflect metadata polyfill when
// used directly; oauth-jar loads its own on its x5c paths). A real verifier gets its leaf from a
// CA the wallets trust.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const day = 86_400_000;

async function issue({ subject, issuer, ca, dns }) {
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer?.cert.subject ?? subject,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + 30 * day),
    publicKey: keys.publicKey,
    signingKey: issuer?.keys.privateKey ?? keys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(ca, ca ? 0 : undefined, true),
      new x509.KeyUsagesExtension(ca ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature, true),
      ...(dns ? [new x509.SubjectAlternativeNameExtension(dns.map((value) => ({ type: 'dns', value })))] : []),
    ],
  });
  return { cert, keys, b64: cert.toString('base64'), pem: cert.toString('pem') };
}

/** root → intermediate → leaf (SAN dNSName `dns`); x5c is leaf first, root left out. */
export async function makePki(dns) {
  const root = await issue({ subject: 'CN=Example Wallet Trust Root', ca: true });
  const intermediate = await issue({ subject: 'CN=Example Verifier CA', ca: true, issuer: root });
  const leaf = await issue({ subject: `CN=${dns}`, dns: [dns], issuer: intermediate });
  return { rootPem: root.pem, leafKey: leaf.keys.privateKey, x5c: [leaf.b64, intermediate.b64] };
}

// Test certificates made on the fly with @peculiar/x509: a root CA, an intermediate CA and leaves,
// all ECDSA P-256. Nothing is read from disk and nothing leaves the process.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { exportJWK, type JWK } from 'jose';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  /** base64 DER: an x5c entry. */
  b64: string;
  pem: string;
  /** The private key as a JWK (extractable), for signWith. */
  privateJwk: JWK;
}

export interface IssueOptions {
  subject: string;
  issuer?: Issued;
  ca?: boolean;
  pathLength?: number;
  dns?: string[];
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: x509.KeyUsageFlags;
  /** Leave basicConstraints out (a CA without it must be refused). */
  noBasicConstraints?: boolean;
}

let serial = 1;

export async function issueCertificate(options: IssueOptions): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = options.ca ?? false;
  const extensions: x509.Extension[] = [];
  if (!options.noBasicConstraints) extensions.push(new x509.BasicConstraintsExtension(ca, options.pathLength, true));
  extensions.push(
    new x509.KeyUsagesExtension(
      options.keyUsage ?? (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature),
      true,
    ),
  );
  if (options.dns) extensions.push(new x509.SubjectAlternativeNameExtension(options.dns.map((value) => ({ type: 'dns' as const, value }))));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: options.subject,
    issuer: options.issuer?.cert.subject ?? options.subject,
    notBefore: options.notBefore ?? new Date(now - DAY),
    notAfter: options.notAfter ?? new Date(now + 30 * DAY),
    publicKey: keys.publicKey,
    signingKey: options.issuer?.keys.privateKey ?? keys.privateKey,
    signingAlgorithm: ALG,
    extensions,
  });
  const privateJwk = await exportJWK(keys.privateKey);
  return { cert, keys, b64: cert.toString('base64'), pem: cert.toString('pem'), privateJwk };
}

export interface Pki {
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
  /** x5c: leaf first, then the intermediate. */
  x5c: string[];
}

/** root → intermediate → leaf with SAN dNSName `dns`. */
export async function makePki(dns = 'verifier.example', leafOptions: Partial<IssueOptions> = {}): Promise<Pki> {
  const root = await issueCertificate({ subject: 'CN=Test Root CA', ca: true });
  const intermediate = await issueCertificate({ subject: 'CN=Test Intermediate CA', ca: true, pathLength: 0, issuer: root });
  const leaf = await issueCertificate({ subject: `CN=${dns}`, dns: [dns], issuer: intermediate, ...leafOptions });
  return { root, intermediate, leaf, x5c: [leaf.b64, intermediate.b64] };
}

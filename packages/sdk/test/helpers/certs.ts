// Test certificates made with the openssl CLI in a temporary folder: a CA, a server certificate for
// 127.0.0.1 and a client certificate, both issued by the CA, plus a self-signed client certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA's certificate (PEM): trusted by the test server for client certificates and by the client for the server. */
  ca: string;
  server: { cert: string; key: string };
  /** Issued by the CA, subject `CN=<clientCn>` (for tls_client_auth). */
  client: { cert: string; key: string; subject: string };
  /** Self-signed (for self_signed_tls_client_auth). */
  selfSigned: { cert: string; key: string };
}

export function makeCertificates(clientCn = 'rp-mtls'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-jar-certs-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=oauth-jar test CA');
    // Server: SAN IP 127.0.0.1, issued by the CA.
    openssl('req', '-new', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
    writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.pem'));
    // Client: issued by the CA.
    openssl('req', '-new', ...ec, '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', `/CN=${clientCn}`);
    writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
    openssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('client.ext'), '-out', f('client.pem'));
    // Self-signed client certificate.
    openssl('req', '-x509', ...ec, '-keyout', f('self.key'), '-out', f('self.pem'), '-days', '2', '-subj', '/CN=rp-self-signed');
    const read = (name: string) => readFileSync(f(name), 'utf8');
    return {
      ca: read('ca.pem'),
      server: { cert: read('server.pem'), key: read('server.key') },
      client: { cert: read('client.pem'), key: read('client.key'), subject: `CN=${clientCn}` },
      selfSigned: { cert: read('self.pem'), key: read('self.key') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The only importer of @peculiar/x509 (which needs Reflect metadata: installed here), loaded on demand:
// only requests that carry an x5c chain pay for X.509 parsing, so a sign-only page never ships it.
import { importX509 } from 'jose/key/import'; // a subpath: the barrel would pull all of jose into this lazy chunk
import { certificateBase64, certificateDer } from './certificate.js';

type X509Module = typeof import('@peculiar/x509');
type Certificate = InstanceType<X509Module['X509Certificate']>;

let x509Module: Promise<X509Module> | undefined;

type Key = string | symbol;
type Metadata = Map<Key | undefined, Map<unknown, unknown>>;

/**
 * @peculiar/x509 2.x resolves its algorithm providers through tsyringe, whose decorators need the
 * `Reflect` metadata API (`metadata`, `defineMetadata`, `getMetadata`, `getOwnMetadata`) at load
 * time. When the runtime has none, this installs the four functions, over a WeakMap, before the
 * library loads: applications never import a polyfill themselves, and a page that never sees an
 * x5c chain never runs this. (The reflect-metadata package would do the same, as CommonJS that
 * browser bundlers must wrap.)
 */
function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Record<string, unknown>;
  if (typeof reflect.getMetadata === 'function') return;
  const store = new WeakMap<object, Metadata>();
  const own = (target: object, property: Key | undefined, create: boolean): Map<unknown, unknown> | undefined => {
    let byProperty = store.get(target);
    if (!byProperty && create) store.set(target, (byProperty = new Map()));
    let map = byProperty?.get(property);
    if (!map && create) byProperty!.set(property, (map = new Map()));
    return map;
  };
  const getOwnMetadata = (key: unknown, target: object, property?: Key) => own(target, property, false)?.get(key);
  const getMetadata = (key: unknown, target: object, property?: Key): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const map = own(t, property, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, property?: Key) => void own(target, property, true)!.set(key, value);
  const metadata = (key: unknown, value: unknown) => (target: object, property?: Key) => defineMetadata(key, value, target, property);
  Object.assign(reflect, { getOwnMetadata, getMetadata, defineMetadata, metadata });
}

function loadX509(): Promise<X509Module> {
  return (x509Module ??= (async () => {
    installReflectMetadata();
    return import('@peculiar/x509');
  })());
}

/** Why a certificate chain was refused. */
export type X509FailureKind =
  | 'malformed'
  | 'untrusted'
  | 'expired'
  | 'signature'
  | 'ca_constraints'
  | 'key_usage'
  | 'self_signed'
  | 'critical_extension';

/** A refused certificate or chain, with the reason as a kind. */
export class X509Failure extends Error {
  readonly kind: X509FailureKind;
  constructor(kind: X509FailureKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
  }
}

/** Trust anchors, parsed once. */
export interface TrustAnchors {
  readonly certificates: readonly Certificate[];
  readonly der: readonly Uint8Array[];
}

/** A chain that validated to a trust anchor. */
export interface ValidatedChain {
  /** The leaf's DER. */
  leafDer: Uint8Array;
  /** The leaf's SAN dNSName entries, lower-cased. */
  dnsNames: string[];
  /** The chain as given (`x5c`). */
  x5c: string[];
}

const MAX_CHAIN = 10;
// RFC 5280 §4.2: a certificate with a critical extension the validator does not process is refused.
const KNOWN_EXTENSIONS = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.37', // extKeyUsage
]);
const KEY_USAGE_DIGITAL_SIGNATURE = 1;
const KEY_USAGE_KEY_CERT_SIGN = 32;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function parse(x509: X509Module, der: Uint8Array<ArrayBuffer>, what: string): Promise<Certificate> {
  try {
    return new x509.X509Certificate(der);
  } catch (cause) {
    throw new X509Failure('malformed', `${what} is not a DER X.509 certificate`, cause);
  }
}

/** Parses PEM, base64 DER or DER trust anchors once. */
export async function prepareTrustAnchors(anchors: readonly (string | Uint8Array)[]): Promise<TrustAnchors> {
  const x509 = await loadX509();
  const der = anchors.map((a) => certificateDer(a));
  const certificates = await Promise.all(der.map((d, i) => parse(x509, d, `trust anchor ${i}`)));
  return { certificates, der };
}

async function signedBy(cert: Certificate, issuer: Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer, signatureOnly: true });
  } catch {
    return false;
  }
}

function checkDates(cert: Certificate, now: Date, what: string): void {
  if (now < cert.notBefore) throw new X509Failure('expired', `${what} is not valid before ${cert.notBefore.toISOString()}`);
  if (now > cert.notAfter) throw new X509Failure('expired', `${what} expired at ${cert.notAfter.toISOString()}`);
}

function checkExtensions(cert: Certificate, what: string): void {
  for (const ext of cert.extensions) {
    if (ext.critical && !KNOWN_EXTENSIONS.has(ext.type)) {
      throw new X509Failure('critical_extension', `${what} has a critical extension that is not processed (${ext.type})`);
    }
  }
}

// RFC 5280 §4.2.1.9 and §4.2.1.3: an issuing certificate is a CA (basicConstraints cA), may sign
// certificates (keyUsage keyCertSign when keyUsage is present) and allows this many CAs below it.
function checkIssuer(x509: X509Module, cert: Certificate, casBelow: number, what: string): void {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw new X509Failure('ca_constraints', `${what} is not a CA certificate (basicConstraints cA is not set)`);
  if (bc.pathLength !== undefined && casBelow > bc.pathLength) {
    throw new X509Failure('ca_constraints', `${what} allows ${bc.pathLength} intermediate CA(s) below it, the chain has ${casBelow}`);
  }
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & KEY_USAGE_KEY_CERT_SIGN) === 0) {
    throw new X509Failure('ca_constraints', `${what} may not sign certificates (keyUsage lacks keyCertSign)`);
  }
}

/**
 * Validates an `x5c` chain (leaf first, RFC 7515 §4.1.6) to one of `anchors` as of `now`: every
 * signature, every validity period, the CA constraints of each issuer, no unprocessed critical
 * extension, and a leaf that may sign (keyUsage digitalSignature when keyUsage is present) and is
 * not self-signed. The chain may end with the anchor itself or with a certificate it issued.
 */
export async function validateChain(x5c: unknown, anchors: TrustAnchors, now: Date): Promise<ValidatedChain> {
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string')) {
    throw new X509Failure('malformed', 'the x5c header must be a non-empty array of base64 certificates');
  }
  if (x5c.length > MAX_CHAIN) throw new X509Failure('malformed', `the x5c chain has more than ${MAX_CHAIN} certificates`);
  const x509 = await loadX509();
  const der: Uint8Array<ArrayBuffer>[] = [];
  for (const [i, c] of (x5c as string[]).entries()) {
    try {
      der.push(certificateDer(c));
    } catch (cause) {
      throw new X509Failure('malformed', `x5c[${i}] is not base64`, cause);
    }
  }
  const chain: Certificate[] = [];
  for (const [i, d] of der.entries()) chain.push(await parse(x509, d, `x5c[${i}]`));
  const leaf = chain[0]!;

  if (await signedBy(leaf, leaf)) {
    throw new X509Failure('self_signed', 'the leaf certificate is self-signed: it must be issued by a trusted CA');
  }
  const ku = leaf.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & KEY_USAGE_DIGITAL_SIGNATURE) === 0) {
    throw new X509Failure('key_usage', 'the leaf certificate may not sign (keyUsage lacks digitalSignature)');
  }

  let trusted = false;
  for (let i = 0; i < chain.length && !trusted; i++) {
    const cert = chain[i]!;
    const what = i === 0 ? 'the leaf certificate' : `x5c[${i}]`;
    // The chain may carry the anchor itself: from there on, trust is configuration, not signatures.
    if (i > 0 && anchors.der.some((a) => bytesEqual(a, der[i]!))) {
      checkDates(cert, now, what);
      trusted = true;
      break;
    }
    checkExtensions(cert, what);
    checkDates(cert, now, what);
    if (i > 0) checkIssuer(x509, cert, i - 1, what);
    const next = chain[i + 1];
    if (next) {
      if (!(await signedBy(cert, next))) {
        throw new X509Failure('signature', `${what} is not signed by x5c[${i + 1}] (issuer name or signature does not match)`);
      }
      continue;
    }
    // The last certificate given: one of the anchors must have issued it.
    let anchor: Certificate | undefined;
    for (const a of anchors.certificates) {
      if (await signedBy(cert, a)) {
        anchor = a;
        break;
      }
    }
    if (!anchor) throw new X509Failure('untrusted', 'the certificate chain does not lead to a trusted root');
    checkDates(anchor, now, 'the trust anchor');
    trusted = true;
  }
  if (!trusted) throw new X509Failure('untrusted', 'the certificate chain does not lead to a trusted root');
  return { leafDer: der[0]!, dnsNames: dnsNames(x509, leaf), x5c: [...(x5c as string[])] };
}

function dnsNames(x509: X509Module, cert: Certificate): string[] {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase());
}

/** The leaf's public key for a JWS `alg`, imported by jose from the certificate. */
export async function leafPublicKey(leafDer: Uint8Array, alg: string): Promise<CryptoKey> {
  const pem = `-----BEGIN CERTIFICATE-----\n${certificateBase64(leafDer).replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----`;
  return importX509(pem, alg);
}

// Shared by the probe tests: a test client's key pair and a report reader.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ProbeReport, ProbeVerdict } from '../../src/probe.js';

export const CLIENT_ID = 'probe-client';
export const REDIRECT_URI = 'https://rp.example/cb';

export async function clientKey(alg = 'ES256', kid = 'probe-key-1'): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  };
}

/** The ids of the cases with this verdict, sorted. */
export function ids(report: ProbeReport, verdict: ProbeVerdict): string[] {
  return report.results.filter((r) => r.verdict === verdict).map((r) => r.id).sort();
}

/** The verdict of each case, by id. */
export function verdicts(report: ProbeReport): Record<string, ProbeVerdict> {
  return Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));
}

// @peculiar/x509 2.x needs a Reflect.metadata polyfill loaded before it. crypto/x509.ts loads one
// itself: checked in a fresh Node process where nothing else has loaded it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makePki } from '../helpers/pki.js';

const run = promisify(execFile);

describe('crypto/x509 loads its Reflect polyfill itself', () => {
  it('parses and validates a chain in a process that never imported reflect-metadata', async () => {
    const pki = await makePki('verifier.example');
    const script = `
      const before = typeof Reflect.getMetadata;
      const { prepareTrustAnchors, validateChain } = await import(${JSON.stringify(new URL('../../src/crypto/x509.ts', import.meta.url).href)});
      const chain = await validateChain(JSON.parse(process.env.X5C), await prepareTrustAnchors([process.env.ROOT]), new Date());
      console.log(JSON.stringify({ before, chainNames: chain.dnsNames }));
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, X5C: JSON.stringify(pki.x5c), ROOT: pki.root.pem },
      timeout: 30_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ before: 'undefined', chainNames: ['verifier.example'] });
  });
});

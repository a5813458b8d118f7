// The dependency rules of docs/architecture.md, checked on the sources: they are what keeps the browser
// client free of server code, Node built-ins and (up front) ky.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

// Every module specifier a file imports, statically or with import(); type-only imports included.
function imports(file: string): string[] {
  const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

const all = files(src).map((f) => ({ path: relative(src, f), imports: imports(f) }));
const NODE_ONLY = new Set(['cli.ts', 'node.ts', 'probe.ts', 'redis.ts']);
const isNodeOnly = (path: string) => NODE_ONLY.has(path) || path.startsWith('node/');

describe('architecture (docs/architecture.md, dependency rules)', () => {
  it('finds the sources and their imports', () => {
    expect(all.length).toBeGreaterThan(30);
    expect(all.find((f) => f.path === 'client/build.ts')?.imports).toContain('../crypto/sign.js');
  });

  it('only crypto/ imports jose', () => {
    const offenders = all.filter((f) => !f.path.startsWith('crypto/') && f.imports.some((i) => i === 'jose' || i.startsWith('jose/')));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only http/ imports ky', () => {
    const offenders = all.filter((f) => !f.path.startsWith('http/') && f.imports.includes('ky'));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('client code (index, client/, publishers/) never imports server code', () => {
    const client = all.filter((f) => f.path === 'index.ts' || f.path.startsWith('client/') || f.path.startsWith('publishers/'));
    const offenders = client.filter((f) => f.imports.some((i) => /(^|\/)server(\/|\.js$)/.test(i)));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only crypto/x509.ts imports @peculiar/x509 and its Reflect polyfill, and only with import()', () => {
    const offenders = all.filter((f) => f.path !== 'crypto/x509.ts' && f.imports.some((i) => i.startsWith('@peculiar/') || i === 'reflect-metadata'));
    expect(offenders.map((f) => f.path)).toEqual([]);
    const code = readFileSync(join(src, 'crypto/x509.ts'), 'utf8');
    expect(code).not.toMatch(/^import [^(]*from '@peculiar\/x509'/m);
    expect(code).toContain("import('@peculiar/x509')");
  });

  it('the wallet (wallet/, wallet.ts) never imports server code', () => {
    const wallet = all.filter((f) => f.path === 'wallet.ts' || f.path.startsWith('wallet/'));
    expect(wallet.length).toBeGreaterThan(2);
    const offenders = wallet.filter((f) => f.imports.some((i) => /(^|\/)server(\/|\.js$)/.test(i)));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('the probe never imports server code: it must not share the blind spots of the verifier it may test', () => {
    const offenders = all.filter((f) => (f.path === 'probe.ts' || f.path.startsWith('probe/')) && f.imports.some((i) => /(^|\/)server(\/|\.js$)/.test(i)));
    expect(all.some((f) => f.path === 'probe/runner.ts')).toBe(true);
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

    it('no node: imports outside the Node-only entry points', () => {
    const offenders = all.filter((f) => !isNodeOnly(f.path) && f.imports.some((i) => i.startsWith('node:')));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });
});

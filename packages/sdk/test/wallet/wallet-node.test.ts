// oauth-jar/wallet on Node (the `node` export condition): the request_uri fetch also refuses host
// names that resolve to loopback / private addresses. The names come from /etc/hosts (no DNS
// query leaves the machine); without such a name the end-to-end case is skipped.
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WalletRequestVerifier, WalletRequestError } from '../../src/wallet-node.js';
import * as web from '../../src/wallet.js';
import { close, listen } from '../helpers/loopback.js';

let server: Server;
let port: number;
let hits = 0;
// Looked up before the tests are collected: skipIf reads it then.
let loopbackName: string | undefined;
for (const name of ['vm', 'runsc', 'ip6-localhost']) {
  try {
    const addresses = await lookup(name, { all: true });
    if (addresses.some((a) => a.address === '127.0.0.1')) {
      loopbackName = name;
      break;
    }
  } catch {
    // not in this machine's hosts file
  }
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(404).end();
  });
  port = Number(new URL(await listen(server)).port);
});
afterAll(() => close(server));

describe('oauth-jar/wallet on Node: resolved-address check (RFC 9101 §10.4)', () => {
  it('exports the same names as the Web-API build', async () => {
    expect(Object.keys(web).sort()).toEqual(Object.keys(await import('../../src/wallet-node.js')).sort());
  });

  it.skipIf(loopbackName === undefined)('refuses a request_uri whose name resolves to 127.0.0.1, before any request reaches it', async () => {
    const url = `openid4vp://?client_id=x509_san_dns%3Averifier.example&request_uri=${encodeURIComponent(`http://${loopbackName}:${port}/request/1`)}`;
    hits = 0;
    const err = await new WalletRequestVerifier({ trustAnchors: ['AAAA'], requestUri: { allowHttp: true } }).verify(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalletRequestError);
    expect((err as WalletRequestError).error).toBe('invalid_request_uri');
    expect(hits).toBe(0);
    // with private networks allowed (loopback tests), the same request reaches the server
    await new WalletRequestVerifier({ trustAnchors: ['AAAA'], requestUri: { allowHttp: true, allowPrivateNetwork: true } }).verify(url).catch(() => undefined);
    expect(hits).toBe(1);
  });
});

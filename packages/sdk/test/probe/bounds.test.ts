// The probe's own guarantees: it sends nothing to a host other than the server's origin, it never
// follows a redirect, and it is bounded in requests and in time. The fetch is a spy throughout,
// so nothing could leave the machine even if the probe were wrong.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProbeReport, probeAuthorizationServer, probeReportToJUnit } from '../../src/probe.js';
import { failure } from '../helpers/failure.js';
import { close, listen } from '../helpers/loopback.js';
import { CLIENT_ID, REDIRECT_URI, clientKey } from './fixtures.js';

const key = await clientKey();
const base = { clientId: CLIENT_ID, key: key.privateJwk, redirectUri: REDIRECT_URI };

/** A fetch that answers from `routes` (by URL without query) and records every URL asked for. */
function spy(routes: Record<string, () => Response>) {
  const seen: string[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    seen.push(url.href);
    const route = routes[`${url.origin}${url.pathname}`];
    return route ? route() : new Response('not found', { status: 404 });
  };
  return { fetch, seen };
}

let server: Server | undefined;
afterEach(() => close(server));

describe('probe bounds', () => {
  it('refuses to start when the metadata names an endpoint on another host, having sent nothing there', async () => {
    const issuer = 'https://as.example.com';
    const { fetch, seen } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () =>
        Response.json({ issuer, authorization_endpoint: 'http://169.254.169.254/authorize', request_parameter_supported: true }),
    });
    const err = await failure(probeAuthorizationServer({ ...base, issuer, fetch }));
    expect(err.code).toBe('ERR_INVALID_URL');
    expect(err.message).toMatch(/authorization_endpoint is on http:\/\/169\.254\.169\.254/);
    expect(seen.map((u) => new URL(u).origin)).toEqual([issuer]);
  });

  it('runs no canary for a server that is not on loopback, and talks to nobody but that server', async () => {
    const issuer = 'https://as.example.com';
    const { fetch, seen } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () =>
        Response.json({ issuer, authorization_endpoint: `${issuer}/authorize`, request_uri_parameter_supported: true, require_signed_request_object: true }),
      // Refuses everything, as an error redirect: every baseline fails, every hostile case passes.
      [`${issuer}/authorize`]: () => new Response(null, { status: 302, headers: { location: `${REDIRECT_URI}?error=invalid_request_object` } }),
    });
    const report = await probeAuthorizationServer({ ...base, issuer, fetch });
    expect(new Set(seen.map((u) => new URL(u).origin))).toEqual(new Set([issuer]));
    expect(report.notes.some((n) => n.includes('canary'))).toBe(false);
    expect(report.results.find((r) => r.id === 'request-uri-unregistered')!.observed).toMatch(/no canary listener/);
    // A refused baseline makes the report say so, and counts as a failure.
    expect(report.baselinesAccepted).toBe(false);
    expect(report.results.find((r) => r.id === 'baseline-value')!.verdict).toBe('fail');
    expect(formatProbeReport(report)).toMatch(/a baseline was not accepted: the hostile results are not meaningful/);
  });

  it('never follows a redirect: a redirect to a third party is read, not fetched', async () => {
    const issuer = 'https://as.example.com';
    const { fetch, seen } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () => Response.json({ issuer, authorization_endpoint: `${issuer}/authorize` }),
      [`${issuer}/authorize`]: () => new Response(null, { status: 302, headers: { location: 'http://10.0.0.1/login' } }),
    });
    const report = await probeAuthorizationServer({ ...base, issuer, fetch, maxRequests: 4 });
    expect(seen.every((u) => u.startsWith(`${issuer}/`))).toBe(true);
    expect(report.results.find((r) => r.id === 'baseline-value')!.observed).toBe('accepted: 302 to http://10.0.0.1');
  });

  it('sends at most maxRequests requests, and skips the rest', async () => {
    const issuer = 'https://as.example.com';
    const { fetch, seen } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () => Response.json({ issuer, authorization_endpoint: `${issuer}/authorize` }),
      [`${issuer}/authorize`]: () => new Response('login', { status: 200 }),
    });
    const report = await probeAuthorizationServer({ ...base, issuer, fetch, maxRequests: 5 });
    expect(seen).toHaveLength(5);
    expect(report.requests).toBe(5);
    expect(report.results.filter((r) => r.observed.includes('budget of 5 requests')).length).toBeGreaterThan(20);
  });

  it('gives up on a server that does not answer: a timeout per request and a deadline for the run', async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/.well-known/oauth-authorization-server')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/authorize` }));
      }
      // /authorize: never answered
    });
    const issuer = await listen(server);
    const started = Date.now();
    const report = await probeAuthorizationServer({ ...base, issuer, timeout: 300, deadline: 1500, canary: false });
    // Generous: the deadline is checked between cases, each bounded by the 300 ms timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.results.find((r) => r.id === 'baseline-value')!.observed).toMatch(/did not answer within 300 ms/);
    expect(report.results.filter((r) => r.observed.includes('deadline passed')).length).toBeGreaterThan(10);
  });

  it('refuses bad options with a typed error before sending anything', async () => {
    const { fetch, seen } = spy({});
    const publicOnly = { ...key.publicJwk };
    expect((await failure(probeAuthorizationServer({ ...base, key: publicOnly, issuer: 'https://as.example.com', fetch }))).code).toBe('ERR_INVALID_ARGUMENT');
    expect((await failure(probeAuthorizationServer({ ...base, redirectUri: 'not a url', issuer: 'https://as.example.com', fetch }))).code).toBe('ERR_INVALID_URL');
    expect((await failure(probeAuthorizationServer({ ...base, issuer: 'http://as.example.com', fetch }))).code).toBe('ERR_INVALID_URL');
    expect(seen).toEqual([]);
  });

  it('writes JUnit XML with one testcase per case, a failure per failed case, escaped text', async () => {
    const issuer = 'https://as.example.com';
    const { fetch } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () => Response.json({ issuer, authorization_endpoint: `${issuer}/authorize` }),
      [`${issuer}/authorize`]: () => new Response('<login & consent>', { status: 200 }),
    });
    const report = await probeAuthorizationServer({ ...base, issuer, fetch });
    const xml = probeReportToJUnit(report);
    expect(xml.match(/<testcase /g)).toHaveLength(report.results.length);
    expect(xml.match(/<failure /g)).toHaveLength(report.summary.failures);
    expect(xml).toContain('name="alg-none: unsigned, alg &quot;none&quot;"');
    expect(xml).not.toMatch(/<login/);
  });

  it('never prints what the server chose as it is: an error code outside RFC 6749\'s charset is replaced', async () => {
    const issuer = 'https://as.example.com';
    const { fetch } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () => Response.json({ issuer, authorization_endpoint: `${issuer}/authorize` }),
      [`${issuer}/authorize`]: () =>
        new Response(null, { status: 302, headers: { location: `${REDIRECT_URI}?error=${encodeURIComponent('\x1b[2J<script>')}&state=%1b` } }),
    });
    const report = await probeAuthorizationServer({ ...base, issuer, fetch, maxRequests: 3 });
    const alg = report.results.find((r) => r.id === 'baseline-value')!;
    expect(alg).toMatchObject({ error: '(unprintable value)', observed: 'refused: 302 to the redirect_uri: (unprintable value)' });
    expect(formatProbeReport(report) + probeReportToJUnit(report) + JSON.stringify(report)).not.toMatch(/\x1b|\\u001b|<script/);
  });

  it('reads an error sent to the server\'s own error page, or served with 200, as a refusal', async () => {
    const issuer = 'https://as.example.com';
    let n = 0;
    const { fetch } = spy({
      [`${issuer}/.well-known/oauth-authorization-server`]: () => Response.json({ issuer, authorization_endpoint: `${issuer}/authorize` }),
      [`${issuer}/authorize`]: () =>
        n++ === 0
          ? new Response(null, { status: 302, headers: { location: '/error?error=invalid_request_object' } })
          : new Response('<html><p>error: invalid_request_object</p></html>', { status: 200 }),
    });
    const report = await probeAuthorizationServer({ ...base, issuer, fetch, maxRequests: 3 });
    expect(report.results.find((r) => r.id === 'baseline-value')!.observed).toBe('refused: 302 to /error: invalid_request_object');
    expect(report.results.find((r) => r.id === 'plain-request')!.observed).toBe('refused: 200 error page: invalid_request_object');
  });
});

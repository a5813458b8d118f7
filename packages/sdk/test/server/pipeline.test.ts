// The verifier's table of steps (src/server/pipeline.ts): verify() runs it in order and reports
// what it ran; the never-redirect rule and docs/verification.md derive from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthorizationRequestError, VERIFICATION_STEPS, type VerificationStepName } from '../../src/server.js';
import { claims, CLIENT_ID, clientFor, makeVerifier, query, refusal, sign, useKeys } from '../helpers/verifier-fixtures.js';

const keys = useKeys();

const NAMES = VERIFICATION_STEPS.map((s) => s.name as VerificationStepName);
const without = (...absent: VerificationStepName[]) => NAMES.filter((n) => !absent.includes(n));
const upTo = (step: VerificationStepName, ...absent: VerificationStepName[]) => NAMES.slice(0, NAMES.indexOf(step) + 1).filter((n) => !absent.includes(n));
const BY_VALUE_ABSENT: VerificationStepName[] = ['request_uri_not_supported', 'request_uri', 'decrypt', 'profile', 'replay'];

describe('the table', () => {
  it('names each step once', () => {
    expect(new Set(NAMES).size).toBe(NAMES.length);
  });

  it('steps before the client is known never redirect (RFC 6749 §4.1.2.1), every later one may, bar an invalid redirect_uri', () => {
    const lastNever = NAMES.indexOf('client_metadata');
    for (const [i, step] of VERIFICATION_STEPS.entries()) {
      // RFC 6749 §4.1.2.1: a redirect_uri that is not the client's is never redirected to.
      expect(step.redirects, step.name).toBe(i > lastNever && step.name !== 'redirect_uri');
    }
  });

  it('cites a spec section for every step', () => {
    for (const step of VERIFICATION_STEPS) expect(step.spec, step.name).toMatch(/(RFC \d+|FAPI|OIDC) .*§/);
  });
});

describe('verify() reports the steps it ran', () => {
  it('{ trace: true } returns every step that applied, in the table\'s order', async () => {
    const result = await makeVerifier(keys).verify(query({ client_id: CLIENT_ID, request: await sign(claims(), keys.es256.privateKey) }), { trace: true });
    expect(result.steps!.map((s) => s.step)).toEqual(without(...BY_VALUE_ABSENT));
    expect(result.steps!.every((s) => s.passed)).toBe(true);
  });

  it('without trace, the result has no steps', async () => {
    const result = await makeVerifier(keys).verify(query({ client_id: CLIENT_ID, request: await sign(claims(), keys.es256.privateKey) }));
    expect(result).not.toHaveProperty('steps');
  });

  it('a refusal carries the steps that ran, ending with the one that refused; redirectable as the table says', async () => {
    const cases: Array<[VerificationStepName, () => Promise<URLSearchParams>, ReturnType<typeof makeVerifier>?]> = [
      ['repeated_parameter', async () => query({ client_id: [CLIENT_ID, CLIENT_ID] })],
      ['client', async () => query({ client_id: 'nobody' })],
      ['client_metadata', async () => query({ client_id: CLIENT_ID }), makeVerifier(keys, {}, clientFor(keys, { request_uris: 'x' }))],
      ['aud', async () => query({ client_id: CLIENT_ID, request: await sign(claims({ aud: 'https://other.example' }), keys.es256.privateKey) })],
      ['replay', async () => query({ client_id: CLIENT_ID, request: await sign(claims({ jti: undefined }), keys.es256.privateKey) })],
    ];
    for (const [step, make, given] of cases) {
      const verifier = given ?? makeVerifier(keys, step === 'replay' ? { replayStore: { consume: () => true } } : {});
      const err = await refusal(verifier, await make());
      // Past the client, a request by value: no request_uri, no JWE, no profile (and no store but for replay).
      const byValue = NAMES.indexOf(step) > NAMES.indexOf('signed_request_object_required');
      const absent = byValue ? BY_VALUE_ABSENT.filter((s) => s !== step) : ['request_not_supported' as const];
      expect(err.steps.map((s) => s.step), step).toEqual(upTo(step, ...absent));
      expect(err.steps.at(-1)).toEqual({ step, passed: false });
      expect(err.check).toBe(step);
      expect(err.redirectable).toBe(VERIFICATION_STEPS.find((s) => s.name === step)!.redirects);
    }
  });

  it('a failure of the server itself during a step is check internal, recorded at that step, never redirected', async () => {
    const verifier = makeVerifier(keys, {}, () => {
      throw new Error('database down');
    });
    const err = await refusal(verifier, query({ client_id: CLIENT_ID }));
    expect([err.error, err.check, err.redirectable]).toEqual(['server_error', 'internal', false]);
    expect(err.steps.at(-1)).toEqual({ step: 'client', passed: false });
  });

  it('an AuthorizationRequestError made outside a verifier has no steps', () => {
    expect(new AuthorizationRequestError('invalid_request', 'client_id', 'x').steps).toEqual([]);
  });
});

// docs/verification.md holds the table between two markers; UPDATE_DOCS=1 rewrites it.
const DOC = resolve(__dirname, '../../../../docs/verification.md');
const BEGIN = '<!-- steps:begin (generated from packages/sdk/src/server/pipeline.ts by test/server/pipeline.test.ts; UPDATE_DOCS=1 to rewrite) -->';
const END = '<!-- steps:end -->';

function renderSteps(): string {
  const rows = VERIFICATION_STEPS.map(
    (s, i) => `| ${i + 1} | \`${s.name}\` | ${s.checks.replace(/\|/g, '\\|')} | ${s.errors.map((e) => `\`${e}\``).join(', ')} | ${s.redirects ? 'yes' : 'no'} | ${s.spec} |`,
  );
  return ['| # | step (`check`) | what it checks | `error` | may redirect | spec |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

it('docs/verification.md lists every step of the table, in order, with its error, redirect rule and spec', () => {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  expect(start).toBeGreaterThan(-1);
  const current = doc.slice(start + BEGIN.length, end).trim();
  if (process.env.UPDATE_DOCS === '1' && current !== renderSteps()) {
    writeFileSync(DOC, `${doc.slice(0, start + BEGIN.length)}\n${renderSteps()}\n${doc.slice(end)}`);
    return;
  }
  expect(current).toBe(renderSteps());
});

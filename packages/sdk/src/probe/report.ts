import type { ProbeReport, ProbeVerdict } from './types.js';

const MARK: Record<ProbeVerdict, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/**
 * The report as a table for people: one line per case with its spec source, the expected and
 * the observed answer, and the verdict; then the notes and a summary line.
 *
 * @param report What {@link probeAuthorizationServer} returned.
 * @param options `color` wraps verdicts in ANSI colours (for a terminal).
 *
 * @example
 * ```ts
 * import { formatProbeReport, probeAuthorizationServer } from 'oauth-jar/probe';
 *
 * const report = await probeAuthorizationServer({ issuer, clientId, key, redirectUri });
 * console.log(formatProbeReport(report));
 * ```
 */
export function formatProbeReport(report: ProbeReport, options: { color?: boolean } = {}): string {
  const paint = (v: ProbeVerdict, s: string) => {
    if (!options.color) return s;
    const code = v === 'pass' ? 32 : v === 'fail' ? 31 : v === 'warn' ? 33 : 2;
    return `\x1b[${code}m${s}\x1b[0m`;
  };
  const rows = report.results.map((r) => [r.id, r.source, r.expected, r.observed, r.verdict] as const);
  const head = ['case', 'source', 'expected', 'observed', 'verdict'] as const;
  const width = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(width[i]!) : c)).join('  ');
  const out = [
    `oauth-jar probe: ${report.issuer} (client_id ${report.client_id}${report.profile ? `, profile ${report.profile}` : ''})`,
    '',
    line([head[0], head[1], head[2], 'verdict', head[3]]),
    ...rows.map(([id, source, exp, obs, v]) => line([id, source, exp, paint(v, MARK[v].padEnd(7)), obs])),
    '',
    ...report.notes.map((n) => `note: ${n}`),
  ];
  const s = report.summary;
  out.push(
    `${s.passed} passed, ${s.warnings} warnings, ${s.failures} failed, ${s.skipped} skipped; ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  if (!report.baselinesAccepted) out.push(paint('fail', 'a baseline was not accepted: the hostile results are not meaningful'));
  return `${out.join('\n')}\n`;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * The report as JUnit XML for CI: one `testcase` per case, a `failure` for each failed case, a
 * `skipped` for each case that did not apply; warnings pass, with the observed answer in
 * `system-out`.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { probeAuthorizationServer, probeReportToJUnit } from 'oauth-jar/probe';
 *
 * const report = await probeAuthorizationServer({ issuer, clientId, key, redirectUri });
 * await writeFile('probe.xml', probeReportToJUnit(report));
 * ```
 */
export function probeReportToJUnit(report: ProbeReport): string {
  const s = report.summary;
  const cases = report.results.map((r) => {
    const attrs = `name="${xml(`${r.id}: ${r.title}`)}" classname="${xml(`oauth-jar.probe.${r.kind}`)}"`;
    const text = `expected ${r.expected}; observed ${r.observed} [${r.source}]`;
    const body =
      r.verdict === 'fail'
        ? `<failure message="${xml(text)}" type="${r.kind === 'baseline' ? 'BaselineRefused' : 'HostileAccepted'}"/>`
        : r.verdict === 'skip'
          ? `<skipped message="${xml(r.observed)}"/>`
          : `<system-out>${xml(`${r.verdict === 'warn' ? 'WARNING: ' : ''}${text}`)}</system-out>`;
    return `    <testcase ${attrs}>${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="oauth-jar probe" tests="${report.results.length}" failures="${s.failures}" skipped="${s.skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(report.issuer)}" tests="${report.results.length}" failures="${s.failures}" skipped="${s.skipped}" errors="0" time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${report.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// `pnpm bench` (root: build, then this). Runs the suites against the BUILT package (dist/), prints
// every figure with its target and PASS/MISS, and writes bench/results/latest.json, the chart
// bench/results/bench.svg and the markdown table bench/results/table.md that the README shows.
//
//   node bench/run.mjs                       every suite (about a minute)
//   node bench/run.mjs --quick               fewer, shorter rounds (a smoke run; noisier ratios)
//   node bench/run.mjs client server         only these suites (client, server, hosted, bundle)
//   node bench/run.mjs --update-readme       also replace the README's table between its bench markers
//
// Speed figures are ratios measured within one run (see lib/measure.mjs), never absolute times
// compared across runs or machines.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { barChart } from './lib/svg.mjs';

const SUITES = ['client', 'server', 'hosted', 'bundle'];
const args = process.argv.slice(2).filter((a) => a !== '--');
const quick = args.includes('--quick');
const updateReadme = args.includes('--update-readme');
const unknown = args.filter((a) => a.startsWith('-') && !['--quick', '--update-readme'].includes(a));
const selected = args.filter((a) => !a.startsWith('-'));
for (const s of selected) if (!SUITES.includes(s)) unknown.push(s);
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: node bench/run.mjs [--quick] [--update-readme] [${SUITES.join('|')} ...]`);
  process.exit(2);
}
const suites = selected.length > 0 ? selected : SUITES;

const dist = new URL('../dist/', import.meta.url);
if (!existsSync(new URL('index.js', dist)) || !existsSync(new URL('server.js', dist))) {
  console.error('dist/ is missing: run `pnpm build` at the repository root first (or `pnpm bench` there, which builds).');
  process.exit(2);
}

const speed = quick ? { rounds: 10, time: 10 } : { rounds: 60, time: 20 };
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });

const fmtOps = (n) => (n === undefined ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const verdict = (pass) => (pass ? 'PASS' : 'MISS');
const kb = (b) => `${(b / 1024).toFixed(2)} KB`;

const command = `pnpm bench${args.length ? ` -- ${args.filter((a) => a !== '--update-readme').join(' ')}` : ''}`.trimEnd().replace(/ --$/, '');
const started = Date.now();
// Other processes skew even interleaved ratios (wider round-to-round spread): record how busy the machine was.
const loadAtStart = os.loadavg()[0];
const runAt = new Date(started).toISOString();
const rows = [];
for (const suite of suites) {
  const t0 = Date.now();
  console.log(`\n== ${suite} ${quick ? '(quick)' : ''}`);
  let out;
  if (suite === 'client') out = await (await import('./client.bench.mjs')).clientSuite(speed);
  if (suite === 'server') out = await (await import('./server.bench.mjs')).serverSuite(speed);
  if (suite === 'hosted') out = await (await import('./hosted.bench.mjs')).hostedSuite({ quick });
  if (suite === 'bundle') out = await (await import('./bundle.bench.mjs')).bundleSuite();
  for (const r of out) {
    r.runAt = runAt;
    r.command = command;
    print(r);
    rows.push(r);
  }
  console.log(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

function print(r) {
  if (r.suite === 'client' || r.suite === 'server') {
    const peer = r.peerOps !== undefined ? `  oauth4webapi ${fmtOps(r.peerOps)}/s (${r.peerRatio.toFixed(2)}x jose)` : '';
    console.log(
      `${r.id.padEnd(46)} ${r.ratio.toFixed(3)} x ${r.baseline.padEnd(34)} ${r.target === undefined ? 'information only' : `target >= ${r.target.toFixed(2)}  ${verdict(r.pass)}`}` +
        `   [oauth-jar ${fmtOps(r.sdkOps)}/s, raw ${fmtOps(r.rawOps)}/s, rounds IQR ${r.range.map((x) => x.toFixed(2)).join('–')}, from mean latency ${r.meanRatio.toFixed(2)}]${peer}`,
    );
  } else if (r.suite === 'bundle') {
    const check = r.check ? `  target ${r.check.target}  ${verdict(r.check.pass)} (${r.check.overJose >= 0 ? '+' : ''}${kb(r.check.overJose)} vs jose)` : '';
    const lazy = r.lazyGzip ? `  + on demand ${kb(r.lazyGzip)} gzip${r.lazyKy ? ' (ky)' : ''}` : '';
    console.log(`${r.id.padEnd(34)} up front: min ${kb(r.min).padStart(9)}  gzip ${kb(r.gzip).padStart(9)}  ky: ${r.ky ? 'yes' : 'no'}${lazy}${check}`);
  } else if (r.suite === 'hosted') {
    if (r.kind === 'load') {
      console.log(
        `${r.id.padEnd(34)} ${fmtOps(r.rps)} req/s  handler p50 ${r.handler.p50.toFixed(3)} ms p99 ${r.handler.p99.toFixed(3)} ms` +
          `  (end to end p50 ${r.e2e.p50.toFixed(2)} ms p99 ${r.e2e.p99.toFixed(2)} ms;` +
          ` paced at ${fmtOps(r.paced.rate)} req/s: end to end p50 ${r.paced.e2e.p50.toFixed(2)} ms p99 ${r.paced.e2e.p99.toFixed(2)} ms, handler p99 ${r.paced.handler.p99.toFixed(2)} ms)` +
          `${r.target ? `  target handler p99 < ${r.target} ms  ${verdict(r.pass)}` : ''}`,
      );
    } else {
      console.log(
        `${r.id.padEnd(34)} heap after 100k ${(r.heap1 / 2 ** 20).toFixed(1)} MB, after another 100k (first expired) ${(r.heap2 / 2 ** 20).toFixed(1)} MB,` +
          ` entries ${r.size1} → ${r.size2}, ${((r.heap1 - r.heap0) / r.n).toFixed(0)} B/object  target: bounded (growth < 25%)  ${verdict(r.pass)}`,
      );
    }
  }
}

// Keep the previous figures of the suites not run this time, so a filtered run updates only its own.
const latestFile = new URL('latest.json', resultsDir);
let previous = [];
try {
  previous = JSON.parse(readFileSync(latestFile, 'utf8')).rows.filter((r) => !suites.includes(r.suite));
} catch {}
const all = [...previous, ...rows].sort((a, b) => SUITES.indexOf(a.suite) - SUITES.indexOf(b.suite));
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  machine: `${os.platform()} ${os.arch()}, ${os.cpus().length} × ${cpu}`,
  command,
  quick,
  loadAverage: Number(loadAtStart.toFixed(2)),
  ...speed,
};
writeFileSync(latestFile, `${JSON.stringify({ ...meta, rows: all }, null, 2)}\n`);
writeFileSync(new URL('bench.svg', resultsDir), chart(all, meta));
const table = markdown(all, meta);
writeFileSync(new URL('table.md', resultsDir), table);
if (updateReadme) {
  const readme = new URL('../../../README.md', import.meta.url);
  const text = readFileSync(readme, 'utf8');
  const re = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
  if (!re.test(text)) console.error('README.md has no <!-- bench:start --> / <!-- bench:end --> markers: not updated');
  else writeFileSync(readme, text.replace(re, (_, a, b) => `${a}${table}${b}`));
}
const misses = all.filter((r) => r.pass === false || r.check?.pass === false).length;
console.log(`\n${misses === 0 ? 'every target met' : `${misses} target(s) missed`}; results in ${fileURLToPath(resultsDir)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

function chart(all, meta) {
  const groups = [];
  const ratioGroup = (suite, title, target) => {
    const bars = all.filter((r) => r.suite === suite).map((r) => ({ label: r.id, value: r.ratio, pass: r.pass, note: `${r.ratio.toFixed(2)}×` }));
    if (bars.length) groups.push({ title, target, ref: 1, max: 1.5, unit: '×', bars });
  };
  ratioGroup('client', 'Client: builder+sign ops/s ÷ raw jose ops/s (higher is better)', 0.95);
  ratioGroup('server', 'Server: verify() ops/s ÷ raw jose ops/s with the same checks', 0.9);
  const bundle = all.filter((r) => r.suite === 'bundle');
  if (bundle.length) {
    groups.push({
      title: 'Browser app loaded up front, min+gzip (KB; lower is better)',
      max: Math.max(...bundle.map((r) => r.gzip / 1024)) * 1.1,
      unit: ' KB',
      bars: bundle.map((r) => ({ label: r.id, value: r.gzip / 1024, pass: r.check?.pass, note: `${(r.gzip / 1024).toFixed(1)} KB${r.ky ? ' (ky)' : ''}` })),
    });
  }
  const load = all.filter((r) => r.suite === 'hosted' && r.kind === 'load');
  if (load.length) {
    groups.push({
      title: 'Hosted request_uri handler, 256 concurrent loopback clients: handler p99 (ms)',
      target: 5,
      max: Math.max(6, ...load.map((r) => r.handler.p99)) * 1.1,
      unit: ' ms',
      bars: load.map((r) => ({ label: r.id, value: r.handler.p99, pass: r.pass, note: `p99 ${r.handler.p99.toFixed(2)} ms, ${fmtOps(r.rps)} req/s` })),
    });
  }
  return barChart({ title: `oauth-jar bench — ${meta.date.slice(0, 10)}, Node ${meta.node}${meta.quick ? ' (quick)' : ''}`, groups });
}

function markdown(all, meta) {
  const lines = [];
  // a filtered run keeps the other suites' figures: name every run the table draws on
  const runs = [...new Set(all.map((r) => `\`${r.command ?? meta.command}\` at ${(r.runAt ?? meta.date).slice(0, 16).replace('T', ' ')} UTC`))];
  const load = meta.loadAverage !== undefined ? ` The 1-minute load average was ${meta.loadAverage} when the last run started (${os.cpus().length} CPUs): figures from a busy machine spread widely (see the per-round range in latest.json).` : '';
  lines.push(`Measured on ${meta.machine}, Node ${meta.node}, with ${runs.join('; ')}.${load}`, '');
  lines.push('Speed is a ratio of ops/s within one run: median over interleaved rounds of (oauth-jar ÷ raw jose doing the same work and checks), each rate taken from the round\'s median latency.', '');
  const speedRows = all.filter((r) => r.suite === 'client' || r.suite === 'server');
  if (speedRows.length) {
    lines.push('| Path | oauth-jar ÷ raw jose | Baseline | Target | | oauth4webapi ÷ raw jose |', '|---|---:|---|---:|---|---:|');
    for (const r of speedRows) {
      const target = r.target === undefined ? 'information' : `≥ ${r.target.toFixed(2)}`;
      lines.push(`| ${r.id} | ${r.ratio.toFixed(2)} | ${r.baseline} | ${target} | ${r.pass === undefined ? '' : verdict(r.pass)} | ${r.peerRatio !== undefined ? r.peerRatio.toFixed(2) : '–'} |`);
    }
    lines.push('');
  }
  const bundle = all.filter((r) => r.suite === 'bundle');
  if (bundle.length) {
    lines.push('| Browser app (esbuild, minified, code splitting) | up front: min | up front: min+gzip | ky up front | on demand (import()): min+gzip | Target | |', '|---|---:|---:|---|---:|---|---|');
    for (const r of bundle) {
      const lazy = r.lazyGzip ? `${kb(r.lazyGzip)}${r.lazyKy ? ' (ky)' : ''}` : '–';
      lines.push(`| ${r.id} | ${kb(r.min)} | ${kb(r.gzip)} | ${r.ky ? 'yes' : 'no'} | ${lazy} | ${r.check ? r.check.target : ''} | ${r.check ? verdict(r.check.pass) : ''} |`);
    }
    lines.push('');
  }
  const hosted = all.filter((r) => r.suite === 'hosted');
  if (hosted.length) {
    lines.push('| Hosted request_uri publisher | req/s (saturated) | handler p50 | handler p99 | end-to-end p99, saturated | end-to-end p50 / p99, paced at a quarter of that rate | Target | |', '|---|---:|---:|---:|---:|---:|---|---|');
    for (const r of hosted) {
      if (r.kind === 'load') {
        const paced = r.paced ? `${r.paced.e2e.p50.toFixed(2)} / ${r.paced.e2e.p99.toFixed(2)} ms at ${fmtOps(r.paced.rate)} req/s` : '–';
        lines.push(`| ${r.id} | ${fmtOps(r.rps)} | ${r.handler.p50.toFixed(2)} ms | ${r.handler.p99.toFixed(2)} ms | ${r.e2e.p99.toFixed(1)} ms | ${paced} | ${r.target ? `handler p99 < ${r.target} ms` : ''} | ${r.target ? verdict(r.pass) : ''} |`);
      } else {
        lines.push(`| ${r.id}: heap after 100k → after another 100k (first ones expired) | | | | | | ${(r.heap1 / 2 ** 20).toFixed(1)} MB → ${(r.heap2 / 2 ** 20).toFixed(1)} MB (${((r.heap1 - r.heap0) / r.n).toFixed(0)} B/object); bounded | ${verdict(r.pass)} |`);
      }
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

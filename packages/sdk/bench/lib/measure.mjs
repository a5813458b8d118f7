// Ratios measured in one run: every comparison runs its tasks in short interleaved rounds (the
// order alternates each round) so that drift on a shared machine (other processes, CPU frequency,
// GC pressure) hits both sides alike. A round is one tinybench run of the tasks; the figure
// reported is the median over the rounds of each round's ratio, never a ratio of absolute times
// taken at different moments.
//
// Each round yields two rates per task: from the median latency (the headline: robust against a
// round whose mean is inflated by another process preempting this one) and from the mean latency
// (includes every GC pause; kept in the JSON and printed as a cross-check).
import { Bench } from 'tinybench';

export const median = (values) => {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Runs `tasks` ({ key: async fn }) in `rounds` interleaved tinybench rounds of `time` ms per task.
 * Returns per task the median ops/s (from median latency), and per round the ops/s of every task.
 */
export async function interleaved(tasks, { rounds, time, warmup = 20 }) {
  const keys = Object.keys(tasks);
  // warm every path (JIT, key-import caches, keep-alive connections) outside the measurement
  for (const k of keys) for (let i = 0; i < warmup; i++) await tasks[k]();
  const perRound = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? keys : [...keys].reverse();
    const bench = new Bench({ time, iterations: 8, warmup: false, throws: true });
    // an explicit async wrapper: tinybench awaits only functions it recognizes as async
    for (const k of order) {
      const fn = tasks[k];
      bench.add(k, async () => {
        await fn();
      });
    }
    await bench.run();
    const p50 = {};
    const mean = {};
    for (const t of bench.tasks) {
      if (t.result.state !== 'completed') throw new Error(`${t.name}: ${t.result.state} ${t.result.error ?? ''}`);
      p50[t.name] = 1000 / t.result.latency.p50;
      mean[t.name] = 1000 / t.result.period;
    }
    perRound.push({ p50, mean });
  }
  const opsPerSec = Object.fromEntries(keys.map((k) => [k, median(perRound.map((o) => o.p50[k]))]));
  return { opsPerSec, perRound };
}

/** Median over the rounds of `a / b` ops/s (each round's pair measured back to back). */
export function ratio(perRound, a, b, metric = 'p50') {
  return median(perRound.map((o) => o[metric][a] / o[metric][b]));
}

/** Spread of the per-round ratios: the interquartile range [q1, q3], to show how stable a figure is. */
export function ratioRange(perRound, a, b, metric = 'p50') {
  const r = perRound.map((o) => o[metric][a] / o[metric][b]).sort((x, y) => x - y);
  const q = (p) => r[Math.min(r.length - 1, Math.floor(p * (r.length - 1) + 0.5))];
  return [q(0.25), q(0.75)];
}

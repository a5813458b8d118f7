// Hosted publisher: requests/s and latency of HostedRequestUriPublisher.handler (through
// oauth-jar/node on node:http) under 256 concurrent keep-alive loopback clients, with the memory
// store and with Redis (a throw-away redis-server on 127.0.0.1 when the binary is installed); then
// the memory use of the memory store after 100 000 published objects with expiry running.
// Target (docs/performance.md): handler p99 < 5 ms at 256 concurrent clients with the memory store.
//
// Two latencies are reported. "handler" is measured in the server process from the request event
// to the response's 'finish': the cost of serving one request. "end to end" is what a client sees,
// queueing included; with 256 clients each sending its next request as soon as the last one is
// answered, it is about 256 / throughput (Little's law), whatever the handler costs. So the 256
// clients then also run paced, offering a quarter of the measured throughput, and the end-to-end latency
// at that load is reported too.
import { execFile, fork, spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const CONCURRENCY = 256;
const TARGET_P99_MS = 5;
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

const once = (child, pred) =>
  new Promise((ok, fail) => {
    const onMsg = (m) => pred(m) && (child.off('message', onMsg), ok(m));
    child.on('message', onMsg);
    child.once('exit', (code) => fail(new Error(`the bench server exited with ${code}`)));
  });

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function startRedis() {
  const which = await new Promise((ok) => execFile('sh', ['-c', 'command -v redis-server'], (err, out) => ok(err ? '' : out.trim())));
  if (!which) return undefined;
  const port = await freePort();
  const proc = spawn(which, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const { createClient } = await import('redis');
  for (let i = 0; i < 50; i++) {
    try {
      const c = await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
      await c.ping();
      await c.quit();
      return { port, stop: () => proc.kill() };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  proc.kill();
  return undefined;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function load(storeArgs, { duration, warmup }) {
  const child = fork(here('./hosted.server.mjs'), storeArgs, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port, paths } = await once(child, (m) => m.port !== undefined);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const fetchOne = (path) =>
      new Promise((ok, fail) => {
        get({ host: '127.0.0.1', port, path, agent }, (res) => {
          if (res.statusCode !== 200) fail(new Error(`HTTP ${res.statusCode}`));
          res.resume();
          res.once('end', ok);
        }).once('error', fail);
      });
    const run = async (ms, latencies) => {
      const until = performance.now() + ms;
      let done = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, c) => {
          let i = c;
          while (performance.now() < until) {
            const t = performance.now();
            await fetchOne(paths[i++ % paths.length]);
            latencies?.push(performance.now() - t);
            done++;
          }
        }),
      );
      return done;
    };
    // The same 256 clients, each sending at a fixed pace so that together they offer `rate` req/s:
    // below saturation, the end-to-end latency shows the service time rather than the queue.
    const paced = async (ms, rate, latencies) => {
      const interval = (CONCURRENCY / rate) * 1000;
      const until = performance.now() + ms;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, c) => {
          let next = performance.now() + Math.random() * interval;
          let i = c;
          while (next < until) {
            const wait = next - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            const t = performance.now();
            await fetchOne(paths[i++ % paths.length]);
            latencies.push(performance.now() - t);
            next += interval;
          }
        }),
      );
    };
    const measure = async (fn) => {
      child.send('reset');
      await once(child, (m) => m.ok);
      const latencies = [];
      const t0 = performance.now();
      const done = await fn(latencies);
      const elapsed = (performance.now() - t0) / 1000;
      child.send('stats');
      const handler = await once(child, (m) => m.count !== undefined);
      if (handler.errors > 0) throw new Error(`${handler.errors} requests were not answered 200`);
      latencies.sort((a, b) => a - b);
      return { rps: (done ?? latencies.length) / elapsed, requests: latencies.length, handler, e2e: { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) } };
    };
    await run(warmup);
    const saturated = await measure((latencies) => run(duration, latencies));
    const rate = Math.max(100, Math.round(saturated.rps / 4 / 100) * 100);
    const half = await measure((latencies) => paced(duration, rate, latencies));
    agent.destroy();
    return { ...saturated, paced: { rate, ...half } };
  } finally {
    if (child.connected) child.send('exit');
    else child.kill();
  }
}

async function memory() {
  const out = await new Promise((ok, fail) =>
    execFile(process.execPath, ['--expose-gc', here('./hosted.memory.mjs'), '100000'], { maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? fail(err) : ok(stdout),
    ),
  );
  return JSON.parse(out.trim().split('\n').pop());
}

export async function hostedSuite({ quick }) {
  const timing = quick ? { duration: 1000, warmup: 300 } : { duration: 3000, warmup: 1000 };
  const rows = [];
  const mem = await load(['memory'], timing);
  rows.push({
    suite: 'hosted', kind: 'load', id: `memory store, ${CONCURRENCY} clients`, ...mem,
    target: TARGET_P99_MS, pass: mem.handler.p99 < TARGET_P99_MS,
  });
  const redis = await startRedis();
  if (redis) {
    try {
      const r = await load(['redis', String(redis.port)], timing);
      rows.push({ suite: 'hosted', kind: 'load', id: `Redis store, ${CONCURRENCY} clients`, ...r });
    } finally {
      redis.stop();
    }
  } else {
    console.log('   (redis-server not installed: the Redis store is not measured)');
  }
  const m = await memory();
  rows.push({
    suite: 'hosted', kind: 'memory', id: 'memory store, 100k objects', ...m,
    // bounded: the second 100 000 replace the expired first ones instead of adding to them
    pass: m.heap2 < m.heap1 * 1.25 && m.size2 <= m.n,
  });
  return rows;
}

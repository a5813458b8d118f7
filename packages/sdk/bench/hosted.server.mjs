// The server side of the hosted-publisher load bench, in its own process so that the load generator
// does not share its event loop: HostedRequestUriPublisher.handler behind oauth-jar/node's
// toNodeHandler on node:http (127.0.0.1), with the memory store or Redis. It records the time from
// the request event to the response's 'finish' (the handler's latency, queueing in the kernel and
// in the client excluded) and reports percentiles over IPC.
//   node bench/hosted.server.mjs memory
//   node bench/hosted.server.mjs redis <port>
import { createServer } from 'node:http';

const [mode, redisPort] = process.argv.slice(2);
const { HostedRequestUriPublisher } = await import('../dist/index.js');
const { toNodeHandler } = await import('../dist/node.js');

let store;
let redis;
if (mode === 'redis') {
  const { createClient } = await import('redis');
  const { RedisRequestObjectStore } = await import('../dist/redis.js');
  redis = await createClient({ url: `redis://127.0.0.1:${redisPort}` }).connect();
  store = new RedisRequestObjectStore(redis);
}
const hosted = new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/', ttl: 300, ...(store ? { store } : {}) });

// 1 000 published objects of a realistic size (a nested request object is ~1.5 KB)
const object = `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(1400)}.sig`;
const paths = [];
for (let i = 0; i < 1000; i++) paths.push(new URL((await hosted.publish(`${object}${i}`)).requestUri).pathname);

const handle = toNodeHandler(hosted.handler);
const samples = new Float64Array(4_000_000);
let n = 0;
let errors = 0;
const server = createServer((req, res) => {
  const t = performance.now();
  res.once('finish', () => {
    if (res.statusCode !== 200) errors++;
    if (n < samples.length) samples[n++] = performance.now() - t;
  });
  handle(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port, paths }));

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
process.on('message', async (m) => {
  if (m === 'reset') {
    n = 0;
    errors = 0;
    process.send({ ok: true });
  } else if (m === 'stats') {
    const s = samples.slice(0, n).sort();
    process.send({ count: n, errors, p50: pct(s, 0.5), p99: pct(s, 0.99), max: s[n - 1] });
  } else if (m === 'exit') {
    server.closeAllConnections();
    server.close();
    await redis?.quit();
    process.exit(0);
  }
});

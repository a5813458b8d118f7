// The request_uri / jwks_uri host of the server suite, in a worker thread: another thread, as a real
// host is another machine, so the verifier's thread is idle while it waits, as on a real network.
// Paths: /ro, /jwks; a `-cold` suffix drops keep-alive (a new connection per request), a `-slow`
// suffix answers after `latencyMs`. The latency is slept with Atomics.wait (exact to the tick, no CPU
// used), not with a setTimeout on the verifier's own event loop, whose timers fire on a millisecond
// grid and would add anywhere from 0 to 2 ms depending on where a request falls on that grid.
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
const { routes, latencyMs } = workerData;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  const route = routes[path.replace(/-(cold|slow)$/, '')];
  if (!route) return void res.writeHead(404).end();
  const headers = { 'content-type': route.type };
  if (path.endsWith('-cold')) headers.connection = 'close';
  if (path.endsWith('-slow')) Atomics.wait(sleeper, 0, 0, latencyMs);
  res.writeHead(200, headers).end(route.body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => { if (m === 'close') server.close(() => process.exit(0)); server.closeAllConnections?.(); });
`;

/**
 * Starts the host. `routes`: `{ '/ro': { type, body } }` with string bodies.
 * @returns {Promise<{ base: string, close: () => Promise<void> }>}
 */
export async function startHost(routes, latencyMs) {
  const worker = new Worker(WORKER, { eval: true, workerData: { routes, latencyMs } });
  const port = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('close');
    }),
  };
}

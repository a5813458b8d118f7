// A throw-away Debian redis-server on 127.0.0.1 for the oauth-jar/redis tests: a free port, no
// persistence (--save '' --appendonly no), stopped by the test's afterAll. Installed with apt-get
// when missing and running as root (as .ci/run does).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';

export interface TestRedis {
  url: string;
  /** A new connected client; closed by stop(). */
  client(): Promise<ReturnType<typeof createClient>>;
  /** Stops the server (as a crash would) and keeps the clients, which try to reconnect. */
  kill(): Promise<void>;
  /** Starts a fresh server, without the old data (no persistence), on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function redisServerPath(): string {
  const find = () => {
    try {
      return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  let path = find();
  if (!path && process.getuid?.() === 0) {
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'], { stdio: 'ignore' });
    path = find();
  }
  if (!path) throw new Error('redis-server is not installed: apt-get install -y redis-server');
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function ready(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const c = createClient({ url, socket: { reconnectStrategy: false } });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      await c.close();
      return;
    } catch {
      await c.close().catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('redis-server did not start');
}

export async function startRedis(): Promise<TestRedis> {
  const bin = redisServerPath();
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const spawnServer = async () => {
    const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    try {
      await ready(url, c);
    } catch (err) {
      c.kill('SIGKILL');
      throw err;
    }
    return c;
  };
  const halt = async (c: ChildProcess) => {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    }
  };
  let child = await spawnServer();
  const clients: Array<ReturnType<typeof createClient>> = [];
  return {
    url,
    async client() {
      const c = createClient({ url });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
      return c;
    },
    async kill() {
      await halt(child);
    },
    async restart() {
      await halt(child);
      child = await spawnServer();
    },
    async stop() {
      for (const c of clients) await c.close().catch(() => {});
      await halt(child);
    },
  };
}

// Memory of the hosted publisher's default store with expiry running: publish 100 000 objects, then,
// once they have expired (the store's clock moved past ttl + its 10 s sweep interval), another
// 100 000. The heap after the second batch must be about the heap after the first: expired objects
// are swept, not accumulated. maxEntries is raised far above 100 000 so that expiry, not the size
// cap, is what bounds the store. Run with --expose-gc; prints one JSON line.
import { randomBytes } from 'node:crypto';

const { HostedRequestUriPublisher, MemoryRequestObjectStore } = await import('../dist/index.js');

const N = Number(process.argv[2] ?? 100_000);
const TTL = 60;
let clock = Date.now();
const store = new MemoryRequestObjectStore({ maxEntries: 10_000_000, now: () => clock });
const hosted = new HostedRequestUriPublisher({ baseUrl: 'https://rp.example.com/jar/', ttl: TTL, store });

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

async function batch(tag) {
  for (let i = 0; i < N; i++) {
    // a distinct flat ~750-character string per object, as real request objects are
    await hosted.publish(`eyJhbGciOiJFUzI1NiJ9.${tag}${i}.${randomBytes(525).toString('base64url')}`);
    if (i % 1000 === 0) clock += 10; // publishing takes time
  }
}

const heap0 = heap();
await batch('a');
const heap1 = heap();
const size1 = store.size;
clock += (TTL + 11) * 1000; // every object of the first batch has expired
await batch('b');
const heap2 = heap();
const size2 = store.size;
console.log(JSON.stringify({ n: N, heap0, heap1, heap2, size1, size2 }));

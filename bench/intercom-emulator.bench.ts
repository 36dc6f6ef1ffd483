// Intercom emulator benchmarks, against the targets of issue 4:
//   ≥ 3,000 simple GETs/s at zero latency on 2 cores;
//   1,000,000 contacts seeded in under 60 s and held in under 2 GB RSS;
//   lookups by id, email and external_id indexed (answered without scanning the workspace).
// The emulator runs in a worker thread (its own core); the load comes from this thread.
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { report } from './report.ts';

const contacts = Number(process.env['BENCH_CONTACTS'] ?? 1_000_000);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);

// Other work on the machine skews throughput: the load is printed beside the figures.
const machine = () =>
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`;
console.log(machine());

const workerSource = `
  const { parentPort, workerData } = require('node:worker_threads');
  import(workerData.entry).then(async ({ startIntercomEmulator }) => {
    const started = performance.now();
    const emu = await startIntercomEmulator({
      port: 0, seed: 'demo', demoSize: { contacts: workerData.contacts },
      rateLimitPerMinute: 1_000_000_000,
    });
    const seedMs = performance.now() - started;
    globalThis.gc?.();
    const sample = [...emu.emulator.ws.contacts.values()].filter((_, i) => i % 997 === 0).slice(0, 1000)
      .filter((c) => c.email && c.external_id).map((c) => ({ id: c.id, email: c.email, external_id: c.external_id }));
    parentPort.postMessage({ url: emu.url, seedMs, rss: process.memoryUsage().rss, size: emu.emulator.ws.contacts.size, sample });
    parentPort.on('message', async (m) => { if (m === 'close') { await emu.close(); process.exit(0); } });
  });
`;

interface Ready {
  url: string;
  seedMs: number;
  rss: number;
  size: number;
  sample: { id: string; email: string; external_id: string }[];
}

const worker = new Worker(workerSource, {
  eval: true,
  workerData: { entry: new URL('../emulators/intercom/index.ts', import.meta.url).href, contacts },
});
const ready = await new Promise<Ready>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
report(
  `seed ${ready.size.toLocaleString('en-US')} contacts (demo seed)`,
  ready.seedMs / 1000,
  's',
  { atMost: 60 },
);
report('RSS holding them', ready.rss / 2 ** 30, 'GB', { atMost: 2 });

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const { hostname, port } = new URL(ready.url);
function call(method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        hostname,
        port,
        method,
        path,
        headers: {
          authorization: 'Bearer tandem-dev-token',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests per second with `concurrency` callers for `seconds`, all answering 200. */
async function throughput(
  next: (i: number) => [string, string, string?],
  concurrency: number,
  forSeconds = seconds,
) {
  let done = 0;
  let failed = 0;
  const until = performance.now() + forSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const [method, path, body] = next(done);
        if ((await call(method, path, body)) !== 200) failed += 1;
        done += 1;
      }
    }),
  );
  if (failed > 0) throw new Error(`${failed} of ${done} requests did not answer 200`);
  return done / ((performance.now() - started) / 1000);
}

const pick = (i: number) => ready.sample[i % ready.sample.length] as Ready['sample'][number];
// Warm-up (JIT, and the collector settling after a million-contact seed), not measured.
await throughput((i) => ['GET', `/contacts/${pick(i).id}`], 32, 2);
report(
  'simple GETs (GET /contacts/{id}, zero latency)',
  await throughput((i) => ['GET', `/contacts/${pick(i).id}`], 32),
  'req/s',
  { atLeast: 3000 },
);
report('GET /me', await throughput(() => ['GET', '/me'], 32), 'req/s', { atLeast: 3000 });
report(
  'lookup by external_id (GET /contacts/find_by_external_id)',
  await throughput(
    (i) => ['GET', `/contacts/find_by_external_id/${encodeURIComponent(pick(i).external_id)}`],
    16,
  ),
  'req/s',
  { atLeast: 1000 },
);
report(
  'lookup by email (POST /contacts/search email =)',
  await throughput(
    (i) => [
      'POST',
      '/contacts/search',
      JSON.stringify({ query: { field: 'email', operator: '=', value: pick(i).email } }),
    ],
    16,
  ),
  'req/s',
  { atLeast: 1000 },
);
report(
  'lookup by id (POST /contacts/search id =)',
  await throughput(
    (i) => [
      'POST',
      '/contacts/search',
      JSON.stringify({ query: { field: 'id', operator: '=', value: pick(i).id } }),
    ],
    16,
  ),
  'req/s',
  { atLeast: 1000 },
);
// A query no index serves (what an incremental sync sends): one page over the whole workspace.
const scanStarted = performance.now();
const scans = 5;
for (let i = 0; i < scans; i++) {
  const body = JSON.stringify({
    query: { field: 'updated_at', operator: '>', value: 1_767_225_600 - (3 + i) * 86_400 },
    pagination: { per_page: 150 },
  });
  if ((await call('POST', '/contacts/search', body)) !== 200) throw new Error('search failed');
}
report(
  `search updated_at > day, scanning ${ready.size.toLocaleString('en-US')} contacts`,
  (performance.now() - scanStarted) / scans,
  'ms/page',
  { atMost: 2000 },
);
console.log(machine());
agent.destroy();
worker.postMessage('close');
await new Promise((resolve) => worker.once('exit', resolve));

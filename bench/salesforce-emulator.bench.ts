// Salesforce emulator throughput and capacity (issue 3): single-record GETs per second and records
// per second through sObject Collections at zero added latency, and a 1,000,000-Lead seed's time
// and memory. The emulator runs in its own process (as `tandem emulate salesforce` does), the load
// generator here, each on one of the two cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { report } from './report.ts';

const entry = new URL('../emulators/salesforce/index.ts', import.meta.url).href;

interface Child {
  readonly process: ChildProcess;
  readonly info: Record<string, unknown>;
}

/** Starts an emulator in a child process; `script` runs there and prints one JSON line. */
function child(script: string): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      '--expose-gc',
      ...(process.env['SF_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
      '--input-type=module',
      '-e',
      script,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line)
        resolve({ process: proc, info: JSON.parse(line) as Record<string, unknown> });
    });
    proc.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(
  url: string,
  method: string,
  token: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** A GET whose body is read and dropped: the load generator should cost as little as it can. */
function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** CPU seconds the emulator process has used so far (from its control plane). */
async function emulatorCpu(url: string): Promise<number> {
  const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
    process: { cpuMicros: number };
  };
  return stats.process.cpuMicros / 1e6;
}

/** Runs `work` from `concurrency` loops for `ms`: units done, and units per second. */
async function rate(
  ms: number,
  concurrency: number,
  work: () => Promise<number>,
): Promise<{ done: number; perSecond: number }> {
  const end = performance.now() + ms;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const n = await work(); // not `done += await work()`: that would read `done` before waiting
        done += n;
      }
    }),
  );
  return { done, perSecond: done / ((performance.now() - started) / 1000) };
}

async function throughput(): Promise<void> {
  const emulator = await child(`
    const { startSalesforceEmulator } = await import(${JSON.stringify(entry)});
    const e = await startSalesforceEmulator({ port: 0, seed: 'empty', dailyApiLimit: 1e9 });
    process.on('SIGTERM', () => process.exit(0));
    console.log(JSON.stringify({ url: e.url }));
  `);
  try {
    const url = String(emulator.info['url']);
    const tokenRes = await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
        username: 'admin@tandem.test',
        password: 'tandem-dev-password',
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const base = `${url}/services/data/v59.0`;
    let n = 0;
    const batch = (): string =>
      JSON.stringify({
        allOrNone: false,
        records: Array.from({ length: 200 }, () => {
          n++;
          return {
            attributes: { type: 'Lead' },
            FirstName: 'Bench',
            LastName: `Lead ${n}`,
            Company: 'Bench Inc',
            Email: `bench${n}@example.com`,
          };
        }),
      });
    // Warm up, and keep ids to read back.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await call(`${base}/composite/sobjects`, 'POST', token, batch());
      for (const r of JSON.parse(res.text) as { id: string }[]) ids.push(r.id);
    }
    let i = 0;
    const readOne = async (): Promise<number> => {
      const status = await get(`${base}/sobjects/Lead/${ids[i++ % ids.length]}`, token);
      if (status !== 200) throw new Error(`GET answered ${status}`);
      return 1;
    };
    await rate(1000, 16, readOne); // warm-up, not counted
    const cpuBefore = await emulatorCpu(url);
    const gets = await rate(5000, 16, readOne);
    const getCpu = (await emulatorCpu(url)) - cpuBefore;
    report('single-record GETs (REST, 0 ms latency)', gets.perSecond, 'GETs/s', { atLeast: 3000 });
    // The machine is shared: the same figure per second of CPU the emulator actually got.
    report('single-record GETs per emulator CPU-second', gets.done / getCpu, 'GETs/s', {
      atLeast: 3000,
    });
    const cpuBeforeWrites = await emulatorCpu(url);
    const records = await rate(5000, 4, async () => {
      const res = await call(`${base}/composite/sobjects`, 'POST', token, batch());
      if (res.status !== 200) throw new Error(`collection answered ${res.status}`);
      return 200;
    });
    const writeCpu = (await emulatorCpu(url)) - cpuBeforeWrites;
    report(
      'records created through sObject Collections (200 per call)',
      records.perSecond,
      'records/s',
      {
        atLeast: 20000,
      },
    );
    report('collection records per emulator CPU-second', records.done / writeCpu, 'records/s', {
      atLeast: 20000,
    });
  } finally {
    emulator.process.kill();
  }
}

async function bigSeed(): Promise<void> {
  const emulator = await child(`
    const { startSalesforceEmulator } = await import(${JSON.stringify(entry)});
    const started = performance.now();
    const e = await startSalesforceEmulator({ port: 0, seed: 'demo', demo: { users: 10, accounts: 0, contacts: 0, leads: 1000000, opportunities: 0, cases: 0, tasks: 0 } });
    const seconds = (performance.now() - started) / 1000;
    globalThis.gc?.();
    console.log(JSON.stringify({ seconds, rssMb: process.memoryUsage().rss / 1048576 }));
    await e.close();
  `);
  report('1,000,000 Leads seeded', Number(emulator.info['seconds']), 's', { atMost: 60 });
  report('memory held with 1,000,000 Leads', Number(emulator.info['rssMb']), 'MB RSS', {
    atMost: 2048,
  });
  emulator.process.kill();
}

// Other work on the machine weighs on every figure: say how busy it was.
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await throughput();
if (!process.argv.includes('--quick')) await bigSeed();
agent.destroy();

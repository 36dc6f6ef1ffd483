// The Intercom rate governor (issue 6, point 4): 32 concurrent callers update contacts through
// the connector for a minute against the Intercom emulator, which adds 50 ms to every call and
// allows 10,000 calls a minute (1,666 per 10-second window). Targets: ≥ 90% of the limit
// sustained, 429 answers ≤ 1% of the calls. BENCH_SECONDS changes the duration.
import { availableParallelism, loadavg } from 'node:os';
import { startIntercomEmulator } from '../emulators/intercom/index.ts';
import { createIntercomConnector } from '../src/connectors/intercom/index.ts';
import { report } from './report.ts';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 60);
const callers = 32;
const limitPerMinute = 10_000;

const machine = () =>
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`;
console.log(machine());

const emu = await startIntercomEmulator({
  port: 0,
  seed: 'demo',
  demoSize: { contacts: 200, companies: 1, conversations: 0 },
  latencyMs: 50,
  rateLimitPerMinute: limitPerMinute,
});
const control = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${emu.url}/__emulator${path}`)).json()) as T;
const contacts = (await control<{ data: { id: string }[] }>('/contacts')).data.map((c) => c.id);

const ic = createIntercomConnector({ baseUrl: emu.url, accessToken: emu.credentials.accessToken });
const started = performance.now();
const end = started + seconds * 1000;
let succeeded = 0;
let failed = 0;
await Promise.all(
  Array.from({ length: callers }, async (_, caller) => {
    for (let n = 0; performance.now() < end; n += 1) {
      const id = contacts[(caller + n * callers) % contacts.length] ?? '';
      const result = await ic.updateContact(id, { name: `Caller ${caller} update ${n}` });
      if (result.ok) succeeded += 1;
      else failed += 1;
    }
  }),
);
const minutes = (performance.now() - started) / 60_000;
const stats = await control<{ calls: Record<string, number>; rate_limited: number }>('/stats');
await emu.close();

const answered = Object.values(stats.calls).reduce((sum, count) => sum + count, 0);
const asked = answered + stats.rate_limited;
const usage = ic.usage();
console.log(
  `${callers} callers, ${seconds} s, 50 ms per call, limit ${limitPerMinute.toLocaleString('en-US')}/min: ` +
    `${succeeded.toLocaleString('en-US')} updates succeeded, ${failed} failed; ` +
    `the emulator answered ${answered.toLocaleString('en-US')} calls and ${stats.rate_limited} 429s; ` +
    `the pacer let ${usage.calls.toLocaleString('en-US')} calls through, ${usage.delayed.toLocaleString('en-US')} after waiting`,
);
const perMinute = succeeded / minutes;
report('updates sustained', perMinute, 'calls/min', { atLeast: 9_000 });
report('share of the limit sustained', (perMinute / limitPerMinute) * 100, '%', { atLeast: 90 });
report('429 answers', (stats.rate_limited / Math.max(1, asked)) * 100, '% of calls', {
  atMost: 1,
});
console.log(machine());

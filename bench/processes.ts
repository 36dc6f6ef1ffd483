// Processes for the backfill benches: each emulator as `tandem emulate …` in its own process,
// Tandem's commands (`connect`, `config apply`, `backfill`) as child processes on a data folder
// of their own, and the Tandem process measured from outside: its peak RSS (VmHWM) and CPU time
// (utime + stime) read from /proc until it exits, so nothing in Tandem is instrumented.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

const tandemBin = new URL('../bin/tandem.js', import.meta.url).pathname;
const nodeArgs = ['--disable-warning=ExperimentalWarning'];

export const machine = (): string =>
  `machine: ${availableParallelism()} cores, node ${process.version}, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`;

/** A port nobody listens on (the emulators are started on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface EmulatorProcess {
  readonly url: string;
  readonly process: ChildProcess;
  /** A control-plane call (`/__emulator/<path>`), answered as JSON. */
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** `tandem emulate <name> --port P …` in its own process, ready once it says so. */
export async function startEmulator(
  name: 'salesforce' | 'intercom',
  args: readonly string[],
): Promise<EmulatorProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      // A million records and their indexes need more than the default old space.
      '--max-old-space-size=8192',
      tandemBin,
      'emulate',
      name,
      '--port',
      String(port),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TANDEM_LOG_LEVEL: 'error' } },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`tandem emulate ${name} exited with ${code}: ${output}`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    process: child,
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}/__emulator/${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`${name} ${method} /__emulator/${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a `tandem` command to its end; throws with its output unless it exits 0. */
export function tandem(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, tandemBin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TANDEM_LOG_LEVEL: 'error', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`tandem ${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/**
 * Connects a fresh data folder to both emulators as `tandem demo` does (`tandem connect` with
 * the emulators' development credentials), then applies `settingsYaml` with `tandem config
 * apply`.
 */
export async function connectTandem(
  dataDir: string,
  salesforceUrl: string,
  intercomUrl: string,
  settingsYaml: string,
): Promise<void> {
  const dir = ['--data-dir', dataDir];
  await tandem([
    'connect',
    'salesforce',
    '--login-url',
    salesforceUrl,
    '--client-id',
    'tandem-dev-client',
    '--client-secret',
    'tandem-dev-secret',
    '--username',
    'admin@tandem.test',
    '--password',
    'tandem-dev-password',
    ...dir,
  ]);
  await tandem([
    'connect',
    'intercom',
    '--base-url',
    intercomUrl,
    '--token',
    'tandem-dev-token',
    '--client-secret',
    'tandem-dev-secret',
    ...dir,
  ]);
  const file = join(dataDir, 'bench-settings.yaml');
  writeFileSync(file, settingsYaml);
  await tandem(['config', 'apply', file, '--yes', ...dir]);
}

export interface Sample {
  /** ms since the process started. */
  readonly at: number;
  readonly cpuMs: number;
  readonly hwmKb: number;
  readonly rssKb: number;
}

export interface MeasuredRun {
  readonly code: number | null;
  readonly wallMs: number;
  /** utime + stime of the process, last reading before it exited. */
  readonly cpuMs: number;
  /** VmHWM, the peak resident set, last reading before it exited. */
  readonly peakRssMb: number;
  /** Lines the process printed, each with the ms since start it arrived at. */
  readonly lines: readonly { readonly at: number; readonly text: string }[];
  readonly samples: readonly Sample[];
}

const clockTicks = 100; // USER_HZ on Linux

function readProc(pid: number): { cpuMs: number; hwmKb: number; rssKb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return {
      cpuMs: ((utime + stime) * 1000) / clockTicks,
      hwmKb: Number(hwm?.[1] ?? 0),
      rssKb: Number(rss?.[1] ?? 0),
    };
  } catch {
    return undefined; // gone
  }
}

/**
 * Runs `tandem <args>` and samples its /proc entries every `everyMs` until it exits. `onSample`
 * hears each sample (the benches read the emulators' stats beside it).
 */
export function measure(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; everyMs?: number; echo?: boolean } = {},
): Promise<MeasuredRun> {
  const started = performance.now();
  // BENCH_TANDEM_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to this process only.
  const flags = (process.env['BENCH_TANDEM_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...flags, tandemBin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TANDEM_LOG_LEVEL: 'warn', ...options.env },
  });
  const pid = child.pid!;
  const lines: { at: number; text: string }[] = [];
  const samples: Sample[] = [];
  let pending = '';
  const onOutput = (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts) {
      const at = performance.now() - started;
      lines.push({ at, text });
      if (options.echo !== false)
        console.log(`  | ${(at / 1000).toFixed(1).padStart(6)} s  ${text}`);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const sample = () => {
    const reading = readProc(pid);
    if (reading) samples.push({ at: performance.now() - started, ...reading });
  };
  const timer = setInterval(sample, options.everyMs ?? 100);
  return new Promise((resolve) => {
    // 'exit' comes after the process is reaped: /proc is gone by then, so the last reading is
    // the one taken at most `everyMs` before (VmHWM only grows; CPU may be short by that much).
    child.once('exit', (code) => {
      clearInterval(timer);
      const wallMs = performance.now() - started;
      const last = samples.at(-1);
      resolve({
        code,
        wallMs,
        cpuMs: last?.cpuMs ?? 0,
        peakRssMb: Math.max(0, ...samples.map((s) => s.hwmKb)) / 1024,
        lines,
        samples,
      });
    });
  });
}

/**
 * Where the time, CPU and memory went, phase by phase: the phases come from the progress lines
 * the command prints at each phase change ("backfill #1, reading Intercom: …").
 */
export function phaseTable(run: MeasuredRun): string {
  const starts: { phase: string; at: number }[] = [];
  for (const { at, text } of run.lines) {
    const phase = /^backfill #\d+, ([^:]+):/.exec(text)?.[1];
    if (phase !== undefined && starts.at(-1)?.phase !== phase) starts.push({ phase, at });
  }
  starts.unshift({ phase: 'start-up', at: 0 });
  const rows = starts.map(({ phase, at }, i) => {
    const end = starts[i + 1]?.at ?? run.wallMs;
    const inside = run.samples.filter((s) => s.at >= at && s.at <= end);
    const cpuAt = (t: number) => run.samples.findLast((s) => s.at <= t)?.cpuMs ?? 0;
    const cpu = (i + 1 < starts.length ? cpuAt(end) : run.cpuMs) - cpuAt(at);
    const rss = Math.max(0, ...inside.map((s) => s.rssKb)) / 1024;
    return `  ${phase.padEnd(24)} ${((end - at) / 1000).toFixed(1).padStart(7)} s wall ${(cpu / 1000).toFixed(1).padStart(7)} s CPU  RSS up to ${rss.toFixed(0).padStart(4)} MB`;
  });
  return rows.join('\n');
}

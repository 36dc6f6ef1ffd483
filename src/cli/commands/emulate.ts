import {
  emulatorNames,
  describeEmulator,
  startEmulator,
  type EmulatorName,
  type RunningEmulator,
} from '../../runtime/emulators.ts';
import { UsageError, type Command } from '../command.ts';

const whole = (flag: string, value: unknown, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(
      `--${flag} must be a whole number from ${min} to ${max}, not "${String(value)}"`,
    );
  }
  return number;
};

export const emulateCommand: Command = {
  name: 'emulate',
  summary:
    'Run the local Salesforce and Intercom emulators, to rehearse without touching real accounts.',
  usage: 'tandem emulate [salesforce|intercom] [options]',
  details:
    'Without a name, both start: Salesforce on 4410 and Intercom on 4420. Each prints its base URL and credentials.',
  allowPositionals: true,
  options: {
    port: {
      type: 'string',
      value: 'PORT',
      describe: 'port (one emulator only; defaults 4410 and 4420)',
    },
    host: { type: 'string', value: 'HOST', describe: 'listen address (default 127.0.0.1)' },
    seed: { type: 'string', value: 'SEED', describe: 'demo (default), empty, or a seed FILE' },
    'latency-ms': {
      type: 'string',
      value: 'N',
      describe: 'added latency per API call (default 0)',
    },
    'rate-limit': {
      type: 'string',
      value: 'PER_MINUTE',
      describe: 'Intercom calls per minute (default 10000)',
    },
    'state-file': {
      type: 'string',
      value: 'FILE',
      describe: 'keep the data in FILE across restarts (one emulator only)',
    },
  },
  async run(context) {
    const requested =
      context.positionals.length === 0 ? [...emulatorNames] : [...context.positionals];
    for (const name of requested) {
      if (!(emulatorNames as readonly string[]).includes(name)) {
        throw new UsageError(`unknown emulator "${name}"; choose salesforce or intercom`);
      }
    }
    const values = context.values;
    if (
      requested.length > 1 &&
      (values['port'] !== undefined || values['state-file'] !== undefined)
    ) {
      throw new UsageError(
        '--port and --state-file apply to one emulator: name it (tandem emulate salesforce --port …)',
      );
    }
    const port = whole('port', values['port'], 0, 65535);
    const latencyMs = whole('latency-ms', values['latency-ms'], 0, 600_000);
    const rateLimitPerMinute = whole('rate-limit', values['rate-limit'], 1, 10_000_000);
    const running: RunningEmulator[] = [];
    try {
      for (const name of requested as EmulatorName[]) {
        const emulator = await startEmulator(name, {
          ...(port === undefined ? {} : { port }),
          ...(typeof values['host'] === 'string' ? { host: values['host'] } : {}),
          ...(typeof values['seed'] === 'string' ? { seed: values['seed'] } : {}),
          ...(latencyMs === undefined ? {} : { latencyMs }),
          ...(rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute }),
          ...(typeof values['state-file'] === 'string' ? { stateFile: values['state-file'] } : {}),
        });
        running.push(emulator);
        for (const line of describeEmulator(emulator)) context.out(line);
      }
      context.out('Press Ctrl-C to stop.');
      await context.waitForStop();
      return 0;
    } finally {
      await Promise.all(running.map((emulator) => emulator.close()));
    }
  },
};

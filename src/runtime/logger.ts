import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: string;
  /** `pretty` for people at a terminal, `json` for log collectors. */
  readonly format: 'json' | 'pretty';
  /** Where lines go; standard error by default, so command output on standard out stays clean. */
  readonly destination?: Writable;
}

const secretKey =
  /pass(word)?|secret|token|authorization|api[-_]?key|cookie|credential|signature|private[-_]?key/i;
const urlPassword = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]*@/gi;
const bearer = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const censor = '[redacted]';

/**
 * Makes any value safe to log: values under secret-looking keys are censored, passwords in
 * URLs and bearer tokens in strings are masked. Applied to every log line, whatever the caller
 * passed, so a forgotten field cannot leak a secret.
 */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.replace(urlPassword, `$1${censor}@`).replace(bearer, `$1 ${censor}`);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return censor;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (value instanceof Error) {
    return scrub(
      { type: value.name, message: value.message, stack: value.stack, ...(value as object) },
      depth + 1,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      secretKey.test(key) && item !== null && item !== undefined && item !== ''
        ? censor
        : scrub(item, depth + 1);
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const stream =
    options.format === 'pretty'
      ? pretty({
          colorize: true,
          sync: true,
          destination: options.destination ?? 2,
          ignore: 'pid,hostname',
        })
      : (options.destination ?? pino.destination({ fd: 2, sync: true }));
  return pino(
    {
      level: options.level,
      base: { service: 'tandem' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => scrub(object) as Record<string, unknown> },
      hooks: {
        // The message string is scrubbed too: a URL or header pasted into it must not leak.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) =>
              typeof arg === 'string' ? (scrub(arg) as string) : arg,
            ) as Parameters<typeof method>,
          );
        },
      },
    },
    stream,
  );
}

import { z } from 'zod';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logFormats = ['auto', 'json', 'pretty'] as const;

const port = z.coerce
  .number({ error: 'must be a whole number from 1 to 65535' })
  .int({ error: 'must be a whole number from 1 to 65535' })
  .min(1, { error: 'must be a whole number from 1 to 65535' })
  .max(65535, { error: 'must be a whole number from 1 to 65535' });

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int({ error: `must be a whole number from 1 to ${max}` })
    .min(1, { error: `must be a whole number from 1 to ${max}` })
    .max(max, { error: `must be a whole number from 1 to ${max}` });

const databaseUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== ''
      );
    } catch {
      return false;
    }
  },
  {
    error:
      'must be a PostgreSQL URL such as postgres://user:password@host:5432/database (leave it unset for the embedded SQLite store)',
  },
);

/** A 256-bit key, written as 64 hexadecimal characters or 44 base64 characters. */
const secretKey = z.string().refine((value) => parseSecretKey(value) !== undefined, {
  error:
    'must be 32 random bytes written as 64 hex characters or base64 (for example: openssl rand -hex 32)',
});

export function parseSecretKey(value: string): Buffer | undefined {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(
      text,
      text.includes('-') || text.includes('_') ? 'base64url' : 'base64',
    );
    if (bytes.length === 32) return bytes;
  }
  return undefined;
}

const urlWith = (protocols: readonly string[], error: string) =>
  z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return protocols.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { error },
  );

/** A bare address (ada@example.com) or one with a display name (Tandem <tandem@example.com>). */
export function parseEmailAddress(value: string): string | undefined {
  const text = value.trim();
  const address = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;
  if (address.test(text)) return text;
  const named = /^([^<>@,]*)<([^<>]+)>$/.exec(text);
  if (named && address.test(named[2]!.trim())) return text;
  return undefined;
}

const emailAddress = z.string().refine((value) => parseEmailAddress(value) !== undefined, {
  error: 'must be an e-mail address such as tandem@example.com or "Tandem <tandem@example.com>"',
});

const emailAddresses = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )
  .refine(
    (items) => items.length > 0 && items.every((item) => parseEmailAddress(item) !== undefined),
    { error: 'must be one or more e-mail addresses separated by commas' },
  );

const wholeNumberAtLeast = (min: number) => {
  const error = `must be a whole number of at least ${min}`;
  return z.coerce
    .number({ error })
    .int({ error })
    .min(min, { error })
    .max(Number.MAX_SAFE_INTEGER, { error });
};

const wholeNumberFrom = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/**
 * Every setting Tandem reads, with the names it has on each source: the command-line flag,
 * the environment variable and the key in the config file.
 */
export const settingDefinitions = {
  dataDir: {
    env: 'TANDEM_DATA_DIR',
    flag: 'data-dir',
    schema: z.string().min(1, { error: 'must be a folder path' }),
    default: './.tandem',
    describe: 'Folder for the embedded database, the generated secret key and other local state.',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: 'database-url',
    schema: databaseUrl,
    default: undefined,
    describe:
      'Unset: embedded SQLite in the data folder. postgres://…: PostgreSQL, for several worker processes.',
  },
  secretKey: {
    env: 'TANDEM_SECRET_KEY',
    flag: undefined,
    schema: secretKey,
    default: undefined,
    describe:
      'Encrypts stored credentials (AES-256-GCM). Embedded: generated into the data folder on first start. PostgreSQL: required.',
  },
  adminToken: {
    env: 'TANDEM_ADMIN_TOKEN',
    flag: undefined,
    schema: z.string().min(16, { error: 'must be at least 16 characters long' }),
    default: undefined,
    describe:
      'Bearer token for the admin API. Embedded: generated and printed once on first start when unset.',
  },
  host: {
    env: 'TANDEM_HOST',
    flag: 'host',
    schema: z.string().min(1, { error: 'must be a host name or address' }),
    default: '127.0.0.1',
    describe:
      'Address the HTTP server listens on (0.0.0.0 to accept connections from other machines).',
  },
  port: {
    env: 'TANDEM_PORT',
    flag: 'port',
    schema: port,
    default: 4400,
    describe: 'Port of the HTTP server.',
  },
  concurrency: {
    env: 'TANDEM_CONCURRENCY',
    flag: 'concurrency',
    schema: positiveInt(1000),
    default: 32,
    describe: 'How many jobs one process runs at the same time.',
  },
  jobLeaseMs: {
    env: 'TANDEM_JOB_LEASE_MS',
    flag: undefined,
    schema: positiveInt(3_600_000),
    default: 30_000,
    describe:
      'How long a worker holds its jobs without a heartbeat; the jobs of a worker that died run elsewhere after this.',
  },
  queueSchema: {
    env: 'TANDEM_QUEUE_SCHEMA',
    flag: undefined,
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error:
        'must be a PostgreSQL schema name: lower-case letters, digits and _, not starting with a digit',
    }),
    default: 'graphile_worker',
    describe: 'PostgreSQL schema of the job queue (graphile-worker), beside Tandem’s own tables.',
  },
  queueFetchSize: {
    env: 'TANDEM_QUEUE_FETCH_SIZE',
    flag: undefined,
    schema: z.coerce
      .number({ error: 'must be a whole number from 0 to 1000' })
      .int({ error: 'must be a whole number from 0 to 1000' })
      .min(0, { error: 'must be a whole number from 0 to 1000' })
      .max(1000, { error: 'must be a whole number from 0 to 1000' }),
    default: 16,
    describe:
      'PostgreSQL only: jobs a worker process fetches per query. More is faster; a new interactive job may wait behind up to this many fetched jobs. 0 fetches one at a time (strict lane order, about 850 jobs/s).',
  },
  shutdownGraceMs: {
    env: 'TANDEM_SHUTDOWN_GRACE_MS',
    flag: undefined,
    schema: positiveInt(600_000),
    default: 15_000,
    describe:
      'On SIGTERM/SIGINT, how long running jobs may take to finish before they are released.',
  },
  salesforcePollSeconds: {
    env: 'TANDEM_SALESFORCE_POLL_SECONDS',
    flag: undefined,
    schema: positiveInt(86_400),
    default: 60,
    describe:
      'How often Leads and Contacts are polled on SystemModstamp, the safety net under Change Data Capture.',
  },
  salesforcePollOverlapSeconds: {
    env: 'TANDEM_SALESFORCE_POLL_OVERLAP_SECONDS',
    flag: undefined,
    schema: positiveInt(86_400),
    default: 300,
    describe:
      'How far behind its watermark the Salesforce poll looks again, for late commits and clock skew.',
  },
  intercomSweepSeconds: {
    env: 'TANDEM_INTERCOM_SWEEP_SECONDS',
    flag: undefined,
    schema: positiveInt(86_400),
    default: 300,
    describe: 'How often the Intercom reconciliation sweep looks for changes webhooks missed.',
  },
  intercomSweepOverlapSeconds: {
    env: 'TANDEM_INTERCOM_SWEEP_OVERLAP_SECONDS',
    flag: undefined,
    schema: positiveInt(86_400),
    default: 300,
    describe: 'How far behind its watermark the Intercom sweep looks again.',
  },
  salesforceApiSharePercent: {
    env: 'TANDEM_SALESFORCE_API_SHARE_PERCENT',
    flag: undefined,
    schema: positiveInt(100),
    default: 50,
    describe:
      'Tandem’s share of the Salesforce org’s daily API limit, in percent; the budget thresholds are percents of this share.',
  },
  budgetPauseBulkPercent: {
    env: 'TANDEM_BUDGET_PAUSE_BULK_PERCENT',
    flag: undefined,
    schema: positiveInt(100),
    default: 40,
    describe: 'At this percent of Tandem’s Salesforce share, bulk work (backfills) pauses.',
  },
  budgetPauseLivePercent: {
    env: 'TANDEM_BUDGET_PAUSE_LIVE_PERCENT',
    flag: undefined,
    schema: positiveInt(100),
    default: 80,
    describe:
      'At this percent of Tandem’s Salesforce share, live sync pauses; interactive work goes on until 100%.',
  },
  notifyWebhookUrl: {
    env: 'TANDEM_NOTIFY_WEBHOOK_URL',
    flag: undefined,
    schema: urlWith(
      ['http:', 'https:'],
      'must be an http:// or https:// URL such as https://hooks.example.com/tandem',
    ),
    default: undefined,
    describe:
      'When a backfill finishes, its summary is posted here as JSON (backfill.completed or backfill.failed).',
  },
  smtpUrl: {
    env: 'TANDEM_SMTP_URL',
    flag: undefined,
    schema: urlWith(
      ['smtp:', 'smtps:'],
      'must be an SMTP URL such as smtps://user:password@smtp.example.com:465 or smtp://smtp.example.com:587',
    ),
    default: undefined,
    describe:
      'SMTP server that e-mails backfill summaries: smtps:// (TLS) or smtp:// (STARTTLS when offered), with optional user:password. Never echoed.',
  },
  notifyEmailFrom: {
    env: 'TANDEM_NOTIFY_EMAIL_FROM',
    flag: undefined,
    schema: emailAddress,
    default: undefined,
    describe:
      'Sender of backfill e-mails. Unset: the SMTP user name, when it is an e-mail address.',
  },
  notifyEmailTo: {
    env: 'TANDEM_NOTIFY_EMAIL_TO',
    flag: undefined,
    schema: emailAddresses,
    default: undefined,
    describe: 'Recipients of backfill e-mails, separated by commas. Required with TANDEM_SMTP_URL.',
  },
  backfillBulkThreshold: {
    env: 'TANDEM_BACKFILL_BULK_THRESHOLD',
    flag: 'bulk-threshold',
    schema: wholeNumberAtLeast(1),
    default: 2000,
    describe:
      'At or above this many records, a backfill uses Salesforce Bulk API 2.0; below it, sObject Collections.',
  },
  backfillChunkSize: {
    env: 'TANDEM_BACKFILL_CHUNK_SIZE',
    flag: 'chunk-size',
    schema: wholeNumberFrom(100, 50_000),
    default: 2000,
    describe: 'Records a backfill plans and writes together.',
  },
  logLevel: {
    env: 'TANDEM_LOG_LEVEL',
    flag: 'log-level',
    schema: choice(logLevels),
    default: 'info',
    describe: 'Least severe log level written.',
  },
  logFormat: {
    env: 'TANDEM_LOG_FORMAT',
    flag: 'log-format',
    schema: choice(logFormats),
    default: 'auto',
    describe: 'json, pretty (readable), or auto: pretty on a terminal, JSON elsewhere.',
  },
} as const;

export type SettingName = keyof typeof settingDefinitions;

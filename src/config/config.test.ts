import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, redactUrl, type ConfigResult } from './index.ts';

const key = 'a'.repeat(64);
const problemsOf = (result: ConfigResult) => (result.ok ? [] : result.problems);
const configOf = (result: ConfigResult) => {
  assert.ok(result.ok, JSON.stringify(problemsOf(result)));
  return result.config;
};

describe('configuration', () => {
  it('uses the embedded SQLite store in ./.tandem when nothing is set', () => {
    const config = configOf(loadConfig({ env: {}, cwd: '/srv/app' }));
    assert.equal(config.dataDir, '/srv/app/.tandem');
    assert.deepEqual(config.database, { kind: 'sqlite', file: '/srv/app/.tandem/tandem.db' });
    assert.equal(config.port, 4400);
    assert.equal(config.sources.port, 'default');
    assert.ok(Object.isFrozen(config));
  });

  it('takes flags over the environment, the environment over the file, the file over defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
    const file = join(dir, 'tandem.yaml');
    writeFileSync(file, 'port: 4501\nconcurrency: 3\nlogLevel: debug\n');
    const config = configOf(
      loadConfig({
        env: { TANDEM_PORT: '4502', TANDEM_CONCURRENCY: '5' },
        flags: { port: '4503' },
        configFile: file,
        cwd: dir,
      }),
    );
    assert.equal(config.port, 4503);
    assert.equal(config.sources.port, 'flag');
    assert.equal(config.concurrency, 5);
    assert.equal(config.sources.concurrency, 'environment');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.sources.logLevel, 'file');
  });

  it('reads the config file named by TANDEM_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ port: 4600 }));
    assert.equal(configOf(loadConfig({ env: { TANDEM_CONFIG: 'c.json' }, cwd: dir })).port, 4600);
  });

  it('selects PostgreSQL for a postgres:// DATABASE_URL with a secret key', () => {
    const config = configOf(
      loadConfig({
        env: { DATABASE_URL: 'postgres://u:p@db:5432/tandem', TANDEM_SECRET_KEY: key },
      }),
    );
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u:p@db:5432/tandem' });
    assert.equal(config.secretKey?.length, 32);
  });

  it('reports every invalid setting at once, naming it and what would be valid', () => {
    const problems = problemsOf(
      loadConfig({
        env: {
          DATABASE_URL: 'mysql://root:hunter2@db/tandem',
          TANDEM_PORT: '70000',
          TANDEM_CONCURRENCY: 'lots',
          TANDEM_LOG_LEVEL: 'loud',
          TANDEM_SECRET_KEY: 'short',
        },
      }),
    );
    const bySetting = new Map(problems.map((p) => [p.setting, p.message]));
    assert.deepEqual([...bySetting.keys()].sort(), [
      'DATABASE_URL',
      'TANDEM_CONCURRENCY',
      'TANDEM_LOG_LEVEL',
      'TANDEM_PORT',
      'TANDEM_SECRET_KEY',
    ]);
    assert.match(bySetting.get('DATABASE_URL')!, /must be a PostgreSQL URL such as postgres:\/\//);
    assert.match(bySetting.get('TANDEM_PORT')!, /"70000" must be a whole number from 1 to 65535/);
    assert.match(bySetting.get('TANDEM_CONCURRENCY')!, /"lots" must be a whole number/);
    assert.match(
      bySetting.get('TANDEM_LOG_LEVEL')!,
      /must be one of fatal, error, warn, info, debug, trace, silent/,
    );
    assert.match(bySetting.get('TANDEM_SECRET_KEY')!, /64 hex characters/);
  });

  it('never repeats a password or a secret in its messages', () => {
    const problems = problemsOf(
      loadConfig({
        env: { DATABASE_URL: 'mysql://root:hunter2@db/x', TANDEM_SECRET_KEY: 'hunter3' },
      }),
    );
    const text = JSON.stringify(problems);
    assert.doesNotMatch(text, /hunter2|hunter3/);
  });

  it('requires a secret key with PostgreSQL', () => {
    const problems = problemsOf(
      loadConfig({ env: { DATABASE_URL: 'postgres://localhost/tandem' } }),
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.setting, 'TANDEM_SECRET_KEY');
    assert.match(problems[0]!.message, /required with PostgreSQL/);
  });

  it('names the flag when a flag is invalid, and unknown keys in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
    writeFileSync(join(dir, 't.yaml'), 'prot: 1\n');
    const problems = problemsOf(
      loadConfig({ env: {}, flags: { port: 'x' }, configFile: 't.yaml', cwd: dir }),
    );
    assert.deepEqual(problems.map((p) => p.setting).sort(), ['--port', 'prot in t.yaml']);
  });

  it('reports a config file that cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'port: [1,\n');
    assert.match(
      problemsOf(loadConfig({ env: {}, configFile: 'missing.yaml', cwd: dir }))[0]!.message,
      /cannot be read \(ENOENT\)/,
    );
    assert.match(
      problemsOf(loadConfig({ env: {}, configFile: 'bad.yaml', cwd: dir }))[0]!.message,
      /not valid YAML/,
    );
  });

  it('accepts a secret key in base64 as well as hex', () => {
    const base64 = Buffer.alloc(32, 7).toString('base64');
    assert.deepEqual(
      configOf(loadConfig({ env: { TANDEM_SECRET_KEY: base64 } })).secretKey,
      Buffer.alloc(32, 7),
    );
  });

  it('sets the backfill to Bulk API at 2,000 records and chunks of 2,000 by default', () => {
    const config = configOf(loadConfig({ env: {} }));
    assert.deepEqual(config.backfill, { bulkThreshold: 2000, chunkSize: 2000 });
    assert.deepEqual(config.notify, {});
  });

  it('takes the backfill threshold and chunk size from the environment and refuses values out of range', () => {
    const config = configOf(
      loadConfig({
        env: { TANDEM_BACKFILL_BULK_THRESHOLD: '1', TANDEM_BACKFILL_CHUNK_SIZE: '50000' },
      }),
    );
    assert.deepEqual(config.backfill, { bulkThreshold: 1, chunkSize: 50000 });
    const problems = problemsOf(
      loadConfig({
        env: { TANDEM_BACKFILL_BULK_THRESHOLD: '0', TANDEM_BACKFILL_CHUNK_SIZE: '99' },
      }),
    );
    const bySetting = new Map(problems.map((p) => [p.setting, p.message]));
    assert.match(
      bySetting.get('TANDEM_BACKFILL_BULK_THRESHOLD')!,
      /"0" must be a whole number of at least 1/,
    );
    assert.match(
      bySetting.get('TANDEM_BACKFILL_CHUNK_SIZE')!,
      /"99" must be a whole number from 100 to 50000/,
    );
    assert.match(
      problemsOf(loadConfig({ env: { TANDEM_BACKFILL_CHUNK_SIZE: '50001' } }))[0]!.message,
      /from 100 to 50000/,
    );
  });

  it('sets up the webhook and e-mail notifications from their settings', () => {
    const config = configOf(
      loadConfig({
        env: {
          TANDEM_NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/tandem',
          TANDEM_SMTP_URL: 'smtps://mailer:pw@smtp.example.com:465',
          TANDEM_NOTIFY_EMAIL_FROM: 'Tandem <tandem@example.com>',
          TANDEM_NOTIFY_EMAIL_TO: 'ops@example.com, Ada <ada@example.com>,',
        },
      }),
    );
    assert.deepEqual(config.notify, {
      webhookUrl: 'https://hooks.example.com/tandem',
      smtp: {
        url: 'smtps://mailer:pw@smtp.example.com:465',
        from: 'Tandem <tandem@example.com>',
        to: ['ops@example.com', 'Ada <ada@example.com>'],
      },
    });
  });

  it('sends e-mail from the SMTP user when it is an address and no sender is set', () => {
    const config = configOf(
      loadConfig({
        env: {
          TANDEM_SMTP_URL: 'smtp://tandem%40example.com:pw@smtp.example.com:587',
          TANDEM_NOTIFY_EMAIL_TO: 'ops@example.com',
        },
      }),
    );
    assert.equal(config.notify.smtp?.from, 'tandem@example.com');
  });

  it('requires recipients and a sender with an SMTP server, reported with every other problem', () => {
    const problems = problemsOf(
      loadConfig({
        env: { TANDEM_SMTP_URL: 'smtp://smtp.example.com', TANDEM_PORT: '0' },
      }),
    );
    assert.deepEqual(problems.map((p) => p.setting).sort(), [
      'TANDEM_NOTIFY_EMAIL_FROM',
      'TANDEM_NOTIFY_EMAIL_TO',
      'TANDEM_PORT',
    ]);
    assert.match(
      problems.find((p) => p.setting === 'TANDEM_NOTIFY_EMAIL_TO')!.message,
      /required when TANDEM_SMTP_URL is set/,
    );
  });

  it('refuses e-mail settings without an SMTP server, bad addresses and bad URLs', () => {
    const problems = problemsOf(
      loadConfig({
        env: {
          TANDEM_NOTIFY_EMAIL_TO: 'ops@example.com',
          TANDEM_NOTIFY_WEBHOOK_URL: 'ftp://hooks.example.com/x',
        },
      }),
    );
    const bySetting = new Map(problems.map((p) => [p.setting, p.message]));
    assert.deepEqual([...bySetting.keys()].sort(), [
      'TANDEM_NOTIFY_EMAIL_TO',
      'TANDEM_NOTIFY_WEBHOOK_URL',
    ]);
    assert.match(bySetting.get('TANDEM_NOTIFY_EMAIL_TO')!, /TANDEM_SMTP_URL is not/);
    assert.match(bySetting.get('TANDEM_NOTIFY_WEBHOOK_URL')!, /must be an http:\/\/ or https:\/\//);

    const bad = problemsOf(
      loadConfig({
        env: {
          TANDEM_SMTP_URL: 'http://smtp.example.com',
          TANDEM_NOTIFY_EMAIL_TO: 'ops@example.com, not-an-address',
          TANDEM_NOTIFY_EMAIL_FROM: 'nobody',
        },
      }),
    );
    const badBySetting = new Map(bad.map((p) => [p.setting, p.message]));
    assert.deepEqual([...badBySetting.keys()].sort(), [
      'TANDEM_NOTIFY_EMAIL_FROM',
      'TANDEM_NOTIFY_EMAIL_TO',
      'TANDEM_SMTP_URL',
    ]);
    assert.match(badBySetting.get('TANDEM_SMTP_URL')!, /must be an SMTP URL such as smtps:\/\//);
    assert.match(badBySetting.get('TANDEM_NOTIFY_EMAIL_TO')!, /separated by commas/);
  });

  it('never repeats the SMTP URL, which may hold a password', () => {
    const problems = problemsOf(
      loadConfig({ env: { TANDEM_SMTP_URL: 'imap://mailer:hunter4@mail.example.com' } }),
    );
    assert.match(problems.find((p) => p.setting === 'TANDEM_SMTP_URL')!.message, /^the value /);
    assert.doesNotMatch(JSON.stringify(problems), /hunter4|mailer/);
  });

  it('hides the password of a connection URL', () => {
    assert.equal(
      redactUrl('postgres://tandem:s3cret@db:5432/x'),
      'postgres://tandem:***@db:5432/x',
    );
  });
});

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

  it('hides the password of a connection URL', () => {
    assert.equal(
      redactUrl('postgres://tandem:s3cret@db:5432/x'),
      'postgres://tandem:***@db:5432/x',
    );
  });
});

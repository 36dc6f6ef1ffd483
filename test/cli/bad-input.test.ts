import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { runTandem } from '../support/cli.ts';

const workdir = () => mkdtempSync(join(tmpdir(), 'tandem-cli-'));
const key = 'ab'.repeat(32);

/** One clear line on standard error, no stack trace. */
function assertOneClearLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('the tandem command on bad input', () => {
  it('refuses a malformed DATABASE_URL with one line and exit 1', async () => {
    const result = await runTandem(['migrate'], {
      cwd: workdir(),
      env: { DATABASE_URL: 'not a url', TANDEM_SECRET_KEY: key },
    });
    assert.equal(result.code, 1);
    assertOneClearLine(
      result.stderr,
      /^tandem: DATABASE_URL: "not a url" must be a PostgreSQL URL/,
    );
  });

  it('says which database it cannot reach, with exit 1', async () => {
    const result = await runTandem(['migrate'], {
      cwd: workdir(),
      env: { DATABASE_URL: 'postgres://tandem:hunter2@127.0.0.1:1/tandem', TANDEM_SECRET_KEY: key },
    });
    assert.equal(result.code, 1);
    assertOneClearLine(
      result.stderr,
      /^tandem: database: cannot reach PostgreSQL at postgres:\/\/tandem:\*\*\*@127\.0\.0\.1:1\/tandem \(connection refused/,
    );
    assert.doesNotMatch(result.stderr, /hunter2/);
  });

  it('says when the data folder cannot be written', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'a-file'), '');
    const result = await runTandem(['migrate'], {
      cwd: dir,
      env: { TANDEM_DATA_DIR: join(dir, 'a-file', 'data') },
    });
    assert.equal(result.code, 1);
    assertOneClearLine(
      result.stderr,
      /^tandem: TANDEM_DATA_DIR: .*a-file\/data is not a folder Tandem can write to \(ENOTDIR\)/,
    );
  });

  it('lists every invalid number and enum at once, one line each', async () => {
    const result = await runTandem(['migrate'], {
      cwd: workdir(),
      env: { TANDEM_PORT: '99999', TANDEM_CONCURRENCY: '0', TANDEM_LOG_FORMAT: 'xml' },
    });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(result.stderr, /TANDEM_PORT: "99999" must be a whole number from 1 to 65535/);
    assert.match(result.stderr, /TANDEM_CONCURRENCY: "0" must be a whole number from 1 to 1000/);
    assert.match(result.stderr, /TANDEM_LOG_FORMAT: "xml" must be one of auto, json, pretty/);
  });

  it('exits 2 with a hint on an unknown option or command', async () => {
    const option = await runTandem(['migrate', '--nope'], { cwd: workdir() });
    assert.equal(option.code, 2);
    assert.match(option.stderr, /Unknown option '--nope'/);
    assert.match(option.stderr, /tandem migrate --help/);
    const command = await runTandem(['frobnicate'], { cwd: workdir() });
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "frobnicate"/);
  });

  it('shows a stack trace only with --verbose', async () => {
    const dir = workdir();
    mkdirSync(join(dir, '.tandem'));
    writeFileSync(join(dir, '.tandem', 'tandem.db'), 'this is not a database '.repeat(20));
    const quiet = await runTandem(['migrate'], { cwd: dir });
    assert.equal(quiet.code, 1);
    assertOneClearLine(
      quiet.stderr,
      /^tandem: database: cannot reach SQLite at .* \(file is not a database\)/,
    );
    const verbose = await runTandem(['migrate', '--verbose'], { cwd: dir });
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, /\n\s+at /);
  });
});

describe('tandem --help', () => {
  it('answers --help on every command with exit 0', async () => {
    const run = async (args: string[]) => {
      const lines: string[] = [];
      const code = await main(args, {
        out: (line) => lines.push(line),
        err: (line) => lines.push(line),
        env: {},
      });
      return { code, stdout: lines.join('\n') };
    };
    const overview = await run(['--help']);
    assert.equal(overview.code, 0);
    const names = [...overview.stdout.matchAll(/^ {2}(\w+) +\S/gm)].map((m) => m[1]!);
    assert.ok(names.includes('serve') && names.includes('doctor'), overview.stdout);
    for (const name of names) {
      const help = await run([name, '--help']);
      assert.equal(help.code, 0, `${name} --help`);
      assert.match(help.stdout, new RegExp(`^Usage: tandem ${name}`));
    }
  });
});

describe('tandem migrate and doctor', () => {
  it('migrates a fresh embedded store and then reports everything in order', async () => {
    const dir = workdir();
    const before = await runTandem(['doctor'], { cwd: dir });
    assert.equal(before.code, 1);
    assert.match(before.stdout, /✗ migrations: \d+ pending \(001_foundation/);
    const migrate = await runTandem(['migrate'], { cwd: dir });
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /Applied \d+ migrations? \(1/);
    const after = await runTandem(['doctor'], { cwd: dir });
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /Everything is in order/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'tandem-pack-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it(
    'packs into a tarball that installs and whose tandem command runs',
    { timeout: 240_000 },
    () => {
      execFileSync(npm, ['pack', '--silent', '--pack-destination', work], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
      assert.ok(tarball, 'npm pack wrote no tarball');
      const app = join(work, 'app');
      execFileSync('mkdir', ['-p', app]);
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ name: 'pack-check', private: true }),
      );
      execFileSync(
        npm,
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          join(work, tarball),
        ],
        {
          cwd: app,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const bin = join(app, 'node_modules', '.bin', 'tandem');
      const help = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8' });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /Usage: tandem <command>/);
      const migrate = spawnSync(bin, ['migrate'], { cwd: app, encoding: 'utf8' });
      assert.equal(migrate.status, 0, migrate.stderr);
      assert.match(migrate.stdout, /Applied \d+ migrations? \(1/);
      const doctor = spawnSync(bin, ['doctor'], { cwd: app, encoding: 'utf8' });
      assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr);
    },
  );
});

// Runs every test file with Node's own test runner. Extra arguments narrow the run:
// `npm test -- test/store` runs the files under test/store.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const roots = process.argv.slice(2);
const patterns =
  roots.length > 0
    ? roots.map((root) => (root.endsWith('.ts') ? root : `${root}/**/*.test.ts`))
    : ['src/**/*.test.ts', 'emulators/**/*.test.ts', 'test/**/*.test.ts'];
const files = patterns.flatMap((pattern) => globSync(pattern)).sort();
if (files.length === 0) {
  console.error(`no test files match ${patterns.join(' ')}`);
  process.exit(1);
}
if (process.env['TANDEM_REQUIRE_POSTGRES'] !== '1') {
  console.log(
    'note: PostgreSQL suites skip themselves (with a notice) when PostgreSQL is not reachable; .ci/run requires them.',
  );
}
const result = spawnSync(
  process.execPath,
  [
    '--disable-warning=ExperimentalWarning',
    '--test',
    '--test-concurrency=3',
    '--test-timeout=300000',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

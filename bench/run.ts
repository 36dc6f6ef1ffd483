// `npm run bench`: runs every bench/*.bench.ts in turn (each in its own process, so one's
// memory does not weigh on the next) and prints each figure beside its target.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const only = process.argv.slice(2);
const files = globSync('bench/*.bench.ts')
  .sort()
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)));
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const result = spawnSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--expose-gc', file],
    {
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);

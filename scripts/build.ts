// Compiles the sources to JavaScript in dist/ for the npm package: Node strips TypeScript
// types only outside node_modules, so an installed Tandem runs the compiled files.
import { spawnSync } from 'node:child_process';
import { cpSync, globSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);

// Data files the code reads at run time (fixtures, seeds, pages) travel beside the JavaScript.
const assets = globSync('{src,emulators}/**/*', { withFileTypes: true })
  .filter((entry) => entry.isFile() && !entry.name.endsWith('.ts'))
  .map((entry) => join(entry.parentPath, entry.name));
for (const file of assets) cpSync(file, join('dist', file), { force: true });
console.log(`built dist/ (${assets.length} data files copied)`);

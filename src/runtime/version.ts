import { readFileSync } from 'node:fs';

/** Tandem's version, from package.json (two folders up in the sources and in dist/ alike). */
export const version: string = (() => {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'tandem-sync' && pkg.version) return pkg.version;
    } catch {
      // Not this one; try the next place.
    }
  }
  return 'unknown';
})();

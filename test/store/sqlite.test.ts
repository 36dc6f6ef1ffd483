import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
storeContract({
  name: 'SQLite',
  skip: false,
  location: async () => ({ kind: 'sqlite', file: join(dir, 'tandem.db') }),
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
});

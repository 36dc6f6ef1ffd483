import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedEngine } from '../../src/queue/index.ts';
import { createSecretBox, openStore } from '../../src/store/index.ts';
import { jobEngineContract } from './contract.ts';

jobEngineContract('embedded (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-queue-'));
  const store = openStore({
    location: { kind: 'sqlite', file: join(dir, 'tandem.db') },
    secretBox: createSecretBox(randomBytes(32)),
  });
  await store.migrate();
  return {
    engine: (options) => createEmbeddedEngine({ ...options, store }),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

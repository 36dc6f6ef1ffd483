// Test support for the change-capture suites: a migrated SQLite store, a job sink that records
// what it is given, and a silent logger. Only tests import this file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AddJobOptions, JobPayload } from '../../src/queue/index.ts';
import { createSecretBox, openStore, type Store } from '../../src/store/index.ts';
import type { JobSink } from '../../src/sync/capture/index.ts';

export const silentLog = pino({ level: 'silent' });

export async function openTestStore(now?: () => number): Promise<{
  store: Store;
  close: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-capture-'));
  const store = openStore({
    location: { kind: 'sqlite', file: join(dir, 'tandem.db') },
    secretBox: createSecretBox(randomBytes(32)),
    ...(now ? { now } : {}),
  });
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AddedJob {
  readonly task: string;
  readonly payload: JobPayload;
  readonly options: AddJobOptions;
}

/** A job engine that only records `add`. */
export function recordingJobs(): JobSink & { readonly added: AddedJob[]; keys(): string[] } {
  const added: AddedJob[] = [];
  return {
    added,
    keys: () => added.map((job) => job.options.jobKey ?? ''),
    async add(task, payload, options = {}) {
      added.push({ task, payload, options });
      return { id: String(added.length) };
    },
  };
}

/** Waits until the async predicate holds, polling every 20 ms, failing after `ms`. */
export async function eventuallyAsync(predicate: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

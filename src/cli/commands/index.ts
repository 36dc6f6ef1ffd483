import type { Command } from '../command.ts';
import { backfillCommand } from './backfill.ts';
import { configCommand } from './config.ts';
import { connectCommand } from './connect.ts';
import { demoCommand } from './demo.ts';
import { doctorCommand } from './doctor.ts';
import { emulateCommand } from './emulate.ts';
import { failuresCommand } from './failures.ts';
import { logCommand } from './log.ts';
import { migrateCommand } from './migrate.ts';
import { planCommand } from './plan.ts';
import { resolveCommand } from './resolve.ts';
import { retryCommand } from './retry.ts';
import { serveCommand } from './serve.ts';
import { statusCommand } from './status.ts';
import { validateCommand } from './validate.ts';
import { workerCommand } from './worker.ts';

/** Every `tandem` command, in the order `tandem --help` lists them. */
export const commands: readonly Command[] = [
  demoCommand,
  serveCommand,
  workerCommand,
  migrateCommand,
  connectCommand,
  configCommand,
  validateCommand,
  doctorCommand,
  statusCommand,
  logCommand,
  planCommand,
  backfillCommand,
  failuresCommand,
  retryCommand,
  resolveCommand,
  emulateCommand,
];

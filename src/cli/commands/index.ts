import type { Command } from '../command.ts';
import { doctorCommand } from './doctor.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { workerCommand } from './worker.ts';

/** Every `tandem` command, in the order `tandem --help` lists them. */
export const commands: readonly Command[] = [
  serveCommand,
  workerCommand,
  migrateCommand,
  doctorCommand,
];

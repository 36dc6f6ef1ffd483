import type { Command } from '../command.ts';
import { doctorCommand } from './doctor.ts';
import { migrateCommand } from './migrate.ts';

/** Every `tandem` command, in the order `tandem --help` lists them. */
export const commands: readonly Command[] = [migrateCommand, doctorCommand];

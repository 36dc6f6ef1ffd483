import { openDatabase, describeDatabase } from '../../runtime/database.ts';
import { databaseOptions, type Command } from '../command.ts';
import { setup } from '../setup.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations (Tandem also does this when it starts).',
  usage: 'tandem migrate [options]',
  options: {
    ...databaseOptions,
    status: { type: 'boolean', describe: 'only show which migrations are applied and pending' },
  },
  async run(context) {
    const { config } = setup(context);
    const { store } = await openDatabase(config);
    try {
      if (context.values['status']) {
        const status = await store.migrationStatus();
        context.out(`${describeDatabase(config)}`);
        for (const m of status.applied)
          context.out(`  applied  ${String(m.id).padStart(3, '0')}_${m.name}`);
        for (const m of status.pending)
          context.out(`  pending  ${String(m.id).padStart(3, '0')}_${m.name}`);
        for (const m of status.altered)
          context.out(
            `  ALTERED  ${String(m.id).padStart(3, '0')}_${m.name} (changed after it was applied)`,
          );
        return status.altered.length > 0 ? 1 : 0;
      }
      const { applied } = await store.migrate();
      context.out(
        applied.length === 0
          ? `${describeDatabase(config)} is up to date.`
          : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} (${applied.join(', ')}) to ${describeDatabase(config)}.`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};

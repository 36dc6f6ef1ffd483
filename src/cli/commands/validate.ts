import { readSyncSettings } from '../../sync/settings-service.ts';
import { databaseOptions, type Command } from '../command.ts';
import {
  reportValidation,
  schemaProblemLine,
  validateAgainstConnections,
} from './settings-output.ts';
import { withStore } from './support.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check the current sync settings against Salesforce describe and Intercom attributes.',
  usage: 'tandem validate [options]',
  details: [
    'Runs the checks of `tandem config apply` on the settings in force: type compatibility,',
    'read-only and compound fields, fields used twice, required Lead fields, and the rest',
    '(docs/mappings.md). Lists every problem; exits 1 on any error, 0 with warnings only.',
  ].join('\n'),
  options: { ...databaseOptions },
  async run(context) {
    return withStore(context, async (store) => {
      const current = await readSyncSettings(store.settings);
      if (!current.ok) {
        context.err(`The stored settings (version ${current.version}) are not valid:`);
        for (const problem of current.problems) context.err(schemaProblemLine(problem));
        return 1;
      }
      const live = await validateAgainstConnections(store, current.settings);
      const errors = reportValidation(context, live);
      const which =
        current.version === 0 ? 'the default settings' : `settings version ${current.version}`;
      if (errors > 0) return 1;
      context.out(`Valid: ${which} fit Salesforce and Intercom as they are now.`);
      return 0;
    });
  },
};

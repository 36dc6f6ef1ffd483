// Shared by the connect, config and validate commands: the store (migrated), the author of a
// change, and the real connector factories.
import { userInfo } from 'node:os';
import { createIntercomConnector, createSalesforceConnector } from '../../connectors/index.ts';
import { openDatabase } from '../../runtime/database.ts';
import type { Store } from '../../store/index.ts';
import type { ConnectorFactories } from '../../sync/connections.ts';
import type { CommandContext, OptionSpec } from '../command.ts';
import { setup } from '../setup.ts';

export const connectorFactories: ConnectorFactories = {
  salesforce: createSalesforceConnector,
  intercom: createIntercomConnector,
};

/** Opens the configured store, brings its schema up to date, runs `fn`, and closes it. */
export async function withStore<T>(
  context: CommandContext,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const { config } = setup(context);
  const { store } = await openDatabase(config);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

export const authorOption: Record<string, OptionSpec> = {
  author: {
    type: 'string',
    value: 'NAME',
    describe: 'who makes the change, recorded with it (default: the operating-system user)',
  },
};

export function authorOf(context: CommandContext): string {
  const flag = context.values['author'];
  if (typeof flag === 'string' && flag.trim() !== '') return flag.trim();
  try {
    return userInfo().username;
  } catch {
    return context.env['USER'] ?? context.env['USERNAME'] ?? 'unknown';
  }
}

/** A string flag, else the environment variable, else undefined. */
export function flagOrEnv(
  context: CommandContext,
  flag: string,
  variable: string,
): string | undefined {
  const value = context.values[flag];
  if (typeof value === 'string' && value !== '') return value;
  const fromEnv = context.env[variable];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

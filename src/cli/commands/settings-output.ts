// What `tandem config apply` and `tandem validate` print, and how they reach the live systems.
import { stringify as toYaml } from 'yaml';
import type { MappingProblem, SettingsProblem, SyncSettings } from '../../core/index.ts';
import type { Store } from '../../store/index.ts';
import { explainConnectionError, openIntercom, openSalesforce } from '../../sync/connections.ts';
import {
  validateLive,
  type LiveValidation,
  type SettingsChange,
} from '../../sync/settings-service.ts';
import type { CommandContext } from '../command.ts';
import { connectorFactories } from './support.ts';

export const schemaProblemLine = (problem: SettingsProblem): string =>
  `  ✗ ${problem.path || '(top level)'}: ${problem.message}`;

export function mappingProblemLine(problem: MappingProblem): string {
  const mark = problem.severity === 'error' ? '✗' : '!';
  const mapping = problem.mapping
    ? ` (${problem.mapping.intercom} ${arrow(problem.mapping.direction)} ${problem.mapping.salesforce})`
    : '';
  return `  ${mark} ${problem.path}${mapping}: ${problem.message}`;
}

const arrow = (direction: string) =>
  direction === 'to_salesforce' ? '→' : direction === 'to_intercom' ? '←' : '↔';

/** Scalars as JSON (quotes show empty and padded text); a whole mapping as one YAML flow line. */
const shown = (value: unknown): string =>
  value === undefined
    ? '(absent)'
    : typeof value === 'object' && value !== null
      ? toYaml(value, { collectionStyle: 'flow', lineWidth: 0 }).trim()
      : JSON.stringify(value);

export const changeLine = (change: SettingsChange): string =>
  `  ${change.path}: ${shown(change.before)} → ${shown(change.after)}`;

/** Live validation through the stored connections (both must be there). */
export async function validateAgainstConnections(
  store: Store,
  settings: SyncSettings,
): Promise<LiveValidation> {
  const salesforce = await openSalesforce(store, connectorFactories, { timeoutMs: 30_000 });
  const intercom = await openIntercom(store, connectorFactories, { timeoutMs: 30_000 });
  return validateLive(settings, {
    ...(salesforce ? { salesforce: salesforce.connector } : {}),
    ...(intercom ? { intercom: intercom.connector } : {}),
  });
}

/**
 * Prints the outcome of validation; answers the number of errors (warnings do not count).
 * When the live checks could not run, that is said and counted as one error.
 */
export function reportValidation(context: CommandContext, live: LiveValidation): number {
  if (!live.checked) {
    context.err('Cannot validate against Salesforce and Intercom:');
    for (const error of live.errors) context.err(`  ✗ ${explainConnectionError(error)}`);
    if (live.errors.length === 0) for (const reason of live.reasons) context.err(`  ✗ ${reason}`);
    context.err('(--offline skips the live checks.)');
    return 1;
  }
  const errors = live.problems.filter((p) => p.severity === 'error');
  const warnings = live.problems.filter((p) => p.severity === 'warning');
  if (errors.length > 0) {
    context.err(
      `${errors.length} problem${errors.length === 1 ? '' : 's'} against Salesforce describe and Intercom data attributes:`,
    );
    for (const problem of errors) context.err(mappingProblemLine(problem));
  }
  if (warnings.length > 0) {
    context.out(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`);
    for (const problem of warnings) context.out(mappingProblemLine(problem));
  }
  return errors.length;
}

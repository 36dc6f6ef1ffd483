/**
 * Seed 004's two type-compatibility tables, kept as data: one row per cell, so the tables in
 * docs/mappings.md and the tests are read from the same rows the code uses.
 */
import type { IntercomDataType } from './intercom.ts';
import type { SalesforceFieldType } from './salesforce.ts';

export const directions = ['to_salesforce', 'to_intercom', 'both'] as const;
export type Direction = (typeof directions)[number];

/** A one-way direction: where values flow in one table. */
export type Flow = Exclude<Direction, 'both'>;

export interface CompatibilityCell {
  readonly intercom: IntercomDataType;
  readonly salesforce: SalesforceFieldType;
}

const cells = (
  intercom: readonly IntercomDataType[],
  salesforce: readonly SalesforceFieldType[],
): CompatibilityCell[] =>
  intercom.flatMap((i) => salesforce.map((s) => ({ intercom: i, salesforce: s })));

/** Intercom ➡️ Salesforce. */
export const intercomToSalesforce: readonly CompatibilityCell[] = [
  ...cells(
    ['string'],
    [
      'string',
      'textarea',
      'phone',
      'url',
      'email',
      'reference',
      'encryptedstring',
      'picklist',
      'multipicklist',
    ],
  ),
  ...cells(
    ['integer', 'float'],
    ['int', 'double', 'currency', 'percent', 'string', 'textarea', 'encryptedstring'],
  ),
  ...cells(['boolean'], ['boolean', 'string', 'textarea', 'encryptedstring']),
  ...cells(['date'], ['datetime', 'date', 'time', 'string', 'textarea', 'encryptedstring']),
];

/** Salesforce ➡️ Intercom. */
export const salesforceToIntercom: readonly CompatibilityCell[] = [
  ...cells(
    ['string'],
    [
      'string',
      'textarea',
      'phone',
      'url',
      'email',
      'reference',
      'id',
      'picklist',
      'multipicklist',
      'address',
      'location',
    ],
  ),
  ...cells(['boolean', 'string'], ['boolean']),
  ...cells(['integer', 'float', 'string'], ['int', 'double', 'currency', 'percent']),
  ...cells(['date', 'string'], ['datetime', 'date']),
  ...cells(['string'], ['time']),
];

export const compatibilityTable = (flow: Flow): readonly CompatibilityCell[] =>
  flow === 'to_salesforce' ? intercomToSalesforce : salesforceToIntercom;

/** The one-way flows a direction contains. */
export const flowsOf = (direction: Direction): readonly Flow[] =>
  direction === 'both' ? ['to_salesforce', 'to_intercom'] : [direction];

/**
 * Whether values of these types can be synced in this direction; `both` needs both tables.
 * Salesforce types are compared case-insensitively (the seed writes `Int`).
 */
export function compatible(
  intercomType: IntercomDataType,
  salesforceType: string,
  direction: Direction,
): boolean {
  const type = salesforceType.toLowerCase();
  return flowsOf(direction).every((flow) =>
    compatibilityTable(flow).some(
      (cell) => cell.intercom === intercomType && cell.salesforce.toLowerCase() === type,
    ),
  );
}

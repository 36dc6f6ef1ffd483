/**
 * People-sync settings (issue 5, point 2): matching, attribute mappings, Lead creation and the
 * external-ID field. Parsed once with zod, every problem reported with its path.
 */
import { z } from 'zod';
import { directions, type Direction } from './compatibility.ts';
import { companyNameAttribute, contactRoles } from './intercom.ts';
import type { PersonObject } from './salesforce.ts';

export const conflictPolicies = ['salesforce_wins', 'intercom_wins', 'latest'] as const;
export type ConflictPolicy = (typeof conflictPolicies)[number];

export const matchingModes = ['identifier', 'email'] as const;
export type MatchingMode = (typeof matchingModes)[number];

export const conditionOperators = [
  'exists',
  'not_exists',
  'equals',
  'not_equals',
  'contains',
  'greater_than',
  'less_than',
] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

/** Where a deletion on one side is repeated; `to_salesforce` = an Intercom deletion deletes in Salesforce. */
export const deletionPropagations = ['never', 'to_salesforce', 'to_intercom', 'both'] as const;
export type DeletionPropagation = (typeof deletionPropagations)[number];

const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

const name = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
  .trim()
  .min(1, { error: 'must not be empty' });

const mappingSchema = z.strictObject({
  /** Intercom attribute: `email`, `custom_attributes.plan` (or `plan`), `company.name`. */
  intercom: name,
  /** Salesforce field API name. */
  salesforce: name,
  direction: choice(directions),
  /** Only used by `both` mappings. */
  conflictPolicy: choice(conflictPolicies).default('latest'),
  skipIfSourceEmpty: z.boolean().default(false),
  skipIfDestinationHasValue: z.boolean().default(false),
});

const conditionSchema = z
  .strictObject({
    attribute: name,
    operator: choice(conditionOperators),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .superRefine(({ operator, value }, context) => {
    if (operator !== 'exists' && operator !== 'not_exists' && value === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['value'],
        message: `is required by the operator ${operator}`,
      });
    }
  });

const matchingSchema = z
  .strictObject({
    mode: choice(matchingModes).default('email'),
    /** Salesforce text or email field, on both Lead and Contact, holding Intercom's `external_id`. */
    identifierField: name.nullable().default(null),
    /** "Map using email when user_id isn't set". Off: only users match and no Leads are created. */
    emailFallback: z.boolean().default(true),
  })
  .superRefine(({ mode, identifierField }, context) => {
    if (mode === 'identifier' && identifierField === null) {
      context.addIssue({
        code: 'custom',
        path: ['identifierField'],
        message: 'must name a Salesforce text or email field when matching.mode is identifier',
      });
    }
  });

const requiredLeadDefaults: readonly z.input<typeof mappingSchema>[] = [
  { intercom: 'name', salesforce: 'LastName', direction: 'to_salesforce' },
  { intercom: companyNameAttribute, salesforce: 'Company', direction: 'to_salesforce' },
];

const defaultLeadMappings: readonly z.input<typeof mappingSchema>[] = [
  ...requiredLeadDefaults,
  { intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' },
];

const defaultContactMappings: readonly z.input<typeof mappingSchema>[] = [
  { intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' },
];

export const settingsSchema = z.strictObject({
  matching: matchingSchema.prefault({}),
  mappings: z
    .strictObject({
      Lead: z.array(mappingSchema).prefault(() => [...defaultLeadMappings]),
      Contact: z.array(mappingSchema).prefault(() => [...defaultContactMappings]),
    })
    .prefault({}),
  leadCreation: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Company for a new Lead when the person has no Intercom company. */
      companyPlaceholder: name.default('[not provided]'),
      threshold: z
        .strictObject({
          requireEmail: z.boolean().default(true),
          roles: z.array(choice(contactRoles)).min(1).default(['user', 'lead']),
          /** Any of these tags (names); empty means no tag condition. */
          tagsAny: z.array(name).default([]),
          /** All must hold. */
          conditions: z.array(conditionSchema).default([]),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Optional external-ID field on Lead and Contact (e.g. `Intercom_Id__c`) holding the Intercom id. */
  externalIdField: name.nullable().default(null),
  deleteOtherSide: choice(deletionPropagations).default('never'),
  createMissingIntercomAttributes: z.boolean().default(false),
});

export type SyncSettings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type AttributeMapping = SyncSettings['mappings']['Lead'][number];
export type ThresholdRule = SyncSettings['leadCreation']['threshold'];
export type ThresholdCondition = ThresholdRule['conditions'][number];
export type MatchingSettings = SyncSettings['matching'];

export interface SettingsProblem {
  readonly path: string;
  readonly message: string;
}

export type SettingsResult =
  | { readonly ok: true; readonly settings: SyncSettings }
  | { readonly ok: false; readonly problems: readonly SettingsProblem[] };

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (text, key) =>
      typeof key === 'number'
        ? `${text}[${key}]`
        : text === ''
          ? String(key)
          : `${text}.${String(key)}`,
    '',
  );

/**
 * Parses settings, applying defaults. The mappings that fill Salesforce's required Lead fields
 * (`LastName`, `Company`) cannot be removed: when a file leaves them out they are added back.
 */
export function parseSettings(input: unknown): SettingsResult {
  const result = settingsSchema.safeParse(input ?? {});
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              path: formatPath([...issue.path, key]),
              message: 'is not a known setting',
            }))
          : [{ path: formatPath(issue.path), message: issue.message }],
      ),
    };
  }
  return { ok: true, settings: withRequiredLeadMappings(result.data) };
}

/** Adds back the default mapping of every standard required Lead field a file left out. */
export function withRequiredLeadMappings(settings: SyncSettings): SyncSettings {
  const missing = requiredLeadDefaults
    .filter((required) => !settings.mappings.Lead.some((m) => m.salesforce === required.salesforce))
    .map((required) => mappingSchema.parse(required));
  if (missing.length === 0) return settings;
  return {
    ...settings,
    mappings: { ...settings.mappings, Lead: [...missing, ...settings.mappings.Lead] },
  };
}

/** The mappings of one Salesforce object. */
export const mappingsFor = (
  settings: SyncSettings,
  object: PersonObject,
): readonly AttributeMapping[] => settings.mappings[object];

export const writesSalesforce = (direction: Direction): boolean => direction !== 'to_intercom';
export const writesIntercom = (direction: Direction): boolean => direction !== 'to_salesforce';

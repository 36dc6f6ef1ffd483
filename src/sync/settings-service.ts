// People-sync settings as a versioned setting (issue 5, points 2 and 3): read with defaults
// filled in, compared path by path, validated against live Salesforce describe and Intercom
// data attributes through the connectors, and written as a new version with its author.
import {
  parseSettings,
  personObjects,
  validateMappings,
  type IntercomContact,
  type IntercomDataAttribute,
  type MappingProblem,
  type SalesforceDescribe,
  type SalesforceObjectDescribe,
  type SettingsProblem,
  type SyncSettings,
} from '../core/index.ts';
import type {
  ConnectorError,
  IntercomConnector,
  SalesforceConnector,
} from '../connectors/index.ts';
import type { SettingsRepository } from '../store/index.ts';
import {
  toIntercomContact,
  toIntercomDataAttribute,
  toSalesforceObjectDescribe,
  type RawDescribe,
} from './mappers.ts';

/** The key of the people-sync settings in the settings table. */
export const syncSettingsKey = 'sync';

export type CurrentSettings =
  | {
      readonly ok: true;
      readonly settings: SyncSettings;
      /** 0 when nothing was ever stored (the defaults apply). */
      readonly version: number;
      readonly updatedAt: Date | null;
      readonly updatedBy: string | null;
    }
  | { readonly ok: false; readonly version: number; readonly problems: readonly SettingsProblem[] };

/** The stored settings with every default filled in (all defaults when none are stored). */
export async function readSyncSettings(repository: SettingsRepository): Promise<CurrentSettings> {
  const stored = await repository.get(syncSettingsKey);
  const parsed = parseSettings(stored?.value ?? {});
  if (!parsed.ok) return { ok: false, version: stored?.version ?? 0, problems: parsed.problems };
  return {
    ok: true,
    settings: parsed.settings,
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
  };
}

/**
 * Stores settings as a new version. `expectedVersion` is the version they were read at: if
 * someone applied other settings meanwhile, the store refuses (VersionConflictError).
 */
export async function writeSyncSettings(
  repository: SettingsRepository,
  settings: SyncSettings,
  author: string,
  expectedVersion: number,
): Promise<number> {
  const saved = await repository.set(syncSettingsKey, settings, author, expectedVersion);
  return saved.version;
}

// ---------------------------------------------------------------------------------------------
// Differences

export interface SettingsChange {
  /** `matching.mode`, `mappings.Lead[3].direction`, … */
  readonly path: string;
  /** Absent when the path is new. */
  readonly before?: unknown;
  /** Absent when the path was removed. */
  readonly after?: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const childPath = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/**
 * Every leaf that differs, old → new. Objects and arrays are walked (arrays by index); a value
 * that appears or disappears as a whole (a new mapping) is one change holding the whole value.
 */
export function diffSettings(before: unknown, after: unknown, path = ''): SettingsChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const [b, a] = [before[key], after[key]];
      const child = childPath(path, key);
      if (!(key in after)) return [{ path: child, before: b }];
      if (!(key in before)) return [{ path: child, after: a }];
      return diffSettings(b, a, child);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    const changes: SettingsChange[] = [];
    for (let i = 0; i < length; i++) {
      const child = childPath(path, i);
      if (i >= after.length) changes.push({ path: child, before: before[i] });
      else if (i >= before.length) changes.push({ path: child, after: after[i] });
      else changes.push(...diffSettings(before[i], after[i], child));
    }
    return changes;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

// ---------------------------------------------------------------------------------------------
// Live validation

export interface LiveSources {
  readonly salesforce?: SalesforceConnector;
  readonly intercom?: IntercomConnector;
}

export type LiveValidation =
  | { readonly checked: true; readonly problems: readonly MappingProblem[] }
  | {
      readonly checked: false;
      /** Why the live checks did not run: a system not connected, or a failing call. */
      readonly reasons: readonly string[];
      readonly errors: readonly ConnectorError[];
    };

/** Reads Lead and Contact describe (fresh) and Intercom's contact data attributes. */
export async function readLiveSchema(
  sources: Required<LiveSources>,
): Promise<
  | { ok: true; describe: SalesforceDescribe; attributes: IntercomDataAttribute[] }
  | { ok: false; errors: ConnectorError[] }
> {
  const errors: ConnectorError[] = [];
  const objects: Partial<Record<(typeof personObjects)[number], SalesforceObjectDescribe>> = {};
  for (const object of personObjects) {
    const result = await sources.salesforce.describe(object, { refresh: true });
    if (result.ok)
      objects[object] = toSalesforceObjectDescribe(object, result.value as unknown as RawDescribe);
    else errors.push(result.error);
  }
  const attributes = await sources.intercom.listDataAttributes('contact', {
    includeArchived: true,
  });
  if (!attributes.ok) errors.push(attributes.error);
  if (errors.length > 0 || !attributes.ok || !objects.Lead || !objects.Contact)
    return { ok: false, errors };
  return {
    ok: true,
    describe: { Lead: objects.Lead, Contact: objects.Contact },
    attributes: attributes.value.map(toIntercomDataAttribute),
  };
}

/** Validates settings against both live systems; both must be connected for it to run. */
export async function validateLive(
  settings: SyncSettings,
  sources: LiveSources,
): Promise<LiveValidation> {
  const reasons: string[] = [];
  if (!sources.salesforce)
    reasons.push('Salesforce is not connected (`tandem connect salesforce`)');
  if (!sources.intercom) reasons.push('Intercom is not connected (`tandem connect intercom`)');
  if (!sources.salesforce || !sources.intercom) return { checked: false, reasons, errors: [] };
  const schema = await readLiveSchema({
    salesforce: sources.salesforce,
    intercom: sources.intercom,
  });
  if (!schema.ok)
    return {
      checked: false,
      reasons: schema.errors.map((e) => `${e.system}: ${e.code}: ${e.message}`),
      errors: schema.errors,
    };
  const sampleContacts = await recentContacts(sources.intercom, sampleSize);
  return {
    checked: true,
    problems: validateMappings(settings, schema.describe, schema.attributes, { sampleContacts }),
  };
}

/** People whose values are checked against restricted picklists (a warning, never an error). */
const sampleSize = 150;

/**
 * The most recently updated Intercom people, for the picklist check. A failure here only
 * narrows that check to the attributes' own options, so it is not reported.
 */
async function recentContacts(
  intercom: IntercomConnector,
  limit: number,
): Promise<IntercomContact[]> {
  const pages = intercom.searchContacts(
    { field: 'updated_at', operator: '>', value: 0 },
    { perPage: limit, sort: { field: 'updated_at', order: 'descending' } },
  );
  for await (const page of pages)
    return page.ok ? page.value.map((raw) => toIntercomContact(raw)) : [];
  return [];
}

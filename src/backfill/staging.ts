// Staging: the backfill's snapshot of both systems. Every Lead and Contact is read once
// (Bulk API 2.0 at or above the bulk threshold, SOQL pages below it) and every Intercom contact
// once (list pages, partitioned when the connector can), each stored as a row with the keys
// matching looks records up by. The passes then plan from these rows, never calling an API to
// look a candidate up.
import type {
  IntercomContact,
  PersonObject,
  SalesforceDescribe,
  SalesforcePerson,
  SyncSettings,
} from '../core/index.ts';
import type {
  ConnectorError,
  IntercomConnector,
  SalesforceConnector,
  SObjectRecord,
} from '../connectors/index.ts';
import type { BackfillsRepository, NewStagedRecord } from '../store/index.ts';
import { toIntercomContact } from '../sync/mappers.ts';
import { must } from '../sync/person-errors.ts';
import { tagNames } from '../sync/person-read.ts';
import { personFields, toSalesforcePerson } from '../sync/person-records.ts';
import { CompanyNames } from '../sync/plan.ts';

export const emailKey = (email: string | null): string | null => {
  const key = email?.trim().toLowerCase() ?? '';
  return key === '' ? null : key;
};

export const identifierKey = (value: unknown): string | null => {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const key = String(value).trim();
  return key === '' ? null : key;
};

export interface StagingContext {
  readonly backfillId: number;
  readonly settings: SyncSettings;
  readonly describe: SalesforceDescribe;
  readonly salesforce: SalesforceConnector;
  readonly intercom: IntercomConnector;
  readonly backfills: BackfillsRepository;
  readonly bulkThreshold: number;
  readonly signal?: AbortSignal;
}

/** The Salesforce side of a staged row. */
export function stagedPerson(person: SalesforcePerson, settings: SyncSettings): NewStagedRecord {
  const field = settings.matching.identifierField;
  return {
    recordId: person.id,
    emailKey: emailKey(person.email),
    identifierKey: field === null ? null : identifierKey(person.fields[field]),
    data: person,
  };
}

export function stagedContact(contact: IntercomContact): NewStagedRecord {
  return {
    recordId: contact.id,
    emailKey: emailKey(contact.email),
    identifierKey: identifierKey(contact.externalId),
    data: contact,
  };
}

/** How many Leads (not converted) or Contacts Salesforce holds. */
export async function countPeople(
  salesforce: SalesforceConnector,
  type: PersonObject,
): Promise<number> {
  const where = type === 'Lead' ? ' WHERE IsConverted = false' : '';
  for await (const page of salesforce.query(`SELECT COUNT() FROM ${type}${where}`))
    return must('count_salesforce', page).totalSize;
  return 0;
}

/** Bulk API 2.0, when the connector offers it (the backfill falls back to SOQL pages). */
export interface BulkReader {
  bulkQuery(
    soql: string,
  ): AsyncGenerator<
    | { readonly ok: true; readonly value: readonly Record<string, string | null>[] }
    | { readonly ok: false; readonly error: ConnectorError },
    void,
    undefined
  >;
}

export const canBulkQuery = (connector: object): connector is BulkReader =>
  typeof (connector as Partial<BulkReader>).bulkQuery === 'function';

/** A Bulk API 2.0 CSV row typed as the REST API would answer it (booleans, numbers). */
export function typedRow(
  type: PersonObject,
  row: Readonly<Record<string, string | null>>,
  describe: SalesforceDescribe,
): SObjectRecord {
  const types = new Map(describe[type].fields.map((field) => [field.name, field.type]));
  const record: Record<string, unknown> = { attributes: { type, url: '' } };
  for (const [name, value] of Object.entries(row)) {
    if (value === null || value === '') {
      record[name] = null;
      continue;
    }
    switch (types.get(name)) {
      case 'boolean':
        record[name] = value === 'true';
        break;
      case 'int':
      case 'double':
      case 'currency':
      case 'percent':
        record[name] = Number(value);
        break;
      default:
        record[name] = value;
    }
  }
  return record as SObjectRecord;
}

/**
 * Stages every Lead (not converted) and Contact. Answers how many were staged and whether the
 * Bulk API read them.
 */
export async function stageSalesforce(
  ctx: StagingContext,
  onPage: (staged: number) => Promise<void>,
): Promise<{ staged: number; bulk: boolean }> {
  let staged = 0;
  let usedBulk = false;
  for (const type of ['Contact', 'Lead'] as const) {
    const fields = personFields(type, ctx.settings, ctx.describe);
    const where = type === 'Lead' ? ' WHERE IsConverted = false' : '';
    const soql = `SELECT ${fields.join(', ')} FROM ${type}${where}`;
    const count = await countPeople(ctx.salesforce, type);
    if (count === 0) continue;
    if (count >= ctx.bulkThreshold && canBulkQuery(ctx.salesforce)) {
      usedBulk = true;
      for await (const page of ctx.salesforce.bulkQuery(soql, { pollMs: 250 })) {
        ctx.signal?.throwIfAborted();
        const rows = must('bulk_query', page).map((row) =>
          stagedPerson(toSalesforcePerson(type, typedRow(type, row, ctx.describe)), ctx.settings),
        );
        staged += await ctx.backfills.stage(ctx.backfillId, 'salesforce', rows);
        await onPage(staged);
      }
    } else {
      for await (const page of ctx.salesforce.query(soql, { batchSize: 2000 })) {
        ctx.signal?.throwIfAborted();
        const rows = must('list_salesforce', page).records.map((record) =>
          stagedPerson(toSalesforcePerson(type, record), ctx.settings),
        );
        staged += await ctx.backfills.stage(ctx.backfillId, 'salesforce', rows);
        await onPage(staged);
      }
    }
  }
  return { staged, bulk: usedBulk };
}

/** Intercom pages fetched ahead of the store. */
const pagesAhead = 8;

/**
 * `source`'s items, fetched ahead of the consumer by a loop of their own, holding at most
 * `depth` not yet taken. The fetching stops when the consumer does.
 */
async function* readAhead<T>(
  source: AsyncIterator<T>,
  depth: number,
): AsyncGenerator<T, void, undefined> {
  const buffer: T[] = [];
  let ended = false;
  let stopped = false;
  let failure: { readonly error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: 'consumer' | 'producer') => {
    const resolve = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakeProducer = undefined;
    resolve?.();
  };
  void (async () => {
    try {
      while (!stopped) {
        if (buffer.length >= depth) {
          await new Promise<void>((resolve) => (wakeProducer = resolve));
          continue;
        }
        const step = await source.next();
        if (step.done === true) break;
        buffer.push(step.value);
        wake('consumer');
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      wake('consumer');
    }
  })();
  try {
    for (;;) {
      const item = buffer.shift();
      if (item !== undefined) {
        wake('producer');
        yield item;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    stopped = true;
    wake('producer');
  }
}

/** Company reads in flight at once while a page of contacts is staged. */
const companyReads = 16;

/** Runs `work` for every item, at most `limit` at once. */
async function inPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Stages every Intercom contact, page by page; `onPage` hears the running count. */
export async function stageIntercom(
  ctx: StagingContext,
  onPage: (staged: number) => Promise<void>,
): Promise<number> {
  const companies = new CompanyNames(ctx.intercom);
  const tags = await tagNames(ctx);
  let staged = 0;
  // The list is one cursor, page after page: pages are fetched ahead (a few at most) so that
  // the next request goes as soon as a page arrives, not once the store has taken it (the
  // store may be busy with a chunk's transaction).
  for await (const page of readAhead(ctx.intercom.listContacts({ perPage: 150 }), pagesAhead)) {
    ctx.signal?.throwIfAborted();
    const contacts = must('list_contacts', page).map((raw) => toIntercomContact(raw, tags));
    // The page's companies not yet known are read side by side (each is one call); filling the
    // contacts one by one would wait on each in turn.
    const byCompany = new Map<string, IntercomContact>();
    for (const contact of contacts) {
      const id = contact.companies[0]?.id;
      if (id !== undefined && !byCompany.has(id)) byCompany.set(id, contact);
    }
    await inPool([...byCompany.values()], companyReads, (contact) => companies.fill(contact));
    const rows: NewStagedRecord[] = [];
    for (const contact of contacts) rows.push(stagedContact(await companies.fill(contact)));
    staged += await ctx.backfills.stage(ctx.backfillId, 'intercom', rows);
    await onPage(staged);
  }
  return staged;
}

// The Salesforce connector's public shapes: options, records, pages, and the interface itself.
import type { DescribeSObjectResult } from 'jsforce';
import type { Result } from '../result.ts';
import type { SalesforceBulk } from './bulk.ts';
import type { Saved, Upserted } from './collections.ts';
import type { ApiUsage, OrgLimits } from './limits.ts';
import type { ChangeSubscription, SubscribeChangesOptions } from './streaming.ts';

export interface SalesforceTokens {
  readonly accessToken: string;
  readonly instanceUrl: string;
  /** Present when Salesforce rotated it (or on the first login that returned one). */
  readonly refreshToken?: string;
}

export interface SalesforceConnectorOptions {
  /** https://login.salesforce.com, https://test.salesforce.com, a My Domain, or the emulator. */
  readonly loginUrl: string;
  readonly instanceUrl?: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Development only: the OAuth username-password flow, used when no token is given. */
  readonly username?: string;
  readonly password?: string;
  /** e.g. '59.0' (jsforce would default to 50.0). */
  readonly apiVersion: string;
  /** Sent as `Sforce-Call-Options: client=<name>` on every call. */
  readonly callOptionsClient: string;
  /** New tokens after a refresh or login, to be stored (encrypted) by the caller. */
  readonly onTokenRefreshed?: (tokens: SalesforceTokens) => void | Promise<void>;
  /** A failure of onTokenRefreshed (it runs detached from the call that refreshed). */
  readonly onCallbackError?: (error: unknown) => void;
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  /** jsforce's retries of GET/PUT/DELETE on 5xx, 420, 429 and network errors; default 3. */
  readonly maxRetries?: number;
  /** First retry delay (doubling); default 500 ms. */
  readonly minRetryDelayMs?: number;
  readonly now?: () => number;
  /**
   * Awaited before every API call but `/limits` (the API budget waits here when Tandem's share
   * is spent); a rejection propagates to the caller.
   */
  readonly beforeCall?: () => Promise<void>;
}

/** A record as the REST API returns it. */
export interface SObjectRecord {
  readonly attributes?: { readonly type: string; readonly url: string };
  readonly Id?: string;
  readonly [field: string]: unknown;
}

export type WritableRecord = Readonly<Record<string, unknown>>;

export interface QueryPage<T extends SObjectRecord = SObjectRecord> {
  readonly records: readonly T[];
  readonly totalSize: number;
  /** True on the last page. */
  readonly done: boolean;
}

export interface QueryOptions {
  /** 200–2,000 rows a page (`Sforce-Query-Options: batchSize`). */
  readonly batchSize?: number;
  /** queryAll: deleted and archived rows too. */
  readonly includeDeleted?: boolean;
}

export interface UpdatedSince {
  readonly ids: readonly string[];
  /** Use as the next `start`: it may be earlier than `end` during long transactions. */
  readonly latestDateCovered: string;
}

export interface DeletedSince {
  readonly deleted: readonly { readonly id: string; readonly deletedDate: string }[];
  readonly earliestDateAvailable: string;
  readonly latestDateCovered: string;
}

export interface SalesforceIdentity {
  readonly userId: string;
  readonly organizationId: string;
  readonly instanceUrl: string;
}

export type PersonObject = 'Lead' | 'Contact';

/** Bulk API 2.0 and `count` come from SalesforceBulk (bulk.ts). */
export interface SalesforceConnector extends SalesforceBulk {
  /** Logs in when needed and answers who we are. */
  connect(): Promise<Result<SalesforceIdentity>>;
  /** Cached per object for the connector's life (`refresh` reads it again). */
  describe(object: string, options?: { refresh?: boolean }): Promise<Result<DescribeSObjectResult>>;
  /** One Result per page, following queryMore; an error ends the iteration. */
  query<T extends SObjectRecord = SObjectRecord>(
    soql: string,
    options?: QueryOptions,
  ): AsyncGenerator<Result<QueryPage<T>>, void, undefined>;
  retrieve(object: string, id: string, fields?: readonly string[]): Promise<Result<SObjectRecord>>;
  /** SOQL `WHERE field IN (…)`, values escaped, in chunks of 100 values. */
  findByField(
    object: string,
    field: string,
    values: readonly string[],
    fields: readonly string[],
    options?: { excludeConvertedLeads?: boolean },
  ): Promise<Result<SObjectRecord[]>>;
  /** Leads or Contacts whose `Email` equals the address (case-insensitive, as SOQL compares). */
  findByEmail(
    object: PersonObject,
    email: string,
    fields: readonly string[],
    options?: { excludeConvertedLeads?: boolean },
  ): Promise<Result<SObjectRecord[]>>;
  /** Leads or Contacts whose identifier field (`Customer_Number__c`, …) equals the value. */
  findByIdentifier(
    object: PersonObject,
    field: string,
    value: string,
    fields: readonly string[],
    options?: { excludeConvertedLeads?: boolean },
  ): Promise<Result<SObjectRecord[]>>;
  create(object: string, records: readonly WritableRecord[]): Promise<Result<Saved>[]>;
  /** Each record needs its `Id`. */
  update(object: string, records: readonly WritableRecord[]): Promise<Result<Saved>[]>;
  /** Each record needs the external-ID field; creates or updates by it. */
  upsert(
    object: string,
    externalIdField: string,
    records: readonly WritableRecord[],
  ): Promise<Result<Upserted>[]>;
  /** One record by its external ID (through a one-record collection: the value is never in a URL). */
  upsertByExternalId(
    object: string,
    externalIdField: string,
    value: string,
    fields: WritableRecord,
  ): Promise<Result<Upserted>>;
  /** Deletes by id (to the recycle bin), at most 200 a call, one Result per id. */
  destroy(object: string, ids: readonly string[]): Promise<Result<Saved>[]>;
  updatedSince(object: string, start: Date, end?: Date): Promise<Result<UpdatedSince>>;
  deletedSince(object: string, start: Date, end?: Date): Promise<Result<DeletedSince>>;
  /** `/limits`; also refreshes `usage()`. */
  limits(): Promise<Result<OrgLimits>>;
  /** The latest API-usage reading (from Sforce-Limit-Info on every answer), if any yet. */
  usage(): ApiUsage | undefined;
  subscribeChanges(options: SubscribeChangesOptions): ChangeSubscription;
  /** The underlying tokens now (after refreshes), for storing. */
  tokens(): SalesforceTokens | undefined;
}

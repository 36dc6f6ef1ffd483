// The Intercom connector: intercom-client v7 behind a small interface whose calls answer
// Results. Every call first waits for its turn in the connection's pacer (pacer.ts), which keeps
// the calls under the app's rate limit; the SDK's own retries are off by default. A 429 that
// says the window is spent holds every caller until the reset, and the call goes once more; a
// wait longer than the pacer allows comes back at once as `rate_limited`, for the job engine.
import { IntercomClient, type Intercom } from 'intercom-client';
import { err, ok, type ConnectorError, type Result } from '../result.ts';
import { mapIntercomError } from './errors.ts';
import { createPartitionedReading, type IntercomPartitionedReading } from './partition.ts';
import {
  createIntercomPacer,
  type IntercomPacer,
  type IntercomRateUsage,
  type PacerOptions,
} from './pacer.ts';
import { parseRateLimitHeaders } from './rate-limit.ts';
import { SeenFilter, updatedSinceQuery, type SearchQuery } from './search.ts';
import { verifyIntercomSignature } from './webhooks.ts';
import type {
  ContactInput,
  DataAttributeInput,
  IntercomAdmin,
  IntercomTag,
  IntercomCompany,
  IntercomContact,
  IntercomDataAttribute,
  IntercomMe,
} from './types.ts';

export interface IntercomConnectorOptions {
  /** https://api.intercom.io (or .eu / .au), or the emulator. */
  readonly baseUrl: string;
  readonly accessToken: string;
  /** The app's client secret: the key of webhook signatures (see verifyIntercomSignature). */
  readonly clientSecret?: string;
  /** Intercom-Version; default 2.14 (the SDK's). */
  readonly version?: '2.11' | '2.12' | '2.13' | '2.14';
  /** The SDK's retries on 408, 429 and 5xx; default 0. */
  readonly maxRetries?: number;
  /** Per request; default 20 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** The connection's pacer, shared by its connectors (createIntercomPacers); default: its own. */
  readonly pacer?: IntercomPacer;
  /** Options of the connector's own pacer, when `pacer` is not given. */
  readonly pacing?: PacerOptions;
}

export interface SearchOptions {
  /** Up to 150 a page; default 50. */
  readonly perPage?: number;
  readonly sort?: { readonly field: string; readonly order: 'ascending' | 'descending' };
}

type Pages<T> = AsyncGenerator<Result<T[]>, void, undefined>;

/** Partitioned reading, `countContacts` and `searchContactsPage` come from partition.ts. */
export interface IntercomConnector extends IntercomPartitionedReading {
  /** The admin and workspace behind the token (a cheap token check). */
  me(): Promise<Result<IntercomMe>>;
  findContact(id: string): Promise<Result<IntercomContact>>;
  findContactByExternalId(externalId: string): Promise<Result<IntercomContact>>;
  /** One Result per page; an error ends the iteration. */
  searchContacts(query: SearchQuery, options?: SearchOptions): Pages<IntercomContact>;
  /**
   * Every contact updated at or after `since`, oldest first, each id+updated_at once, asking
   * from the day before (the API compares dates by day). For the reconciliation sweep.
   */
  contactsUpdatedSince(
    since: Date,
    options?: { readonly role?: 'user' | 'lead'; readonly perPage?: number },
  ): Pages<IntercomContact>;
  /** 409 → `conflict` with `existingId`, the contact that already matches. */
  createContact(input: ContactInput): Promise<Result<IntercomContact>>;
  updateContact(id: string, input: ContactInput): Promise<Result<IntercomContact>>;
  listContacts(options?: { readonly perPage?: number }): Pages<IntercomContact>;
  /** Only when a setting asks for deletions to propagate. */
  deleteContact(id: string): Promise<Result<{ readonly id: string; readonly deleted: boolean }>>;
  archiveContact(id: string): Promise<Result<{ readonly id: string; readonly archived: boolean }>>;
  listDataAttributes(
    model: 'contact' | 'company',
    options?: { readonly includeArchived?: boolean },
  ): Promise<Result<IntercomDataAttribute[]>>;
  createDataAttribute(input: DataAttributeInput): Promise<Result<IntercomDataAttribute>>;
  listAdmins(): Promise<Result<IntercomAdmin[]>>;
  /** Every tag of the workspace (contacts name their tags by id only). */
  listTags(): Promise<Result<IntercomTag[]>>;
  /** By Intercom's id. */
  findCompany(id: string): Promise<Result<IntercomCompany>>;
  /** By your `company_id`. */
  findCompanyByCompanyId(companyId: string): Promise<Result<IntercomCompany>>;
  /** The pacer's state: the latest rate-limit headers, calls paced and waiting, 429s seen. */
  usage(): IntercomRateUsage;
  /** `X-Hub-Signature` of a webhook body, keyed with the configured client secret (false without one). */
  verifyWebhook(rawBody: Buffer, header: string | undefined): boolean;
}

interface SdkPage<T> {
  data: T[];
  hasNextPage(): boolean;
  getNextPage(): Promise<unknown>;
}

export function createIntercomConnector(options: IntercomConnectorOptions): IntercomConnector {
  const now = options.now ?? Date.now;
  const pacer = options.pacer ?? createIntercomPacer(options.pacing);
  const observingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const reading = parseRateLimitHeaders(response.headers, now());
    // The reset is read against the answer, on the connector's clock, so the pacer's own clock
    // need not agree with Intercom's.
    if (reading)
      pacer.observe({
        limit: reading.limit,
        remaining: reading.remaining,
        reset: reading.resetAt / 1000,
        resetInMs: reading.resetAt - reading.observedAt,
        rateLimited: response.status === 429,
      });
    return response;
  };
  const client = new IntercomClient({
    token: options.accessToken,
    baseUrl: options.baseUrl,
    version: options.version ?? '2.14',
    maxRetries: options.maxRetries ?? 0,
    timeoutInSeconds: (options.timeoutMs ?? 20_000) / 1000,
    fetch: observingFetch,
  });

  async function call<T>(fn: () => Promise<unknown>): Promise<Result<T>> {
    const permit = await pacer.acquire();
    if (!permit.ok) return err(pacedOut(permit.retryAfterMs));
    const result = await attempt<T>(fn);
    // A 429 of a spent window was not carried out: it waits for the reset with every other
    // caller, then goes again. Any other 429 is the caller's to back off from.
    if (result.ok || result.error.code !== 'rate_limited' || !pacer.held()) return result;
    const again = await pacer.acquire();
    return again.ok ? attempt<T>(fn) : result;
  }

  async function attempt<T>(fn: () => Promise<unknown>): Promise<Result<T>> {
    try {
      return ok((await fn()) as T);
    } catch (error) {
      const mapped = mapIntercomError(error, now);
      if (!mapped) throw error;
      return err(mapped);
    } finally {
      pacer.release();
    }
  }

  async function* pages<T>(first: () => Promise<unknown>): Pages<T> {
    const opened = await call<SdkPage<T>>(first);
    if (!opened.ok) {
      yield opened;
      return;
    }
    const page = opened.value;
    yield ok([...page.data]);
    while (page.hasNextPage()) {
      const next = await call<unknown>(() => page.getNextPage());
      if (!next.ok) {
        yield next;
        return;
      }
      yield ok([...page.data]);
    }
  }

  const connector: IntercomConnector = {
    ...createPartitionedReading({ client, call }),

    me: () => call(() => client.admins.identify()),

    findContact: (id) => call(() => client.contacts.find({ contact_id: id })),

    findContactByExternalId: (externalId) =>
      call(() => client.contacts.showContactByExternalId({ external_id: externalId })),

    searchContacts(query, searchOptions = {}) {
      const request = {
        query,
        pagination: { per_page: searchOptions.perPage ?? 50 },
        ...(searchOptions.sort ? { sort: searchOptions.sort } : {}),
      };
      // `sort` is not in the SDK's SearchRequest type, but the SDK sends the body as given.
      return pages<IntercomContact>(() =>
        client.contacts.search(request as unknown as Intercom.SearchRequest),
      );
    },

    async *contactsUpdatedSince(since, sinceOptions = {}) {
      const sinceSeconds = Math.floor(since.getTime() / 1000);
      const filter = new SeenFilter(sinceSeconds);
      for await (const page of connector.searchContacts(
        updatedSinceQuery(sinceSeconds, sinceOptions.role),
        {
          perPage: sinceOptions.perPage ?? 150,
          sort: { field: 'updated_at', order: 'ascending' },
        },
      )) {
        if (!page.ok) {
          yield page;
          return;
        }
        yield ok(filter.keep(page.value));
      }
    },

    createContact: (input) =>
      call(() => client.contacts.create(input as unknown as Intercom.CreateContactRequest)),

    updateContact: (id, input) =>
      call(() =>
        client.contacts.update({
          ...(input as unknown as Omit<Intercom.UpdateContactRequest, 'contact_id'>),
          contact_id: id,
        }),
      ),

    listContacts: (listOptions = {}) =>
      pages<IntercomContact>(() => client.contacts.list({ per_page: listOptions.perPage ?? 50 })),

    deleteContact: (id) => call(() => client.contacts.delete({ contact_id: id })),

    archiveContact: (id) => call(() => client.contacts.archive({ contact_id: id })),

    async listDataAttributes(model, listOptions = {}) {
      const result = await call<{ data: IntercomDataAttribute[] }>(() =>
        client.dataAttributes.list({
          model,
          include_archived: listOptions.includeArchived ?? false,
        }),
      );
      return result.ok ? ok(result.value.data) : result;
    },

    createDataAttribute: (input) =>
      call(() =>
        client.dataAttributes.create({
          ...input,
          ...(input.options ? { options: input.options.map((value) => ({ value })) } : {}),
        } as unknown as Intercom.CreateDataAttributeRequest),
      ),

    async listAdmins() {
      const result = await call<{ admins: IntercomAdmin[] }>(() => client.admins.list());
      return result.ok ? ok(result.value.admins) : result;
    },

    async listTags() {
      const result = await call<{ data: IntercomTag[] }>(() => client.tags.list());
      return result.ok ? ok(result.value.data) : result;
    },

    findCompany: (id) => call(() => client.companies.find({ company_id: id })),

    async findCompanyByCompanyId(companyId) {
      // GET /companies?company_id= answers a one-company list (2.14 schema) or the company.
      const result = await call<IntercomCompany | { data?: IntercomCompany[] }>(() =>
        client.companies.retrieve({ company_id: companyId }),
      );
      if (!result.ok) return result;
      const value = result.value;
      const company = 'data' in value && Array.isArray(value.data) ? value.data[0] : value;
      if (!company || (company as { type?: unknown }).type !== 'company')
        return err({
          system: 'intercom',
          code: 'not_found',
          message: `no company with company_id ${companyId}`,
        });
      return ok(company as IntercomCompany);
    },

    usage: () => pacer.usage(),

    verifyWebhook: (rawBody, header) =>
      options.clientSecret !== undefined &&
      verifyIntercomSignature(rawBody, header, options.clientSecret),
  };
  return connector;
}

function pacedOut(retryAfterMs: number): ConnectorError {
  return {
    system: 'intercom',
    code: 'rate_limited',
    retryAfterMs,
    message: `Intercom's rate limit leaves no turn for this call within the pacer's wait (next in ${retryAfterMs} ms)`,
  };
}

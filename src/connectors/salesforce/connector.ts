// The Salesforce connector: jsforce v3 behind a small interface whose calls answer Results.
// Every REST call carries `Sforce-Call-Options: client=<callOptionsClient>` (jsforce's
// `callOptions`), so the change events of Tandem's own writes name Tandem in `changeOrigin`.
import jsforce from 'jsforce';
import type { DescribeSObjectResult } from 'jsforce';
import { createBulk } from './bulk.ts';
import { err, ok, type ConnectorError, type Result } from '../result.ts';
import { inChunks, toSaved, toUpserted, type RawSaveResult } from './collections.ts';
import { mapSalesforceError } from './errors.ts';
import { parseLimitInfo, usageFromLimits, type ApiUsage, type OrgLimits } from './limits.ts';
import { selectWhereIn, name as apiName } from './soql.ts';
import { subscribeChanges, type StreamingConnection } from './streaming.ts';
import { ResponseObserver, type CallScope } from './transport.ts';
import type {
  QueryOptions,
  SalesforceConnector,
  SalesforceConnectorOptions,
  SalesforceTokens,
  SObjectRecord,
} from './types.ts';

type Connection = InstanceType<typeof jsforce.Connection>;

const inChunkSize = 100;

export function createSalesforceConnector(
  options: SalesforceConnectorOptions,
): SalesforceConnector {
  const now = options.now ?? Date.now;
  let usage: ApiUsage | undefined;
  const observer = new ResponseObserver((response) => {
    const reading = parseLimitInfo(response.headers['sforce-limit-info'], now());
    if (reading) usage = reading;
  });

  const conn: Connection = new jsforce.Connection({
    loginUrl: options.loginUrl,
    version: options.apiVersion,
    oauth2: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      loginUrl: options.loginUrl,
    },
    callOptions: { client: options.callOptionsClient },
    ...(options.instanceUrl === undefined ? {} : { instanceUrl: options.instanceUrl }),
    ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
    ...(options.refreshToken === undefined ? {} : { refreshToken: options.refreshToken }),
  });
  observer.install(conn, {
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 3,
    minRetryDelayMs: options.minRetryDelayMs ?? 500,
  });

  const currentTokens = (): SalesforceTokens | undefined =>
    conn.accessToken
      ? {
          accessToken: conn.accessToken,
          instanceUrl: conn.instanceUrl,
          ...(conn.refreshToken ? { refreshToken: conn.refreshToken } : {}),
        }
      : undefined;

  const announce = (): void => {
    const tokens = currentTokens();
    if (!tokens || !options.onTokenRefreshed) return;
    const callback = options.onTokenRefreshed;
    Promise.resolve()
      .then(() => callback(tokens))
      .catch((error: unknown) => options.onCallbackError?.(error));
  };

  conn.on('refresh', (_accessToken: string, response?: { refresh_token?: string }) => {
    // Salesforce sends a new refresh token only when rotation is on; keep it when it does.
    if (response?.refresh_token) conn.refreshToken = response.refresh_token;
    announce();
  });

  // The username-password flow, once, when the connector was given no token at all.
  let session: Promise<Result<void>> | undefined;
  const ensureSession = (): Promise<Result<void>> => {
    if (conn.accessToken || conn.refreshToken) return Promise.resolve(ok(undefined));
    if (session) return session;
    const { username, password } = options;
    if (!username || !password)
      return Promise.resolve(
        err({
          system: 'salesforce',
          code: 'auth_failed',
          message: 'no access token, refresh token or username/password to connect with',
          needsReconnect: true,
        }),
      );
    session = call(async () => {
      await conn.login(username, password);
      announce();
    }).then((result) => {
      if (!result.ok) session = undefined;
      return result;
    });
    return session;
  };

  /** Runs one jsforce call in its own observed scope: expected failures mapped, bugs rethrown. */
  async function call<T>(fn: () => Promise<T>): Promise<Result<T>> {
    const scope: CallScope = {};
    try {
      return ok(await observer.run(scope, fn));
    } catch (error) {
      const mapped = mapSalesforceError(error, scope.last, now);
      if (!mapped) throw error;
      return err(mapped);
    }
  }

  /**
   * A call that needs a session: logs in first when the connector was given no token. A gated
   * call waits for `beforeCall` (the API budget); `/limits`, which tells when the wait is over,
   * is not gated.
   */
  async function api<T>(fn: () => Promise<T>, gated = true): Promise<Result<T>> {
    if (gated) await options.beforeCall?.();
    const ready = await ensureSession();
    if (!ready.ok) return ready;
    return call(fn);
  }

  const describes = new Map<string, DescribeSObjectResult>();

  async function collect(soql: string): Promise<Result<SObjectRecord[]>> {
    const rows: SObjectRecord[] = [];
    for await (const page of connector.query(soql)) {
      if (!page.ok) return page;
      rows.push(...page.value.records);
    }
    return ok(rows);
  }

  const collection = (fn: () => Promise<unknown>) =>
    api(async () => (await fn()) as readonly RawSaveResult[]);

  const connector: SalesforceConnector = {
    ...createBulk({ connection: conn, api }),

    async connect() {
      return api(async () => {
        if (conn.userInfo)
          return {
            userId: conn.userInfo.id,
            organizationId: conn.userInfo.organizationId,
            instanceUrl: conn.instanceUrl,
          };
        // Stored tokens carry no identity URL (conn.identity() needs one): ask the OpenID
        // userinfo endpoint, which any valid access token may read.
        const info = (await conn.request('/services/oauth2/userinfo')) as {
          user_id: string;
          organization_id: string;
        };
        return {
          userId: info.user_id,
          organizationId: info.organization_id,
          instanceUrl: conn.instanceUrl,
        };
      });
    },

    async describe(object, describeOptions = {}) {
      const cached = describes.get(object);
      if (cached && !describeOptions.refresh) return ok(cached);
      const result = await api(() => conn.describe(apiName(object)));
      if (result.ok) describes.set(object, result.value);
      return result;
    },

    async *query<T extends SObjectRecord = SObjectRecord>(
      soql: string,
      queryOptions: QueryOptions = {},
    ) {
      const headers: Record<string, string> = {};
      if (queryOptions.batchSize !== undefined)
        headers['Sforce-Query-Options'] = `batchSize=${queryOptions.batchSize}`;
      let url = `/${queryOptions.includeDeleted ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
      for (;;) {
        const requestUrl = url;
        const page = await api(
          async () =>
            (await conn.request({ method: 'GET', url: requestUrl, headers })) as {
              totalSize: number;
              done?: boolean;
              nextRecordsUrl?: string;
              records: T[];
            },
        );
        if (!page.ok) {
          yield page;
          return;
        }
        const body = page.value;
        const more = body.done === false && typeof body.nextRecordsUrl === 'string';
        yield ok({ records: body.records, totalSize: body.totalSize, done: !more });
        if (!more || !body.nextRecordsUrl) return;
        url = body.nextRecordsUrl;
      }
    },

    async retrieve(object, id, fields) {
      return api(
        async () =>
          (await conn.request({
            method: 'GET',
            url: `/sobjects/${apiName(object)}/${encodeURIComponent(id)}${
              fields && fields.length > 0
                ? `?fields=${encodeURIComponent(fields.map(apiName).join(','))}`
                : ''
            }`,
          })) as SObjectRecord,
      );
    },

    async findByField(object, field, values, fields, findOptions = {}) {
      const distinct = [...new Set(values)];
      const rows: SObjectRecord[] = [];
      for (let i = 0; i < distinct.length; i += inChunkSize) {
        let soql = selectWhereIn(object, fields, field, distinct.slice(i, i + inChunkSize));
        if (findOptions.excludeConvertedLeads && object === 'Lead')
          soql += ' AND IsConverted = false';
        const part = await collect(soql);
        if (!part.ok) return part;
        rows.push(...part.value);
      }
      return ok(rows);
    },

    findByEmail(object, email, fields, findOptions) {
      return connector.findByField(object, 'Email', [email], fields, findOptions);
    },

    findByIdentifier(object, field, value, fields, findOptions) {
      return connector.findByField(object, field, [value], fields, findOptions);
    },

    create(object, records) {
      return inChunks(
        records,
        (part) => collection(() => conn.create(apiName(object), part, { allOrNone: false })),
        toSaved,
      );
    },

    update(object, records) {
      for (const record of records)
        if (typeof record['Id'] !== 'string')
          throw new Error(`update(${object}) needs an Id on every record`);
      return inChunks(
        records,
        (part) =>
          collection(() =>
            conn.update(apiName(object), part as { Id: string }[], { allOrNone: false }),
          ),
        toSaved,
      );
    },

    upsert(object, externalIdField, records) {
      return inChunks(
        records,
        (part) =>
          collection(() =>
            conn.upsert(apiName(object), part, apiName(externalIdField), { allOrNone: false }),
          ),
        toUpserted,
      );
    },

    async upsertByExternalId(object, externalIdField, value, fields) {
      const [result] = await connector.upsert(object, externalIdField, [
        { ...fields, [externalIdField]: value },
      ]);
      if (!result) throw new Error('upsert answered no result for one record');
      return result;
    },

    destroy(object, ids) {
      return inChunks(
        ids.map((id) => ({ Id: id })),
        (part) =>
          collection(() =>
            conn.destroy(
              apiName(object),
              part.map((r) => String(r['Id'])),
              { allOrNone: false },
            ),
          ),
        toSaved,
      );
    },

    async updatedSince(object, start, end = new Date(now())) {
      const result = await api(() => conn.sobject(apiName(object)).updated(start, end));
      if (!result.ok) return result;
      return ok({ ids: result.value.ids, latestDateCovered: result.value.latestDateCovered });
    },

    async deletedSince(object, start, end = new Date(now())) {
      const result = await api(() => conn.sobject(apiName(object)).deleted(start, end));
      if (!result.ok) return result;
      return ok({
        deleted: result.value.deletedRecords,
        earliestDateAvailable: result.value.earliestDateAvailable,
        latestDateCovered: result.value.latestDateCovered,
      });
    },

    async limits() {
      const result = await api(async () => (await conn.limits()) as OrgLimits, false);
      if (result.ok) usage = usageFromLimits(result.value, now()) ?? usage;
      return result;
    },

    usage: () => usage,

    subscribeChanges(subscribeOptions) {
      return subscribeChanges(
        {
          connection: async () => {
            const ready = await ensureSession();
            return ready.ok
              ? ok(conn as unknown as StreamingConnection)
              : (ready as { ok: false; error: ConnectorError });
          },
          // `/limits` is cheap and, answering 401 to a stale token, makes jsforce refresh it.
          renewSession: () => api(() => conn.limits(), false),
        },
        subscribeOptions,
      );
    },

    tokens: currentTokens,
  };
  return connector;
}

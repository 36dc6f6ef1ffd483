// The two connections (issue 5, point 1): what `tandem connect` stores, how the rest of Tandem
// opens a connector from it, and how healthy each one is. Secrets (tokens, client secrets, the
// development password) go to the credentials repository, sealed; what a person may read (which
// org, which workspace, since when) is a versioned setting beside the sync settings.
import type {
  ConnectorError,
  IntercomConnector,
  IntercomConnectorOptions,
  IntercomMe,
  SalesforceConnector,
  SalesforceConnectorOptions,
  SalesforceIdentity,
  SalesforceTokens,
} from '../connectors/index.ts';
import type {
  CredentialsRepository,
  EventsRepository,
  SettingsRepository,
} from '../store/index.ts';

export const connectionKeys = {
  salesforce: 'connection.salesforce',
  intercom: 'connection.intercom',
} as const;

export const credentialNames = {
  salesforceAccessToken: 'salesforce.access_token',
  salesforceRefreshToken: 'salesforce.refresh_token',
  salesforceInstanceUrl: 'salesforce.instance_url',
  salesforceClientSecret: 'salesforce.client_secret',
  salesforcePassword: 'salesforce.password',
  intercomAccessToken: 'intercom.access_token',
  intercomClientSecret: 'intercom.client_secret',
} as const;

export const defaultSalesforceApiVersion = '59.0';
/** `Sforce-Call-Options: client=tandem`, so change events of Tandem's own writes say so. */
export const salesforceCallOptionsClient = 'tandem';

export const salesforceFlows = ['web_server', 'password'] as const;
export type SalesforceFlow = (typeof salesforceFlows)[number];

/** The readable part of the Salesforce connection (setting `connection.salesforce`). */
export interface SalesforceConnectionInfo {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly flow: SalesforceFlow;
  /** The development (username-password) flow only. */
  readonly username: string | null;
  readonly instanceUrl: string;
  readonly organizationId: string;
  readonly userId: string;
  readonly apiVersion: string;
  readonly connectedAt: string;
  /** Set when the stored grant stopped working; a new `tandem connect` clears it. */
  readonly needsReconnect?: NeedsReconnect;
}

export interface NeedsReconnect {
  readonly since: string;
  readonly reason: string;
}

/** The readable part of the Intercom connection (setting `connection.intercom`). */
export interface IntercomConnectionInfo {
  readonly baseUrl: string;
  readonly adminId: string;
  readonly adminEmail: string;
  readonly workspaceId: string | null;
  readonly workspaceName: string | null;
  readonly webhookSecretStored: boolean;
  readonly connectedAt: string;
  readonly needsReconnect?: NeedsReconnect;
}

export interface ConnectorFactories {
  readonly salesforce: (options: SalesforceConnectorOptions) => SalesforceConnector;
  readonly intercom: (options: IntercomConnectorOptions) => IntercomConnector;
}

export interface ConnectionStore {
  readonly settings: SettingsRepository;
  readonly credentials: CredentialsRepository;
}

// ---------------------------------------------------------------------------------------------
// Salesforce

export interface SalesforceSecrets {
  readonly clientSecret: string;
  readonly tokens?: SalesforceTokens;
  /** Development flow: the password, kept so that a later process can log in again. */
  readonly password?: string;
}

/** Replaces the stored Salesforce connection (a reconnect drops the old tokens). */
export async function saveSalesforceConnection(
  store: ConnectionStore,
  info: SalesforceConnectionInfo,
  secrets: SalesforceSecrets,
  author: string,
): Promise<void> {
  const { credentials } = store;
  for (const name of [
    credentialNames.salesforceAccessToken,
    credentialNames.salesforceRefreshToken,
    credentialNames.salesforcePassword,
  ])
    await credentials.remove(name);
  await credentials.put(credentialNames.salesforceClientSecret, secrets.clientSecret);
  await credentials.put(credentialNames.salesforceInstanceUrl, info.instanceUrl);
  if (secrets.tokens) await storeSalesforceTokens(credentials, secrets.tokens);
  if (secrets.password !== undefined)
    await credentials.put(credentialNames.salesforcePassword, secrets.password);
  await store.settings.set(connectionKeys.salesforce, info, author);
}

async function storeSalesforceTokens(
  credentials: CredentialsRepository,
  tokens: SalesforceTokens,
): Promise<void> {
  await credentials.put(credentialNames.salesforceAccessToken, tokens.accessToken);
  await credentials.put(credentialNames.salesforceInstanceUrl, tokens.instanceUrl);
  if (tokens.refreshToken)
    await credentials.put(credentialNames.salesforceRefreshToken, tokens.refreshToken);
}

export async function loadSalesforceConnection(
  store: ConnectionStore,
): Promise<SalesforceConnectionInfo | undefined> {
  const setting = await store.settings.get(connectionKeys.salesforce);
  return setting?.value as SalesforceConnectionInfo | undefined;
}

export interface OpenOptions {
  /** Called when refreshed tokens could not be stored (the refresh itself succeeded). */
  readonly onStoreError?: (error: unknown) => void;
  readonly timeoutMs?: number;
}

/**
 * A connector on the stored Salesforce connection, or undefined when there is none. Tokens the
 * connector refreshes are stored again (sealed), so the next process starts from them.
 */
export async function openSalesforce(
  store: ConnectionStore,
  factories: ConnectorFactories,
  options: OpenOptions = {},
): Promise<{ info: SalesforceConnectionInfo; connector: SalesforceConnector } | undefined> {
  const info = await loadSalesforceConnection(store);
  if (!info) return undefined;
  const { credentials } = store;
  const clientSecret = (await credentials.get(credentialNames.salesforceClientSecret)) ?? '';
  const common = {
    loginUrl: info.loginUrl,
    clientId: info.clientId,
    clientSecret,
    apiVersion: info.apiVersion,
    callOptionsClient: salesforceCallOptionsClient,
    onTokenRefreshed: (tokens: SalesforceTokens) => storeSalesforceTokens(credentials, tokens),
    ...(options.onStoreError ? { onCallbackError: options.onStoreError } : {}),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  let connector: SalesforceConnector;
  if (info.flow === 'password') {
    // The username-password flow has no refresh token: every process logs in again.
    const password = (await credentials.get(credentialNames.salesforcePassword)) ?? '';
    connector = factories.salesforce({ ...common, username: info.username ?? '', password });
  } else {
    const accessToken = await credentials.get(credentialNames.salesforceAccessToken);
    const refreshToken = await credentials.get(credentialNames.salesforceRefreshToken);
    const instanceUrl =
      (await credentials.get(credentialNames.salesforceInstanceUrl)) ?? info.instanceUrl;
    connector = factories.salesforce({
      ...common,
      instanceUrl,
      ...(accessToken === undefined ? {} : { accessToken }),
      ...(refreshToken === undefined ? {} : { refreshToken }),
    });
  }
  return { info, connector };
}

export interface SalesforceVerified {
  readonly identity: SalesforceIdentity;
  /** Lead fields describe reports, a sign that the API answers for sObjects. */
  readonly leadFields: number;
}

/** Who we are, then a describe of Lead: the two calls a working connection must answer. */
export async function verifySalesforce(
  connector: SalesforceConnector,
): Promise<{ ok: true; value: SalesforceVerified } | { ok: false; error: ConnectorError }> {
  const identity = await connector.connect();
  if (!identity.ok) return identity;
  const lead = await connector.describe('Lead');
  if (!lead.ok) return lead;
  return { ok: true, value: { identity: identity.value, leadFields: lead.value.fields.length } };
}

// ---------------------------------------------------------------------------------------------
// Intercom

export async function saveIntercomConnection(
  store: ConnectionStore,
  info: IntercomConnectionInfo,
  secrets: { readonly accessToken: string; readonly clientSecret?: string },
  author: string,
): Promise<void> {
  await store.credentials.put(credentialNames.intercomAccessToken, secrets.accessToken);
  if (secrets.clientSecret !== undefined)
    await store.credentials.put(credentialNames.intercomClientSecret, secrets.clientSecret);
  await store.settings.set(connectionKeys.intercom, info, author);
}

export async function loadIntercomConnection(
  store: ConnectionStore,
): Promise<IntercomConnectionInfo | undefined> {
  const setting = await store.settings.get(connectionKeys.intercom);
  return setting?.value as IntercomConnectionInfo | undefined;
}

export async function openIntercom(
  store: ConnectionStore,
  factories: ConnectorFactories,
  options: OpenOptions = {},
): Promise<{ info: IntercomConnectionInfo; connector: IntercomConnector } | undefined> {
  const info = await loadIntercomConnection(store);
  if (!info) return undefined;
  const accessToken = (await store.credentials.get(credentialNames.intercomAccessToken)) ?? '';
  const clientSecret = await store.credentials.get(credentialNames.intercomClientSecret);
  const connector = factories.intercom({
    baseUrl: info.baseUrl,
    accessToken,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { info, connector };
}

export const intercomInfoFromMe = (
  me: IntercomMe,
  baseUrl: string,
  webhookSecretStored: boolean,
  connectedAt: string,
): IntercomConnectionInfo => ({
  baseUrl,
  adminId: String(me.id),
  adminEmail: me.email,
  workspaceId: me.app?.id_code ?? null,
  workspaceName: me.app?.name ?? null,
  webhookSecretStored,
  connectedAt,
});

// ---------------------------------------------------------------------------------------------
// Needs reconnect

/**
 * Records that a connection's stored grant no longer works (a revoked refresh token, a token
 * Intercom refuses): the connection setting says so, for the sync to pause on, and the ledger
 * gets one `connection.needs_reconnect` event. Answers false when it was already marked.
 */
export async function markNeedsReconnect(
  store: ConnectionStore & { readonly events: EventsRepository },
  system: 'salesforce' | 'intercom',
  reason: string,
  at: Date,
): Promise<boolean> {
  const key = connectionKeys[system];
  const setting = await store.settings.get(key);
  const info = setting?.value as { needsReconnect?: NeedsReconnect } | undefined;
  if (!setting || !info || info.needsReconnect) return false;
  const needsReconnect: NeedsReconnect = { since: at.toISOString(), reason };
  await store.settings.set(key, { ...info, needsReconnect }, 'tandem', setting.version);
  await store.events.append({
    kind: 'connection.needs_reconnect',
    subject: system,
    data: { reason, action: `run \`tandem connect ${system}\`` },
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Messages and health

const noApiAccessCodes = new Set(['API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED']);

/** True when Salesforce said the org (or the user) may not use the API at all. */
export const isNoApiAccess = (error: ConnectorError): boolean =>
  error.system === 'salesforce' &&
  error.upstreamCode !== undefined &&
  noApiAccessCodes.has(error.upstreamCode);

/** One line a person can act on, for `tandem connect` and `tandem doctor`. */
export function explainConnectionError(error: ConnectorError): string {
  if (isNoApiAccess(error))
    return (
      `this Salesforce org has no API access (${error.upstreamCode}): the REST API needs ` +
      'Enterprise, Unlimited, Performance or Developer Edition (or Professional Edition with the ' +
      'API add-on) and a user whose profile has the "API Enabled" permission'
    );
  if (error.code === 'auth_failed' && error.needsReconnect)
    return `needs reconnect: the stored credentials no longer work (${error.message}); run \`tandem connect ${error.system}\``;
  switch (error.code) {
    case 'auth_failed':
    case 'session_expired':
      return `authentication failed: ${error.message}`;
    case 'permission':
      return `permission denied: ${error.message}`;
    case 'rate_limited':
      return `rate limited; try again in ${Math.ceil(error.retryAfterMs / 1000)} s`;
    case 'upstream':
      return `cannot reach ${error.system === 'salesforce' ? 'Salesforce' : 'Intercom'}: ${error.message}`;
    default:
      return `${error.code}: ${error.message}`;
  }
}

export type ConnectionState = 'not_connected' | 'healthy' | 'needs_reconnect' | 'failing';

export interface ConnectionHealth {
  readonly system: 'salesforce' | 'intercom';
  readonly state: ConnectionState;
  readonly detail: string;
}

/** Makes one cheap call on each stored connection; never throws for an API failure. */
export async function checkConnections(
  store: ConnectionStore,
  factories: ConnectorFactories,
  options: OpenOptions = {},
): Promise<ConnectionHealth[]> {
  return [
    await checkSalesforce(store, factories, options),
    await checkIntercom(store, factories, options),
  ];
}

const failure = (system: 'salesforce' | 'intercom', error: ConnectorError): ConnectionHealth => ({
  system,
  state: error.code === 'auth_failed' && error.needsReconnect ? 'needs_reconnect' : 'failing',
  detail: explainConnectionError(error),
});

async function checkSalesforce(
  store: ConnectionStore,
  factories: ConnectorFactories,
  options: OpenOptions,
): Promise<ConnectionHealth> {
  const opened = await openSalesforce(store, factories, options);
  if (!opened)
    return {
      system: 'salesforce',
      state: 'not_connected',
      detail: 'not connected; run `tandem connect salesforce`',
    };
  // `/limits` first: a REST call, so a stale access token gets a 401 and jsforce refreshes it
  // (userinfo answers 403 Bad_OAuth_Token instead, which jsforce does not refresh on), and an
  // org without API access shows here.
  const limits = await opened.connector.limits();
  if (!limits.ok) return failure('salesforce', limits.error);
  const identity = await opened.connector.connect();
  if (!identity.ok) return failure('salesforce', identity.error);
  const usage = opened.connector.usage();
  return {
    system: 'salesforce',
    state: 'healthy',
    detail:
      `connected to org ${identity.value.organizationId} at ${identity.value.instanceUrl}` +
      (opened.info.flow === 'password' ? ` as ${opened.info.username} (development login)` : '') +
      (usage ? `; API requests today ${usage.used}/${usage.max}` : ''),
  };
}

async function checkIntercom(
  store: ConnectionStore,
  factories: ConnectorFactories,
  options: OpenOptions,
): Promise<ConnectionHealth> {
  const opened = await openIntercom(store, factories, options);
  if (!opened)
    return {
      system: 'intercom',
      state: 'not_connected',
      detail: 'not connected; run `tandem connect intercom`',
    };
  const me = await opened.connector.me();
  if (!me.ok) return failure('intercom', me.error);
  const workspace = me.value.app?.name ?? opened.info.workspaceName ?? opened.info.baseUrl;
  return {
    system: 'intercom',
    state: 'healthy',
    detail:
      `connected to workspace ${workspace} as ${me.value.email}` +
      (opened.info.webhookSecretStored
        ? ''
        : '; no client secret stored, so webhooks cannot be verified'),
  };
}

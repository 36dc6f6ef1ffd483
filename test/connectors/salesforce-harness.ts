// Test support: a Salesforce emulator with Tandem's identifier fields, and connectors on it.
// Only tests import this file.
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../emulators/salesforce/index.ts';
import {
  createSalesforceConnector,
  type SalesforceConnector,
  type SalesforceConnectorOptions,
  type SalesforceTokens,
} from '../../src/connectors/salesforce/index.ts';

// jsforce sends every request through https_proxy/http_proxy when set, ignoring NO_PROXY.
for (const variable of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY'])
  delete process.env[variable];

export const identifierFields = [
  {
    object: 'Lead',
    name: 'Intercom_Id__c',
    type: 'string',
    length: 255,
    externalId: true,
    unique: true,
  },
  {
    object: 'Contact',
    name: 'Intercom_Id__c',
    type: 'string',
    length: 255,
    externalId: true,
    unique: true,
  },
  {
    object: 'Lead',
    name: 'Customer_Number__c',
    type: 'string',
    length: 40,
    externalId: true,
    unique: true,
  },
  {
    object: 'Contact',
    name: 'Customer_Number__c',
    type: 'string',
    length: 40,
    externalId: true,
    unique: true,
  },
];

export interface SalesforceHarness {
  readonly emulator: SalesforceEmulator;
  readonly url: string;
  /** A connector logging in with the username-password flow. */
  connector(overrides?: Partial<SalesforceConnectorOptions>): SalesforceConnector;
  /** A refresh token from the web-server flow (approve + code exchange). */
  refreshToken(): Promise<{ accessToken: string; refreshToken: string; instanceUrl: string }>;
  control(
    path: string,
    body?: unknown,
    method?: string,
  ): Promise<{ status: number; body: unknown }>;
  /** Calls by endpoint, e.g. `POST /services/data/vXX.X/composite/sobjects`. */
  calls(endpoint: string): Promise<number>;
  close(): Promise<void>;
}

export async function startSalesforceHarness(): Promise<SalesforceHarness> {
  const emulator = await startSalesforceEmulator({ port: 0, seed: 'empty' });
  const url = emulator.url;
  const c = emulator.credentials;
  const control: SalesforceHarness['control'] = async (path, body, method) => {
    const res = await fetch(`${url}/__emulator/${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const seeded = await control('seed', { customFields: identifierFields });
  if (seeded.status !== 200) throw new Error(`seed failed: ${JSON.stringify(seeded.body)}`);
  return {
    emulator,
    url,
    connector: (overrides = {}) =>
      createSalesforceConnector({
        loginUrl: url,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        username: c.username,
        password: c.password,
        apiVersion: c.apiVersion,
        callOptionsClient: 'tandem',
        maxRetries: 0,
        ...overrides,
      }),
    async refreshToken() {
      const approved = await fetch(`${url}/services/oauth2/authorize`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: c.clientId,
          redirect_uri: 'http://localhost:9999/callback',
          action: 'approve',
        }),
        redirect: 'manual',
      });
      const code = new URL(approved.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const token = await fetch(`${url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: c.clientId,
          client_secret: c.clientSecret,
          redirect_uri: 'http://localhost:9999/callback',
        }),
      });
      const body = (await token.json()) as {
        access_token: string;
        refresh_token: string;
        instance_url: string;
      };
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        instanceUrl: body.instance_url,
      };
    },
    control,
    async calls(endpoint) {
      const stats = (await control('stats')).body as { calls: Record<string, number> };
      return stats.calls[endpoint] ?? 0;
    },
    close: () => emulator.close(),
  };
}

/** Collects the tokens a connector announces. */
export function tokenLog(): {
  readonly seen: SalesforceTokens[];
  readonly onTokenRefreshed: (tokens: SalesforceTokens) => void;
} {
  const seen: SalesforceTokens[] = [];
  return { seen, onTokenRefreshed: (tokens) => void seen.push(tokens) };
}

/** Waits until the predicate holds, polling every 20 ms, failing after `ms`. */
export async function eventually(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

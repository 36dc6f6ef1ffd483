// Test helpers: an emulator on a free port and an unchanged jsforce Connection logged in to it.
import jsforce from 'jsforce';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../index.ts';
import { tandemCustomisations } from '../seed/demo.ts';

// jsforce sends every request through https_proxy/http_proxy when set, ignoring NO_PROXY
// (API-NOTES §0); the emulator is local.
for (const name of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY'])
  delete process.env[name];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- error and control bodies are asserted field by field
export type ErrorData = any;

export type Connection = InstanceType<typeof jsforce.Connection>;

export interface Harness {
  readonly emulator: SalesforceEmulator;
  readonly url: string;
  connect(options?: { callOptions?: Record<string, string> }): Promise<Connection>;
  control(
    path: string,
    body?: unknown,
    method?: string,
  ): Promise<{ status: number; body: ErrorData }>;
  close(): Promise<void>;
}

export async function startHarness(options: SalesforceEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startSalesforceEmulator({ port: 0, seed: 'empty', ...options });
  const url = emulator.url;
  const harness: Harness = {
    emulator,
    url,
    async connect(connectOptions = {}) {
      const conn = new jsforce.Connection({
        loginUrl: url,
        version: '59.0',
        oauth2: {
          clientId: emulator.credentials.clientId,
          clientSecret: emulator.credentials.clientSecret,
          loginUrl: url,
        },
        ...(connectOptions.callOptions ? { callOptions: connectOptions.callOptions } : {}),
      });
      await conn.login(emulator.credentials.username, emulator.credentials.password);
      return conn;
    },
    async control(path, body, method = body === undefined ? 'GET' : 'POST') {
      const res = await fetch(`${url}/__emulator/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: () => emulator.close(),
  };
  return harness;
}

/** An empty org with Tandem's custom fields, record types and duplicate rules. */
export async function startCustomisedHarness(
  options: SalesforceEmulatorOptions = {},
): Promise<Harness> {
  const h = await startHarness(options);
  const res = await h.control('seed', tandemCustomisations);
  if (res.status !== 200) throw new Error(`seed failed: ${JSON.stringify(res.body)}`);
  return h;
}

/** The id of a successful save result (jsforce types it as optional). */
export function idOf(result: { id?: string | undefined }): string {
  if (typeof result.id !== 'string') throw new Error(`no id in ${JSON.stringify(result)}`);
  return result.id;
}

/** What jsforce throws, reduced to what the tests assert on. */
export async function failure(
  promise: PromiseLike<unknown>,
): Promise<{ name: string; errorCode: string; message: string; data: ErrorData }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; errorCode?: string; message: string; data?: unknown };
    return { name: e.name, errorCode: e.errorCode ?? e.name, message: e.message, data: e.data };
  }
  throw new Error('expected the call to fail');
}

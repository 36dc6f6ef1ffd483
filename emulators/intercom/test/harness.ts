// Every test talks to the emulator through `validatingFetch`: the unchanged SDK gets it as its
// `fetch`, raw calls use `api()`. Each JSON answer is checked against the OpenAPI 2.14 response
// schema of its operation and must carry the rate-limit headers; a failure is recorded (and
// fails the test at once by throwing), so no response escapes the judge.
import assert from 'node:assert/strict';
import { IntercomClient } from 'intercom-client';
import {
  startIntercomEmulator,
  type IntercomEmulatorOptions,
  type IntercomEmulator,
} from '../index.ts';
import { checkResponse } from './openapi.ts';

/** Test answers are read as loose JSON by assertions; their shape is the OpenAPI check's job. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const schemaFailures: string[] = [];
export let validatedResponses = 0;

export async function validatingFetch(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const response = await fetch(input, init);
  const url = new URL(
    typeof input === 'string' || input instanceof URL ? input.toString() : input.url,
  );
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (url.pathname.startsWith('/__emulator')) return response;
  const text = await response.clone().text();
  const problems: string[] = [];
  for (const header of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
    if (!response.headers.has(header)) problems.push(`missing ${header}`);
  if (url.pathname !== '/auth/eagle/token') {
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      problems.push(`body is not JSON: ${text.slice(0, 80)}`);
    }
    if (problems.length === 0) {
      const asked = new Headers(init?.headers).get('intercom-version');
      const check = checkResponse(
        method,
        url.pathname,
        response.status,
        body,
        asked === '2.16' ? '2.16' : '2.14',
      );
      validatedResponses += 1;
      if (!check.ok)
        problems.push(`does not match ${check.schema}: ${check.errors.slice(0, 5).join('; ')}`);
    }
  }
  if (problems.length > 0) {
    const message = `${method} ${url.pathname} → ${response.status}: ${problems.join(', ')}`;
    schemaFailures.push(message);
    throw new Error(`OpenAPI check failed: ${message}`);
  }
  return response;
}

export interface Harness {
  emu: IntercomEmulator;
  url: string;
  client: IntercomClient;
  api<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  control<T = Json>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(options: IntercomEmulatorOptions = {}): Promise<Harness> {
  const emu = await startIntercomEmulator({ port: 0, seed: 'empty', ...options });
  const client = new IntercomClient({
    token: emu.credentials.accessToken,
    environment: emu.url,
    maxRetries: 0,
    fetch: validatingFetch as typeof fetch,
  });
  return {
    emu,
    url: emu.url,
    client,
    async api(method, path, body, headers = {}) {
      const response = await validatingFetch(emu.url + path, {
        method,
        headers: {
          authorization: `Bearer ${emu.credentials.accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text === '' ? undefined : JSON.parse(text),
        headers: response.headers,
      };
    },
    async control(method, path, body) {
      const response = await fetch(`${emu.url}/__emulator${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const parsed = await response.json();
      assert.ok(
        response.ok,
        `control ${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`,
      );
      return parsed as Json;
    },
    close: () => emu.close(),
  };
}

/** Catches the SDK's error for a call expected to fail. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ statusCode: number | undefined; body: Json }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { statusCode?: number; body?: unknown };
    if (e.statusCode === undefined) throw error;
    return { statusCode: e.statusCode, body: e.body };
  }
  assert.fail('expected the call to fail');
}

export function assertNoSchemaFailures(): void {
  assert.deepEqual(schemaFailures, [], 'responses that do not match the OpenAPI 2.14 description');
}

/** The SDK's generated types drop what some bodies carry (the fields of a oneOf, the search
 * operators >= and <=, a null value), though the SDK sends the body as given: such bodies go
 * through this cast, with the runtime request unchanged. */
export const loose = <T>(value: unknown): T => value as T;

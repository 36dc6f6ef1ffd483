// jsforce hides two things the connector needs: the HTTP status of a failed call (HttpApiError
// carries only errorCode and message) and the response headers (Sforce-Limit-Info, Retry-After).
// It also offers no per-connection timeout or retry settings: they are per-request options of
// its transport. So the connector wraps the connection's transport once, and each connector call
// runs in an AsyncLocalStorage scope that collects the responses seen during that call.
// Rejected: `conn.on('response')` does not exist (the event is on a per-request HttpApi object);
// a custom fetch is not an option jsforce exposes.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ObservedResponse } from './errors.ts';

export interface CallScope {
  last?: ObservedResponse;
}

export interface TransportSettings {
  /** Per-request timeout (jsforce's default is 30 minutes). */
  readonly timeoutMs: number;
  /** jsforce's own retries of GET/PUT/DELETE on 420/429/5xx and network errors. */
  readonly maxRetries: number;
  readonly minRetryDelayMs: number;
}

interface HttpResponseLike {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
}

interface TransportLike {
  httpRequest(request: unknown, options?: Record<string, unknown>): Promise<unknown>;
}

export class ResponseObserver {
  readonly #scopes = new AsyncLocalStorage<CallScope>();
  readonly #onResponse: (response: ObservedResponse) => void;

  constructor(onResponse: (response: ObservedResponse) => void) {
    this.#onResponse = onResponse;
  }

  /**
   * Wraps `conn._transport` (REST) and `conn.oauth2._transport` (token calls) so every response
   * is observed and every request carries our timeout and retries.
   */
  install(connection: unknown, settings: TransportSettings): void {
    const transport = (connection as { _transport?: TransportLike })._transport;
    if (!transport || typeof transport.httpRequest !== 'function')
      throw new Error('jsforce connection has no _transport: the jsforce version changed');
    this.#wrap(transport, settings);
    const oauth = (connection as { oauth2?: { _transport?: TransportLike } }).oauth2?._transport;
    if (oauth && typeof oauth.httpRequest === 'function') this.#wrap(oauth, settings);
  }

  #wrap(transport: TransportLike, settings: TransportSettings): void {
    const original = transport.httpRequest.bind(transport);
    transport.httpRequest = (request, options = {}) => {
      const scope = this.#scopes.getStore();
      const promise = original(request, {
        timeout: settings.timeoutMs,
        retry: {
          maxRetries: settings.maxRetries,
          minTimeout: settings.minRetryDelayMs,
        },
        ...options,
      });
      // The same (stream-carrying) promise goes back to jsforce; this branch only watches.
      promise.then(
        (response) => {
          const observed = toObserved(response);
          if (!observed) return;
          if (scope) scope.last = observed;
          this.#onResponse(observed);
        },
        () => undefined,
      );
      return promise;
    };
  }

  /** Runs one connector call in its own scope; the scope then holds the last response seen. */
  run<T>(scope: CallScope, fn: () => Promise<T>): Promise<T> {
    return this.#scopes.run(scope, fn);
  }
}

function toObserved(response: unknown): ObservedResponse | undefined {
  if (!response || typeof response !== 'object') return undefined;
  const r = response as HttpResponseLike;
  if (typeof r.statusCode !== 'number') return undefined;
  return { status: r.statusCode, headers: r.headers ?? {} };
}

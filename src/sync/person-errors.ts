// What a failed connector call does to a sync job (docs/sync.md, "When a call fails"): a record
// Salesforce or Intercom refuses waits in the needs-attention list and never blocks the others;
// a rate limit waits as long as the system asks; a lost grant pauses until someone reconnects.
import type { ConnectorError } from '../connectors/index.ts';
import { NonRetriableError, RetryAfterError } from '../queue/index.ts';
import type { FailureCategory } from '../store/index.ts';

/** A connector call that failed, thrown inside a sync run and handled once at its edge. */
export class SyncCallError extends Error {
  override readonly name = 'SyncCallError';
  readonly error: ConnectorError;
  /** What Tandem was doing: `create_lead`, `update_salesforce`, `read_contact`, … */
  readonly operation: string;
  constructor(operation: string, error: ConnectorError) {
    const code = error.code === 'validation' ? `${error.code} ${error.errorCode}` : error.code;
    super(`${operation}: ${error.system} ${code}: ${error.message}`);
    this.error = error;
    this.operation = operation;
  }
}

/** The value of a Result, or a SyncCallError naming the operation. */
export function must<T>(
  operation: string,
  result: { ok: true; value: T } | { ok: false; error: ConnectorError },
): T {
  if (!result.ok) throw new SyncCallError(operation, result.error);
  return result.value;
}

/** How long the sync waits before trying a paused connection again. */
export const reconnectWaitMs = 5 * 60_000;

export function categoryOf(error: ConnectorError): FailureCategory {
  switch (error.code) {
    case 'auth_failed':
    case 'session_expired':
      return 'auth';
    case 'permission':
      return 'permission';
    case 'validation':
    case 'duplicate':
      return 'validation';
    case 'rate_limited':
    case 'limit_exceeded':
      return 'limit';
    case 'not_found':
      return 'not_found';
    case 'conflict':
    case 'upstream':
      return 'upstream';
  }
}

export const errorCodeOf = (error: ConnectorError): string | null =>
  error.code === 'validation' ? error.errorCode : (error.upstreamCode ?? null);

export const fieldsOf = (error: ConnectorError): readonly string[] =>
  error.code === 'validation' ? error.fields : [];

/** A refusal that the same call would meet again until someone changes data or permissions. */
export const isRefusal = (error: ConnectorError): boolean =>
  error.code === 'validation' ||
  error.code === 'permission' ||
  error.code === 'duplicate' ||
  (error.code === 'conflict' && error.existingId !== undefined);

export type FailureAction =
  /** Park the record in the needs-attention list; the job ends without retrying. */
  | { readonly kind: 'park'; readonly control: Error }
  /** Pause: the connection needs a person; retry after a few minutes. */
  | { readonly kind: 'reconnect'; readonly control: Error }
  /** Retry (after the delay the error carries, or the engine's default backoff). */
  | { readonly kind: 'retry'; readonly control: Error };

/** The control error a job throws for a failed call (see src/queue/errors.ts). */
export function actionFor(failure: SyncCallError): FailureAction {
  const { error } = failure;
  if (isRefusal(error))
    return { kind: 'park', control: new NonRetriableError(failure.message, { cause: failure }) };
  if (error.code === 'rate_limited')
    return {
      kind: 'retry',
      control: new RetryAfterError(failure.message, error.retryAfterMs, { cause: failure }),
    };
  if (error.code === 'auth_failed' && error.needsReconnect)
    return {
      kind: 'reconnect',
      control: new RetryAfterError(failure.message, reconnectWaitMs, { cause: failure }),
    };
  return { kind: 'retry', control: failure };
}

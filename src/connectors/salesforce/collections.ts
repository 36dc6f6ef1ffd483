// sObject Collections: at most 200 records a call, `allOrNone: false`, one Result per record in
// input order. A call that fails as a whole (session, limits, 5xx) fails every record it carried
// and every record after it: the next chunks would meet the same wall.
import { err, ok, type ConnectorError, type Result } from '../result.ts';
import { mapRecordError } from './errors.ts';

export const collectionLimit = 200;

export function chunk<T>(items: readonly T[], size: number = collectionLimit): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** One entry of a collection answer (`statusCode` per error on the wire; jsforce types say errorCode). */
export interface RawSaveResult {
  readonly id?: string | null;
  readonly success: boolean;
  readonly created?: boolean;
  readonly errors?: readonly {
    readonly statusCode?: string;
    readonly errorCode?: string;
    readonly message?: string;
    readonly fields?: readonly string[];
  }[];
}

export interface Saved {
  readonly id: string;
}
export interface Upserted extends Saved {
  readonly created: boolean;
}

export function toSaved(raw: RawSaveResult): Result<Saved> {
  if (raw.success && raw.id) return ok({ id: raw.id });
  return err(firstError(raw));
}

export function toUpserted(raw: RawSaveResult): Result<Upserted> {
  if (raw.success && raw.id) return ok({ id: raw.id, created: raw.created === true });
  return err(firstError(raw));
}

function firstError(raw: RawSaveResult): ConnectorError {
  const first = raw.errors?.[0];
  if (!first)
    return {
      system: 'salesforce',
      code: 'upstream',
      message: 'Salesforce answered success: false without errors',
    };
  return mapRecordError(first);
}

/**
 * Sends the records chunk by chunk (sequentially: Tandem's writes are not the org's only load)
 * and answers one Result per input record.
 */
export async function inChunks<T>(
  records: readonly Readonly<Record<string, unknown>>[],
  send: (chunk: Readonly<Record<string, unknown>>[]) => Promise<Result<readonly RawSaveResult[]>>,
  convert: (raw: RawSaveResult) => Result<T>,
): Promise<Result<T>[]> {
  const results: Result<T>[] = [];
  let failure: ConnectorError | undefined;
  for (const part of chunk(records)) {
    if (failure) {
      for (let i = 0; i < part.length; i++) results.push(err(failure));
      continue;
    }
    const answer = await send(part);
    if (!answer.ok) {
      failure = answer.error;
      for (let i = 0; i < part.length; i++) results.push(err(failure));
      continue;
    }
    if (answer.value.length !== part.length)
      throw new Error(
        `Salesforce answered ${answer.value.length} results for ${part.length} records`,
      );
    for (const raw of answer.value) results.push(convert(raw));
  }
  return results;
}

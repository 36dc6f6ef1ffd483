// Query cursors behind nextRecordsUrl. A locator is `<cursor>-<offset>` with no '/', since jsforce
// keeps only the last path segment (API-NOTES §2).
import { makeId } from '../ids.ts';
import type { QueryResult } from '../soql/execute.ts';

export interface Cursor {
  readonly result: QueryResult;
  readonly batchSize: number;
  touchedAt: number;
}

const maxCursors = 500;
const idleMs = 15 * 60_000;

export class CursorStore {
  readonly #cursors = new Map<string, Cursor>();
  #counter = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  open(result: QueryResult, batchSize: number): string {
    this.#counter++;
    const key = makeId('0r8', this.#counter).slice(0, 15);
    this.#cursors.set(key, { result, batchSize, touchedAt: this.#now() });
    if (this.#cursors.size > maxCursors) {
      const oldest = this.#cursors.keys().next().value;
      if (oldest !== undefined) this.#cursors.delete(oldest);
    }
    return key;
  }

  /** The cursor and offset a locator names, or undefined when unknown or expired. */
  resolve(locator: string): { cursor: Cursor; key: string; offset: number } | undefined {
    const m = /^([A-Za-z0-9]+)-(\d+)$/.exec(locator);
    if (!m) return undefined;
    const key = m[1] as string;
    const cursor = this.#cursors.get(key);
    if (!cursor || this.#now() - cursor.touchedAt > idleMs) return undefined;
    cursor.touchedAt = this.#now();
    return { cursor, key, offset: Number(m[2]) };
  }

  close(key: string): void {
    this.#cursors.delete(key);
  }

  clear(): void {
    this.#cursors.clear();
  }
}

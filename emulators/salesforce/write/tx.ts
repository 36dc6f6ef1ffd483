// A unit of work over the org: every mutation registers its undo, and change events wait for the
// commit, so an all-or-none request that fails leaves neither records nor events behind.
import type { ChangeEvent, Org } from '../org.ts';

export interface Actor {
  /** The session's user: CreatedById, LastModifiedById, default OwnerId, commitUser. */
  readonly userId: string;
  /** CDC changeOrigin (`com/salesforce/api/rest/59.0;client=tandem`). */
  readonly origin: string;
  /** `Sforce-Duplicate-Rule-Header: allowSave=true`. */
  readonly allowDuplicateSave?: boolean;
}

let transactionCounter = 0;

export class Tx {
  readonly org: Org;
  readonly #undo: (() => void)[] = [];
  readonly #events: ChangeEvent[] = [];
  #key: string | null = null;

  constructor(org: Org) {
    this.org = org;
  }

  /** The CDC transactionKey, made when first needed (most seed writes never need one). */
  get key(): string {
    if (this.#key === null) {
      transactionCounter += 1;
      this.#key = `${this.org.now().toString(16)}-${transactionCounter.toString(16).padStart(8, '0')}`;
    }
    return this.#key;
  }

  onUndo(undo: () => void): void {
    this.#undo.push(undo);
  }

  emit(event: ChangeEvent): void {
    this.#events.push(event);
  }

  /** Index of the undo log, to roll back to a savepoint (one record of a partial batch). */
  savepoint(): { undo: number; events: number } {
    return { undo: this.#undo.length, events: this.#events.length };
  }

  rollbackTo(point: { undo: number; events: number }): void {
    while (this.#undo.length > point.undo) this.#undo.pop()?.();
    this.#events.length = point.events;
  }

  rollback(): void {
    this.rollbackTo({ undo: 0, events: 0 });
  }

  commit(): void {
    if (this.#events.length === 0) return;
    const commitNumber = this.org.nextCommitNumber();
    const commitTimestamp = this.org.now();
    this.#events.forEach((event, i) => {
      event.header.transactionKey = this.key;
      event.header.sequenceNumber = i + 1;
      event.header.commitNumber = commitNumber;
      event.header.commitTimestamp = commitTimestamp;
    });
    this.org.publish(this.#events.splice(0));
    this.#undo.length = 0;
  }
}

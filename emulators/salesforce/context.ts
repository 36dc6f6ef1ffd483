// What the HTTP handlers share: the org and the services around it.
import type { AuthService } from './auth.ts';
import type { ApiLimits } from './limits.ts';
import type { Org } from './org.ts';
import type { CursorStore } from './rest/cursors.ts';
import { Tx } from './write/tx.ts';
import type { Writer } from './write/writer.ts';

export interface EmulatorContext {
  /** Replaced as a whole by a control-plane reset; handlers read it per request. */
  org: Org;
  writer: Writer;
  readonly auth: AuthService;
  readonly limits: ApiLimits;
  readonly cursors: CursorStore;
  /** The emulator's own base URL (known once the server listens). */
  baseUrl: string;
}

/** Runs writes in one transaction: committed (events published) unless `keep` says no. */
export function transact<T>(
  org: Org,
  work: (tx: Tx) => T,
  keep: (result: T) => boolean = () => true,
): T {
  const outer = org.ambientTx;
  if (outer) {
    // Inside an all-or-none composite request: one transaction for every subrequest.
    const point = outer.savepoint();
    const result = work(outer);
    if (!keep(result)) outer.rollbackTo(point);
    return result;
  }
  const tx = new Tx(org);
  let result: T;
  try {
    result = work(tx);
  } catch (error) {
    tx.rollback();
    throw error;
  }
  if (keep(result)) tx.commit();
  else tx.rollback();
  return result;
}

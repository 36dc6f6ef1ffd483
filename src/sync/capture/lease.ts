// Which process runs change capture. With PostgreSQL several `tandem serve` processes may share
// one database, and only one of them should hold the CDC subscription and run the sweeps.
//
// A lease row in `checkpoints` (holder, expiry), taken and renewed with the checkpoint's
// optimistic version, rather than a PostgreSQL advisory lock: an advisory lock lives on one
// session, so it would need a connection held open outside the pool, it is silently lost when
// that connection drops (and the holder does not notice), and `src/sync` may not import `pg`.
// The row works the same on SQLite and PostgreSQL, and says in `tandem doctor`-style listings
// who holds it until when. The price: a process that dies keeps the lease until it expires.
import type { CheckpointsRepository } from '../../store/index.ts';
import { checkpointNames } from './checkpoint.ts';

export interface LeaseValue {
  readonly holder: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** Takes the lease if it is free or expired, renews it if ours; true when we hold it now. */
export async function acquireLease(
  checkpoints: CheckpointsRepository,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const stored = await checkpoints.get(checkpointNames.lease);
  const current = stored?.value as LeaseValue | undefined;
  if (current && current.holder !== holder && current.expiresAt > now) return false;
  const lease: LeaseValue = { holder, expiresAt: now + ttlMs };
  const written = await checkpoints.set(checkpointNames.lease, lease, stored?.version ?? 0);
  return written !== undefined;
}

/** Gives the lease up at once (a graceful stop), if we still hold it. */
export async function releaseLease(
  checkpoints: CheckpointsRepository,
  holder: string,
): Promise<void> {
  const stored = await checkpoints.get(checkpointNames.lease);
  const current = stored?.value as LeaseValue | undefined;
  if (!stored || current?.holder !== holder) return;
  await checkpoints.set(checkpointNames.lease, { holder, expiresAt: 0 }, stored.version);
}

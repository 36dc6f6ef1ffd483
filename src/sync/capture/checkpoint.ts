// Checkpoints of the capture streams and sweeps. Writes carry the version read, so two processes
// never both move one (STYLE convention 7); a stream never moves backwards.
import type { Checkpoint, CheckpointsRepository } from '../../store/index.ts';

export const checkpointNames = {
  cdc: (channel: string) => `salesforce.cdc:${channel}`,
  salesforcePoll: (object: string) => `salesforce.poll:${object}`,
  intercomSweep: 'intercom.sweep:contacts',
  lease: 'capture.lease',
} as const;

export interface ReplayCheckpoint {
  readonly replayId: number;
}

export async function readReplayId(
  checkpoints: CheckpointsRepository,
  channel: string,
): Promise<number | undefined> {
  const stored = await checkpoints.get(checkpointNames.cdc(channel));
  const value = stored?.value as ReplayCheckpoint | undefined;
  return typeof value?.replayId === 'number' ? value.replayId : undefined;
}

/**
 * Stores a replay id unless the stored one is already later (another process, or a replay of
 * events already checkpointed). Retries on a version conflict with what it re-reads.
 */
export async function advanceReplayId(
  checkpoints: CheckpointsRepository,
  channel: string,
  replayId: number,
): Promise<void> {
  const name = checkpointNames.cdc(channel);
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored: Checkpoint | undefined = await checkpoints.get(name);
    const current = (stored?.value as ReplayCheckpoint | undefined)?.replayId;
    if (typeof current === 'number' && current >= replayId) return;
    const written = await checkpoints.set(name, { replayId }, stored?.version ?? 0);
    if (written) return;
  }
  throw new Error(`checkpoint ${name} kept moving under us`);
}

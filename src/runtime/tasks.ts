import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskHandler, TaskList } from '../queue/index.ts';
import type { EventsRepository } from '../store/index.ts';

/** The probe: a job whose only work is to say in the ledger that a worker ran it. */
export const probeTask = 'tandem.probe';

export interface ProbePayload {
  readonly [key: string]: unknown;
  readonly probe: string;
  /** Simulated work, so a probe can stand for a slow job. */
  readonly workMs?: number;
}

/**
 * Tasks every Tandem process can run. `tandem doctor --probe` uses the probe to prove that
 * some worker is taking jobs off the queue.
 */
export function builtinTasks(deps: { events: EventsRepository; workerId: string }): TaskList {
  const probe: TaskHandler<ProbePayload> = async (payload, ctx) => {
    await deps.events.append({
      kind: 'probe.started',
      subject: `probe:${payload.probe}`,
      data: { worker: deps.workerId, job: ctx.jobId, attempt: ctx.attempt },
    });
    if (payload.workMs) await sleep(payload.workMs, undefined, { signal: ctx.signal });
    await deps.events.append({
      kind: 'probe.completed',
      subject: `probe:${payload.probe}`,
      data: { worker: deps.workerId, job: ctx.jobId, attempt: ctx.attempt },
    });
  };
  return { [probeTask]: probe };
}

import { lanes, type AddJobOptions, type JobPayload, type Lane } from './types.ts';

export const defaultMaxAttempts = 25;
export const defaultLane: Lane = 'live';

/** Lane position: 0 for interactive, 2 for bulk. Lower runs first. */
export function laneRank(lane: Lane): number {
  return lanes.indexOf(lane);
}

export function laneAt(rank: number): Lane {
  return lanes[rank] ?? defaultLane;
}

/** The validated, defaulted form of `add`'s arguments, shared by both engines. */
export interface NormalizedJob {
  readonly task: string;
  readonly payload: string;
  readonly jobKey: string | null;
  readonly lane: Lane;
  readonly priority: number;
  /** Epoch ms, or undefined for "now". */
  readonly runAt: number | undefined;
  readonly maxAttempts: number;
}

/** Bad arguments are a bug in the caller: they throw, naming what would be valid. */
export function normalizeJob(
  task: string,
  payload: JobPayload,
  options: AddJobOptions = {},
): NormalizedJob {
  if (typeof task !== 'string' || task.length === 0) throw new TypeError('task must be a name');
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new TypeError(`payload of ${task} must be a JSON object`);
  }
  const lane = options.lane ?? defaultLane;
  if (!lanes.includes(lane)) throw new TypeError(`lane must be one of ${lanes.join(', ')}`);
  const priority = options.priority ?? 0;
  if (!Number.isInteger(priority) || priority < -4999 || priority > 4999) {
    throw new RangeError('priority must be an integer from -4999 to 4999');
  }
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 32767) {
    throw new RangeError('maxAttempts must be an integer from 1 to 32767');
  }
  const runAt = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
  if (runAt !== undefined && !Number.isFinite(runAt)) throw new RangeError('runAt must be a time');
  return {
    task,
    payload: JSON.stringify(payload),
    jobKey: options.jobKey ?? null,
    lane,
    priority,
    runAt,
    maxAttempts,
  };
}

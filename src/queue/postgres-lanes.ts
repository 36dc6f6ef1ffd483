/**
 * Lanes on graphile-worker: one priority scale, lower first, split into bands. A job's
 * priority is `10000 * (laneRank - 1) + priority`, priority in [-4999, 4999], so interactive
 * (-14999..-5001) always precedes live (-4999..4999), which precedes bulk (5001..14999), and
 * graphile-worker's ORDER BY priority, run_at gives lane, then priority, then run time.
 * Rejected: a worker pool per lane (idle lanes keep connections and slots busy for nothing;
 * a busy lane cannot borrow them), and named queues (they serialise their jobs).
 */
export function toGraphilePriority(lane: number, priority: number): number {
  return 10_000 * (lane - 1) + priority;
}

export function fromGraphilePriority(value: number): { laneRank: number; priority: number } {
  const rank = value < -5000 ? 0 : value > 5000 ? 2 : 1;
  return { laneRank: rank, priority: value - 10_000 * (rank - 1) };
}

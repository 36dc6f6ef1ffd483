/** Delay before reconnect attempt `attempt` (1-based): doubling from `baseMs`, capped, jittered. */
export function reconnectDelay(
  attempt: number,
  options: { readonly baseMs: number; readonly maxMs: number },
  random: () => number = Math.random,
): number {
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw / 2 + (raw / 2) * random());
}

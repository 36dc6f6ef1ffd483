/**
 * Runs `work` now and then every `intervalMs` after each run ends (runs never overlap);
 * `trigger()` runs it again as soon as the current run ends. `stop()` waits for a run in flight.
 */
export function repeat(
  intervalMs: number,
  work: () => Promise<void>,
  onError: (error: unknown) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const run = (): void => {
    timer = undefined;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = work()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          timer = setTimeout(run, 0);
        } else timer = setTimeout(run, intervalMs);
      });
  };

  run();
  return {
    trigger(): void {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      run();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type Repeater = ReturnType<typeof repeat>;

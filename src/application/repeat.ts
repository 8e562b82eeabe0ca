/** Background work on a timer: the task sync, reminders, notifications, the procedure watcher. */
export interface Repeating {
  /** Stops the timer and resolves once a round under way has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs` (and at once with `immediately`), never two rounds at the
 * same time: a round still running when the timer fires is not overlapped. A failed round is
 * handed to `onError` and the next one runs as usual. The timer never keeps the process alive.
 */
export function repeat(
  intervalMs: number,
  work: () => Promise<void>,
  onError: (err: unknown) => void,
  options: { readonly immediately?: boolean } = {},
): Repeating {
  let current: Promise<void> | null = null;
  let stopped = false;
  const round = (): void => {
    if (stopped || current) return;
    current = work()
      .catch(onError)
      .finally(() => {
        current = null;
      });
  };
  const timer = setInterval(round, intervalMs);
  timer.unref();
  if (options.immediately) round();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}

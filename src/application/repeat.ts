import type { CommitListener } from './ports/commit-signal.js';

/** Background work on a timer: the task sync, reminders, notifications, the procedure watcher. */
export interface Repeating {
  /** Stops the timer and resolves once a round under way has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs` (and at once with `immediately`), never two rounds at the
 * same time: a round still running when the timer fires is not overlapped. A failed round is
 * handed to `onError` and the next one runs as usual. The timer never keeps the process alive.
 * With `wake`, a signal (a commit) also starts a round on the next turn of the event loop; one
 * raised while a round runs starts another after it, so no write waits for the timer.
 */
export function repeat(
  intervalMs: number,
  work: () => Promise<void>,
  onError: (err: unknown) => void,
  options: { readonly immediately?: boolean; readonly wake?: CommitListener } = {},
): Repeating {
  let current: Promise<void> | null = null;
  let stopped = false;
  let again = false;
  let scheduled = false;
  const round = (): void => {
    if (stopped || current) return;
    current = work()
      .catch(onError)
      .finally(() => {
        current = null;
        if (again) {
          again = false;
          soon();
        }
      });
  };
  const soon = (): void => {
    if (stopped) return;
    if (current) {
      again = true;
      return;
    }
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      round();
    });
  };
  const timer = setInterval(round, intervalMs);
  timer.unref();
  const unsubscribe = options.wake?.subscribe(soon);
  if (options.immediately) round();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
      await current;
    },
  };
}

/** Lets the event loop answer what waits (requests, I/O) before the work goes on. */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/** How long background work runs before it lets requests in. */
export const DEFAULT_SLICE_MS = 10;

/**
 * Cuts a long run of background work into slices: `await slices.pause()` between items gives
 * the event loop a turn once the slice has run `maxMs`, so a request never waits on a whole
 * job, only on the slice under way.
 */
export class TimeSlices {
  private started = performance.now();
  /** Slices given up so far. */
  yields = 0;

  constructor(private readonly maxMs: number = DEFAULT_SLICE_MS) {}

  async pause(): Promise<void> {
    if (performance.now() - this.started < this.maxMs) return;
    await yieldToEventLoop();
    this.yields += 1;
    this.started = performance.now();
  }
}

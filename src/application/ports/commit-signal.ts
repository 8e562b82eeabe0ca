/**
 * Raised in process after a write commits, so that background work that reads the feed of
 * writes (the notifier) starts at once instead of polling the store every few hundred
 * milliseconds while requests wait. Other processes sharing the store are still found by the
 * workers' slow fallback poll.
 */
export interface CommitListener {
  subscribe(listener: () => void): () => void;
}

export class CommitSignal implements CommitListener {
  private readonly listeners = new Set<() => void>();

  raise(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Calls `listener` after every commit until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

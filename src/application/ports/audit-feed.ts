/**
 * The writes of CARs, in the order they were written, for readers that act on them (the
 * notifier). Each store has its own adapter: the SQLite audit trail read by sequence, the
 * SharePoint audit list read by time with an overlap.
 */

/** One write of a CAR: an operation by someone, at a time. */
export interface CarChange {
  /**
   * Names this write, the same on every read and every instance: consumers key what they do
   * about it on this id (a feed may answer a write again after a crash or on another instance).
   */
  readonly id: string;
  readonly carId: string;
  readonly operation: string;
  readonly actorId: string;
  readonly at: string;
}

export interface AuditFeed {
  /**
   * Up to `limit` changes after the position `after` (null: from the beginning), oldest first.
   * `next` is the position to read from next time, or null when nothing new was found (keep
   * `after`). Positions are opaque text; store them, do not parse them.
   */
  read(
    after: string | null,
    limit: number,
  ): Promise<{ readonly changes: readonly CarChange[]; readonly next: string | null }>;

  /** The position after every change written so far: a new reader starts there. */
  head(): Promise<string | null>;
}

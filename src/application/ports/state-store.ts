/**
 * Small records that must outlive a restart and be shared by every running instance of
 * Rectify: processed card actions, conversation references, outbox entries, feed cursors,
 * links between actions and board tasks, sent reminders, meetings.
 *
 * Every record has a unique key and an etag. A create never overwrites (the unique key is what
 * makes creates idempotent), and a replace needs the etag the caller read (compare-and-set), so
 * several instances can share one store without a lock. Adapters: a table in the embedded
 * SQLite file, a list on the SharePoint site.
 */
import { RectifyError } from '../../domain/errors.js';

export interface StateRecord {
  readonly key: string;
  /** What the record is ("outbox", "task-link", ...); queries are per kind. */
  readonly kind: string;
  /** Any JSON value; consumers parse it with their own zod schema. */
  readonly value: unknown;
  /** Opaque concurrency token of this version of the record. */
  readonly etag: string;
  /** When the record next needs attention (an outbox entry's next attempt); null for never. */
  readonly dueAt: string | null;
  readonly updatedAt: string;
}

export interface NewStateRecord {
  readonly key: string;
  readonly kind: string;
  readonly value: unknown;
  readonly dueAt: string | null;
}

export interface StateChange {
  readonly value: unknown;
  readonly dueAt: string | null;
}

export interface StateStore {
  get(key: string): Promise<StateRecord | null>;

  /**
   * Stores the record unless its key exists. Either way answers with what is stored and whether
   * this call created it: two instances creating the same key get one `created: true`.
   */
  createIfAbsent(record: NewStateRecord): Promise<{ record: StateRecord; created: boolean }>;

  /**
   * Replaces the value if the stored etag still equals `etag`. Answers the new version, or null
   * when someone else changed (or deleted) the record first; nothing is written then.
   */
  replace(key: string, etag: string, change: StateChange): Promise<StateRecord | null>;

  /** Records of a kind whose `dueAt` is at or before `before`, earliest first. */
  due(kind: string, before: string, limit: number): Promise<readonly StateRecord[]>;

  /** Records of a kind whose key starts with `prefix`, in key order, after the key `after`. */
  list(
    kind: string,
    options: { readonly prefix?: string; readonly after?: string; readonly limit: number },
  ): Promise<readonly StateRecord[]>;
}

/** The longest key: a SharePoint single line of text holds 255 characters. */
export const MAX_STATE_KEY_LENGTH = 255;
/** The longest stored value, as JSON text (well inside a SharePoint note column). */
export const MAX_STATE_VALUE_LENGTH = 60_000;
/** The most records one `due` or `list` call answers. */
export const MAX_STATE_PAGE = 1000;

const KIND = /^[a-z][a-z0-9.-]{0,63}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function invalid(message: string, details: Record<string, unknown>): RectifyError {
  return new RectifyError('STATE.INVALID', details, message);
}

/** A key is 1 to 255 characters with no control characters. */
export function checkStateKey(key: string, field = 'key'): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_STATE_KEY_LENGTH)
    throw invalid(`a state ${field} is 1 to ${MAX_STATE_KEY_LENGTH} characters`, { field });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key))
    throw invalid(`a state ${field} has no control characters`, { field });
  return key;
}

/** A kind is a short lower-case word ("outbox", "task-link", "bot.invoke"). */
export function checkStateKind(kind: string): string {
  if (typeof kind !== 'string' || !KIND.test(kind))
    throw invalid('a state kind is 1 to 64 characters of a-z, 0-9, "." and "-"', { kind });
  return kind;
}

/**
 * An instant in the one form every adapter compares as text: `YYYY-MM-DDTHH:MM:SS.sssZ`
 * (what `Date.prototype.toISOString` writes).
 */
export function checkStateInstant(at: string, field: string): string {
  if (typeof at !== 'string' || !ISO_INSTANT.test(at) || new Date(at).toISOString() !== at)
    throw invalid(`${field} must read YYYY-MM-DDTHH:MM:SS.sssZ`, { field, value: at });
  return at;
}

export function checkStateDue(dueAt: string | null): string | null {
  return dueAt === null ? null : checkStateInstant(dueAt, 'dueAt');
}

export function checkStatePage(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_STATE_PAGE)
    throw invalid(`a limit is a whole number from 1 to ${MAX_STATE_PAGE}`, { limit });
  return limit;
}

/** The value as JSON text; refuses what JSON cannot carry and values over the size limit. */
export function encodeStateValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw invalid('a state value must be JSON', { reason: (e as Error).message });
  }
  if ((text as string | undefined) === undefined)
    throw invalid('a state value must be JSON', { reason: 'undefined' });
  if (text.length > MAX_STATE_VALUE_LENGTH)
    throw invalid(`a state value is at most ${MAX_STATE_VALUE_LENGTH} characters of JSON`, {
      length: text.length,
    });
  return text;
}

/** The first string after every string that starts with `prefix` (code point order). */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}

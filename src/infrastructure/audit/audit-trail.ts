import { z } from 'zod';
import type { AuditEntry, AuditRecord, FieldChange } from '../../domain/audit/audit-entry.js';
import { AuditSeal, digestOf, sameMac } from './audit-seal.js';
import { canonicalJson } from './hash-chain.js';

/**
 * The audit trail, independent of where it is stored. One entry per operation on a CAR, with
 * every field it changed inside. Each entry is stored as one JSON text and authenticated by an
 * HMAC over exactly that text (what is written is what is verified), and it names:
 *
 * - the CAR and its own entry number (1, 2, 3 ... per CAR, no gaps),
 * - the MAC of the CAR's previous entry (a chain per CAR),
 * - the digest (SHA-256) of the CAR record as this operation stored it,
 * - the store it belongs to, so that entries cannot be carried from one store to another.
 *
 * The CAR keeps the head (number and MAC of its last entry), and the head entry's record digest
 * must match the stored record: an edited record, an edited or deleted entry, a reordered or
 * forged one shows. A trail cut back to an earlier entry together with its record is caught by
 * the signed checkpoints kept outside the store (checkpoints.ts).
 */

/** The `prev` of a CAR's first entry. */
export const GENESIS_MAC = '0'.repeat(64);

export interface TrailEntry {
  readonly v: 2;
  readonly store: string;
  readonly kid: string;
  readonly carId: string;
  readonly seq: number;
  readonly prev: string;
  readonly operation: string;
  readonly actor: { readonly id: string; readonly name: string };
  readonly at: string;
  readonly reason: string | null;
  readonly changes: readonly FieldChange[];
  /** SHA-256 of the stored CAR record after this operation. */
  readonly record: string;
}

/** An entry as stored: its exact text and the MAC over it. */
export interface StoredEntry {
  readonly text: string;
  readonly mac: string;
}

export interface SealedEntry extends StoredEntry {
  readonly entry: TrailEntry;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const TrailEntrySchema = z.object({
  v: z.literal(2),
  store: z.string().min(1),
  kid: z.string().min(1),
  carId: z.string().min(1),
  seq: z.number().int().min(1),
  prev: hex64,
  operation: z.string(),
  actor: z.object({ id: z.string(), name: z.string() }),
  at: z.string(),
  reason: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), oldValue: z.unknown(), newValue: z.unknown() })),
  record: hex64,
});

/** The head a CAR keeps: its last entry's number and MAC. */
export interface TrailHead {
  readonly seq: number;
  readonly mac: string;
}

export const NO_HEAD: TrailHead = { seq: 0, mac: GENESIS_MAC };

export const headText = (head: TrailHead): string => `${head.seq}:${head.mac}`;

export function parseHeadText(text: string): TrailHead | null {
  const m = /^(\d{1,12}):([0-9a-f]{64})$/.exec(text);
  return m ? { seq: Number(m[1]), mac: m[2] as string } : null;
}

/** Seals the entry of one operation, after `head` (NO_HEAD for a new CAR). */
export function sealEntry(
  seal: AuditSeal,
  input: {
    readonly store: string;
    readonly head: TrailHead;
    readonly audit: AuditRecord;
    readonly extra: readonly FieldChange[];
    /** The CAR record exactly as it will be stored. */
    readonly recordText: string;
    /** Only when carrying over an older trail: the record's digest is not known (GENESIS_MAC). */
    readonly recordUnknown?: boolean;
  },
): SealedEntry {
  const { audit } = input;
  const entry: TrailEntry = {
    v: 2,
    store: input.store,
    kid: seal.keyId,
    carId: audit.carId,
    seq: input.head.seq + 1,
    prev: input.head.mac,
    operation: audit.operation,
    actor: { id: audit.actor.id, name: audit.actor.name },
    at: audit.at,
    reason: audit.reason,
    changes: [...audit.changes, ...input.extra].map((c) => ({
      field: c.field,
      oldValue: c.oldValue ?? null,
      newValue: c.newValue ?? null,
    })),
    record: input.recordUnknown === true ? GENESIS_MAC : digestOf(input.recordText),
  };
  const text = canonicalJson(entry);
  // What is stored must read back as what was sealed, value for value.
  const back = TrailEntrySchema.safeParse(JSON.parse(text));
  if (!back.success) throw new Error(`audit entry of CAR ${audit.carId} does not seal`);
  return { text, mac: seal.entryMac(text), entry: back.data };
}

/** Reads a stored entry without checking it (for showing the history). */
export function readEntry(stored: StoredEntry): TrailEntry {
  let json: unknown;
  try {
    json = JSON.parse(stored.text);
  } catch (e) {
    throw new Error('an audit entry is not JSON', { cause: e });
  }
  const parsed = TrailEntrySchema.safeParse(json);
  if (!parsed.success) throw new Error('an audit entry does not match its schema');
  return parsed.data;
}

export function auditEntryOf(stored: StoredEntry): AuditEntry {
  const e = readEntry(stored);
  return {
    sequence: e.seq,
    carId: e.carId,
    operation: e.operation,
    changes: e.changes,
    actor: e.actor,
    at: e.at,
    reason: e.reason,
    hash: stored.mac,
  };
}

export type TrailProblemKind =
  /** The MAC does not match the text: the entry was edited or made without the key. */
  | 'entry_forged'
  /** Not an entry any more (not JSON, not the schema). */
  | 'entry_unreadable'
  /** Sealed with another key (key id differs). */
  | 'other_key'
  /** Entry of another CAR or another store. */
  | 'misplaced'
  /** Entry number out of order (deleted, inserted or reordered entries). */
  | 'sequence_gap'
  /** `prev` is not the MAC of the entry before. */
  | 'chain_broken'
  /** The CAR's head does not name the last entry (truncated or extended trail). */
  | 'head_mismatch'
  /** The stored record is not the one the head entry sealed. */
  | 'record_mismatch'
  /** A column kept beside the record (for filtering, sorting) says something the record does not. */
  | 'column_mismatch'
  /** A checkpoint saw more entries than the trail has now. */
  | 'truncated'
  /** A checkpoint saw another entry at that number. */
  | 'rewritten'
  /** A checkpointed CAR is no longer in the store. */
  | 'car_missing'
  /** A checkpoint line whose signature does not hold. */
  | 'checkpoint_forged';

export interface TrailProblem {
  readonly carId: string;
  /** The entry concerned, when there is one. */
  readonly sequence: number | null;
  readonly kind: TrailProblemKind;
  readonly detail: string;
}

export interface TrailVerdict {
  readonly carId: string;
  readonly count: number;
  readonly problems: readonly TrailProblem[];
}

/** The last checkpointed head of a CAR. */
export interface CheckpointedHead extends TrailHead {
  readonly at: string;
}

/**
 * Checks one CAR: every entry (reporting each broken one, not only the first), the chain, the
 * head, the record and, when given, the checkpoint.
 */
export function verifyCarTrail(input: {
  readonly seal: AuditSeal;
  readonly store: string;
  readonly carId: string;
  /** In the order the store gives them (by entry number). */
  readonly entries: Iterable<StoredEntry>;
  /** The head the CAR keeps; null when the CAR itself is gone. */
  readonly head: TrailHead | null;
  /** The CAR record exactly as stored; null when the CAR itself is gone. */
  readonly recordText: string | null;
  /** What the store found wrong with the columns kept beside the record. */
  readonly columnProblems?: readonly string[];
  readonly checkpoint?: CheckpointedHead | null;
}): TrailVerdict {
  const { seal, carId } = input;
  const problems: TrailProblem[] = [];
  const flag = (sequence: number | null, kind: TrailProblemKind, detail: string): void => {
    problems.push({ carId, sequence, kind, detail });
  };
  const macs: string[] = [];
  let prevMac = GENESIS_MAC;
  let expected = 1;
  let count = 0;
  let last: { entry: TrailEntry | null; mac: string; seq: number } | null = null;
  for (const stored of input.entries) {
    count += 1;
    let entry: TrailEntry | null = null;
    try {
      entry = readEntry(stored);
    } catch (e) {
      flag(expected, 'entry_unreadable', e instanceof Error ? e.message : String(e));
    }
    const seq = entry?.seq ?? expected;
    if (entry) {
      if (entry.kid !== seal.keyId)
        flag(seq, 'other_key', `sealed with key ${entry.kid}, not ${seal.keyId}`);
      else if (!sameMac(seal.entryMac(stored.text), stored.mac))
        flag(seq, 'entry_forged', 'the entry does not match its MAC');
      if (entry.carId !== carId || entry.store !== input.store)
        flag(seq, 'misplaced', `the entry belongs to CAR ${entry.carId} in store ${entry.store}`);
      if (entry.seq !== expected)
        flag(seq, 'sequence_gap', `entry #${entry.seq} where #${expected} was due`);
      else if (entry.prev !== prevMac)
        flag(seq, 'chain_broken', `entry #${entry.seq} does not follow the entry before it`);
    }
    macs[seq - 1] = stored.mac;
    prevMac = stored.mac;
    expected = seq + 1;
    last = { entry, mac: stored.mac, seq };
  }

  if (input.head !== null) {
    const lastSeq = last?.seq ?? 0;
    const lastMac = last?.mac ?? GENESIS_MAC;
    if (input.head.seq !== lastSeq || !sameMac(input.head.mac, lastMac))
      flag(
        input.head.seq,
        'head_mismatch',
        `the CAR's head names entry #${input.head.seq}; the trail ends at #${lastSeq}`,
      );
    else if (
      last?.entry &&
      input.recordText !== null &&
      last.entry.record !== digestOf(input.recordText)
    )
      flag(lastSeq, 'record_mismatch', `the stored record is not the one entry #${lastSeq} sealed`);
  } else if (count > 0) {
    flag(null, 'car_missing', 'the trail is there but the CAR is not');
  }
  for (const column of input.columnProblems ?? [])
    flag(last?.seq ?? null, 'column_mismatch', column);

  const cp = input.checkpoint;
  if (cp) {
    if (cp.seq > count)
      flag(
        cp.seq,
        'truncated',
        `the checkpoint of ${cp.at} saw entry #${cp.seq}; the trail has ${count}`,
      );
    else if (!sameMac(macs[cp.seq - 1] ?? '', cp.mac))
      flag(cp.seq, 'rewritten', `entry #${cp.seq} is not the one the checkpoint of ${cp.at} saw`);
  }
  return { carId, count, problems };
}

/**
 * What the API checks before it serves or changes a CAR: the head entry is authentic, is the
 * head, and sealed this very record. Null when it holds, else what is wrong.
 */
export function checkRecordAgainstHead(input: {
  readonly seal: AuditSeal;
  readonly store: string;
  readonly carId: string;
  readonly head: TrailHead | null;
  readonly headEntry: StoredEntry | null;
  readonly recordText: string;
}): string | null {
  const { head, headEntry } = input;
  if (head === null || headEntry === null) return 'the record has no audit head';
  if (!sameMac(input.seal.entryMac(headEntry.text), headEntry.mac))
    return 'the head entry does not match its MAC';
  if (!sameMac(head.mac, headEntry.mac)) return 'the head names another entry';
  let entry: TrailEntry;
  try {
    entry = readEntry(headEntry);
  } catch {
    return 'the head entry is unreadable';
  }
  if (entry.carId !== input.carId || entry.store !== input.store || entry.seq !== head.seq)
    return 'the head entry belongs elsewhere';
  if (entry.record !== digestOf(input.recordText))
    return 'the record is not the one its head sealed';
  return null;
}

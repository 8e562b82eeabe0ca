import { createHash } from 'node:crypto';

/**
 * The tamper-evident audit trail, independent of where it is stored: every entry's hash seals
 * its content and the previous entry's hash, so altering, inserting or deleting an entry
 * breaks the chain from that entry on.
 */

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers. Values are the JSON text exactly as stored. */
export interface ChainContent {
  readonly sequence: number;
  readonly carId: string;
  readonly operation: string;
  readonly field: string;
  /** JSON text, as stored (see `toStoredJson`). */
  readonly oldValue: string;
  /** JSON text, as stored (see `toStoredJson`). */
  readonly newValue: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly actorName: string;
  readonly at: string;
}

export interface ChainedRow extends ChainContent {
  readonly prevHash: string;
  readonly hash: string;
}

export type ChainBreak = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';

export type ChainVerification =
  | { readonly ok: true; readonly count: number }
  | {
      readonly ok: false;
      /** Entries verified before the broken one. */
      readonly count: number;
      readonly firstBroken: { readonly sequence: number; readonly reason: ChainBreak };
    };

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  const sorted = sortKeys(value);
  // JSON.stringify gives undefined (despite its type) for these; a stored value is never absent.
  if (sorted === undefined || typeof sorted === 'function' || typeof sorted === 'symbol')
    return 'null';
  return JSON.stringify(sorted);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const withJson = value as { toJSON?: unknown };
  if (typeof withJson.toJSON === 'function') return sortKeys((withJson.toJSON as () => unknown)());
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** How a field value is stored in the trail: canonical JSON, `undefined` as null. */
export const toStoredJson = (value: unknown): string => canonicalJson(value ?? null);

export function entryHash(prevHash: string, content: ChainContent): string {
  const sealed: ChainContent = {
    sequence: content.sequence,
    carId: content.carId,
    operation: content.operation,
    field: content.field,
    oldValue: content.oldValue,
    newValue: content.newValue,
    reason: content.reason,
    actorId: content.actorId,
    actorName: content.actorName,
    at: content.at,
  };
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(sealed)}`, 'utf8')
    .digest('hex');
}

/** Chains `content` after an entry whose hash is `prevHash` (GENESIS_HASH for the first). */
export const chainEntry = (prevHash: string, content: ChainContent): ChainedRow => ({
  ...content,
  prevHash,
  hash: entryHash(prevHash, content),
});

/** Walks the trail in sequence order (starting at 1) and reports the first broken entry. */
export function verifyChain(entries: Iterable<ChainedRow>): ChainVerification {
  let prevHash = GENESIS_HASH;
  let expected = 1;
  let count = 0;
  for (const row of entries) {
    const reason: ChainBreak | null =
      row.sequence !== expected
        ? 'sequence_gap'
        : row.prevHash !== prevHash
          ? 'prev_hash_mismatch'
          : entryHash(prevHash, row) !== row.hash
            ? 'hash_mismatch'
            : null;
    if (reason !== null)
      return { ok: false, count, firstBroken: { sequence: row.sequence, reason } };
    prevHash = row.hash;
    expected += 1;
    count += 1;
  }
  return { ok: true, count };
}

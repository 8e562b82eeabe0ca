import type { PersonRef } from '../identity.js';

/** One changed field, as the application hands it to the store. Values are JSON-able. */
export interface FieldChange {
  readonly field: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
}

/** What happened to a CAR in one operation: who, when, why, and every field that changed. */
export interface AuditRecord {
  readonly carId: string;
  readonly operation: string;
  readonly actor: PersonRef;
  readonly at: string;
  readonly reason: string | null;
  readonly changes: readonly FieldChange[];
}

/**
 * One appended entry of a CAR's audit trail: one operation, with every field it changed.
 * Sequences number a CAR's entries 1, 2, 3 ... without gaps; `hash` is the entry's MAC.
 */
export interface AuditEntry {
  readonly sequence: number;
  readonly carId: string;
  readonly operation: string;
  readonly actor: PersonRef;
  readonly at: string;
  readonly reason: string | null;
  readonly changes: readonly FieldChange[];
  readonly hash: string;
}

type Json = unknown;

const isPlainObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isEntityList = (v: Json): v is Record<string, Json>[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => isPlainObject(x) && typeof x.id === 'string');

const same = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The field-level changes between two snapshots. Objects are walked (`report.title`), lists of
 * entities with an `id` are keyed by it (`actions[a1].status`), anything else is one value.
 */
export function diffFields(before: Json, after: Json, path = ''): FieldChange[] {
  if (same(before, after)) return [];
  const bothObjects = isPlainObject(before) && isPlainObject(after);
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) =>
      diffFields(before[k] ?? null, after[k] ?? null, path ? `${path}.${k}` : k),
    );
  }
  const lists =
    (isEntityList(before) || isEntityList(after)) && Array.isArray(before) && Array.isArray(after);
  if (lists) {
    const byId = (xs: Json[]): Map<string, Json> =>
      new Map(xs.filter(isPlainObject).map((x) => [String(x.id), x]));
    const b = byId(before);
    const a = byId(after);
    const ids = [...new Set([...b.keys(), ...a.keys()])];
    return ids.flatMap((id) => {
      const old = b.get(id) ?? null;
      const neu = a.get(id) ?? null;
      const at = `${path}[${id}]`;
      return old === null || neu === null
        ? [{ field: at, oldValue: old, newValue: neu }]
        : diffFields(old, neu, at);
    });
  }
  return [{ field: path, oldValue: before ?? null, newValue: after ?? null }];
}

import type { AuditEntry, AuditRecord, FieldChange } from '../../domain/audit/audit-entry.js';
import {
  chainEntry,
  toStoredJson,
  verifyChain,
  type ChainVerification,
  type ChainedRow,
} from '../audit/hash-chain.js';
import {
  AUDIT_SELECT,
  auditEntryOf,
  auditRowsOf,
  storedCarOf,
  type AuditItemFields,
} from './car-list-mapper.js';
import { A, C } from './rectify-lists.js';
import { odataString, type BatchResult } from './sharepoint-list-client.js';
import { failure, mustHave, type RectifyListAccess } from './rectify-list-access.js';

/**
 * The audit trail of the SharePoint store: the hash-chained rows of each write, one audit item
 * per write keyed by its unique write id, and the head of the chain on the CAR item. Writing a
 * trail item and reading a CAR's trail back live here, and only here.
 */

export class CarAuditTrail {
  constructor(private readonly access: RectifyListAccess) {}

  /** Creates an audit item that may already exist (its write id is unique): 201 or 409 is fine. */
  async ensureAudit(result: BatchResult | undefined, fields: AuditItemFields): Promise<void> {
    if (result && (result.status === 201 || result.status === 409)) return;
    if (result && result.status === 500) {
      const found = await this.access.findOne('audit', A.writeId, fields[A.writeId], [A.writeId]);
      if (found) return;
    }
    const results = await this.access.send([
      { id: 'audit', method: 'POST', url: this.access.itemsUrl('audit'), body: { fields } },
    ]);
    const r = mustHave(results, 'audit');
    if (r.status === 201 || r.status === 409) return;
    // A duplicate write id (SharePoint answers 500) means the item is stored: look it up.
    const found = await this.access.findOne('audit', A.writeId, fields[A.writeId], [A.writeId]);
    if (!found) throw failure(r, 'appending to the audit trail');
  }

  async history(carId: string): Promise<readonly AuditEntry[]> {
    const [items, carItem] = await Promise.all([
      this.access.queryAll('audit', `fields/${A.carId} eq ${odataString(carId)}`, AUDIT_SELECT),
      this.access.findOne('cars', C.carId, carId),
    ]);
    const byWrite = new Map(items.map((i) => [String(i.fields[A.writeId]), i.fields]));
    if (carItem) {
      // The audit item of the last write may have been lost between the two requests: add it.
      const { meta } = storedCarOf(carItem);
      if (meta.lastAudit && !byWrite.has(meta.writeId)) {
        await this.ensureAudit(undefined, meta.lastAudit);
        byWrite.set(meta.writeId, meta.lastAudit);
      }
    }
    const rows = [...byWrite.values()]
      .flatMap((fields) => auditRowsOf(fields, `audit item of CAR ${carId}`))
      .sort((a, b) => a.sequence - b.sequence);
    return rows.map(auditEntryOf);
  }

  /**
   * Checks a CAR's trail: one unbroken hash chain from its first entry, ending at the head the
   * CAR item holds (so a deleted tail shows too).
   */
  async verifyTrail(carId: string): Promise<ChainVerification> {
    const [items, carItem] = await Promise.all([
      this.access.queryAll('audit', `fields/${A.carId} eq ${odataString(carId)}`, AUDIT_SELECT),
      this.access.findOne('cars', C.carId, carId),
    ]);
    const rows = items
      .flatMap((i) => auditRowsOf(i.fields, `audit item ${i.id}`))
      .sort((a, b) => a.sequence - b.sequence);
    const verdict = verifyChain(rows);
    if (!verdict.ok || !carItem) return verdict;
    const { meta } = storedCarOf(carItem);
    const last = rows.at(-1);
    if (meta.auditHead.sequence !== (last?.sequence ?? 0))
      return {
        ok: false,
        count: verdict.count,
        firstBroken: { sequence: (last?.sequence ?? 0) + 1, reason: 'sequence_gap' },
      };
    if (last && meta.auditHead.hash !== last.hash)
      return {
        ok: false,
        count: verdict.count - 1,
        firstBroken: { sequence: last.sequence, reason: 'hash_mismatch' },
      };
    return verdict;
  }
}

export function chainRows(
  head: { readonly sequence: number; readonly hash: string },
  audit: AuditRecord,
  extra: readonly FieldChange[],
): ChainedRow[] {
  const changes = [...audit.changes, ...extra];
  // An operation that changed no field is still recorded: who did what, when and why.
  const list = changes.length > 0 ? changes : [{ field: '*', oldValue: null, newValue: null }];
  let prevHash = head.hash;
  let sequence = head.sequence;
  return list.map((change) => {
    sequence += 1;
    const row = chainEntry(prevHash, {
      sequence,
      carId: audit.carId,
      operation: audit.operation,
      field: change.field,
      oldValue: toStoredJson(change.oldValue),
      newValue: toStoredJson(change.newValue),
      reason: audit.reason,
      actorId: audit.actor.id,
      actorName: audit.actor.name,
      at: audit.at,
    });
    prevHash = row.hash;
    return row;
  });
}

export const headOf = (rows: readonly ChainedRow[]): { sequence: number; hash: string } => {
  const last = rows.at(-1);
  if (!last) throw new Error('a write has at least one audit row');
  return { sequence: last.sequence, hash: last.hash };
};

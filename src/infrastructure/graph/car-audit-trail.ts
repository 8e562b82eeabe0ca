import type { AuditEntry, AuditRecord, FieldChange } from '../../domain/audit/audit-entry.js';
import { RectifyError } from '../../domain/errors.js';
import type { AuditSeal } from '../audit/audit-seal.js';
import {
  NO_HEAD,
  auditEntryOf,
  sealEntry,
  verifyCarTrail,
  type StoredEntry,
  type TrailHead,
  type TrailProblem,
  type TrailVerdict,
} from '../audit/audit-trail.js';
import { latestCheckpoints } from '../audit/checkpoints.js';
import { indexedFieldsOf, storedCarOf } from './car-list-mapper.js';
import {
  AUDIT_SELECT,
  checkCarItem,
  checkpointItemFields,
  columnProblemsOfItem,
  signedCheckpointOf,
  storedEntryOfItem,
  trailItemFields,
  type AuditItemFields,
} from './graph-car-trail.js';
import { A, C, K } from './rectify-lists.js';
import {
  odataString,
  type BatchResult,
  type BatchStep,
  type ListItem,
} from './sharepoint-list-client.js';
import { failure, mustHave, type RectifyListAccess } from './rectify-list-access.js';

/**
 * The audit trail of the SharePoint store (issue 14): one HMAC-sealed entry per operation,
 * numbered per CAR, on the audit list (keyed by its unique write id); the head on the CAR item,
 * checked on every read; a signed checkpoint of every head, written in the same $batch as the
 * CAR write. Sealing, checking and reading a CAR's trail back live here, and only here; the
 * item fields are in graph-car-trail.ts.
 */

export interface CarAuditTrailOptions {
  /** The organisation's time zone: the date-only columns a record gives (UTC when not given). */
  readonly timeZone?: string | undefined;
  /** Told when a CAR item fails its integrity check on read (before CAR.INTEGRITY_FAILED). */
  readonly onIntegrityFailure?: ((carId: string, problem: string) => void) | undefined;
}

/** What one write adds to the trail: the new head, its audit item and its checkpoint item. */
export interface SealedWrite {
  readonly head: TrailHead;
  readonly lastAudit: AuditItemFields;
  readonly checkpoint: Record<string, unknown>;
}

/** What audit:verify reports for the whole store. */
export interface StoreVerdict {
  readonly cars: number;
  readonly entries: number;
  readonly checkpoints: boolean;
  readonly broken: TrailVerdict[];
  readonly other: TrailProblem[];
  readonly names: [string, string][];
}

export type CarCheckpoint = Parameters<typeof verifyCarTrail>[0]['checkpoint'];

export class CarAuditTrail {
  /** The store every audit entry names: the CAR list (its id is unique and never reused). */
  private readonly store: string;

  constructor(
    private readonly access: RectifyListAccess,
    private readonly seal: AuditSeal,
    private readonly options: CarAuditTrailOptions = {},
  ) {
    this.store = access.ids.cars;
  }

  /** A CAR item as read, once its record and columns are the ones its head sealed. */
  readItem(item: ListItem): ReturnType<typeof storedCarOf> {
    const read = storedCarOf(item);
    const { car, updatedAt } = read.stored;
    const problem = checkCarItem({
      seal: this.seal,
      store: this.store,
      car,
      fields: item.fields,
      head: read.meta.auditHead,
      lastAudit: read.meta.lastAudit,
      expected: indexedFieldsOf(car, updatedAt, this.options.timeZone),
    });
    if (problem !== null) {
      this.options.onIntegrityFailure?.(car.id, problem);
      throw new RectifyError('CAR.INTEGRITY_FAILED', { id: car.id, problem });
    }
    return read;
  }

  /** Seals the entry of this write after `head`, and builds the audit and checkpoint items. */
  sealWrite(
    head: TrailHead,
    audit: AuditRecord,
    extra: readonly FieldChange[],
    writeId: string,
    recordText: string,
  ): SealedWrite {
    const sealed = sealEntry(this.seal, { store: this.store, head, audit, extra, recordText });
    const next = { seq: sealed.entry.seq, mac: sealed.mac };
    return {
      head: next,
      lastAudit: trailItemFields(writeId, sealed),
      checkpoint: checkpointItemFields(this.seal, this.store, audit.carId, next, audit.at),
    };
  }

  /**
   * The checkpoint item's step, in the batch's one sequential chain after `after` (Graph runs
   * only parallel, sequential or one-root batches:
   * https://learn.microsoft.com/en-us/graph/known-issues#json-batching).
   */
  checkpointStep(fields: Record<string, unknown>, after: string): BatchStep {
    return {
      id: 'checkpoint',
      method: 'POST',
      url: this.access.itemsUrl('checkpoints'),
      body: { fields },
      dependsOn: [after],
    };
  }

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
      const { meta } = this.readItem(carItem);
      if (meta.lastAudit && !byWrite.has(meta.writeId)) {
        await this.ensureAudit(undefined, meta.lastAudit);
        byWrite.set(meta.writeId, meta.lastAudit);
      }
    }
    return [...byWrite.values()]
      .map((fields) => auditEntryOf(storedEntryOfItem(fields, `audit item of CAR ${carId}`)))
      .sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * Checks one CAR: every audit item (each broken one is reported), the chain, the head the CAR
   * item keeps, its record and its indexed columns, and the last checkpoint when given.
   */
  async verifyCar(carId: string, checkpoint: CarCheckpoint = null): Promise<TrailVerdict> {
    const [items, carItem] = await Promise.all([
      this.access.queryAll('audit', `fields/${A.carId} eq ${odataString(carId)}`, AUDIT_SELECT),
      this.access.findOne('cars', C.carId, carId),
    ]);
    const extra: TrailProblem[] = [];
    const columnProblems: string[] = [];
    let head: TrailHead | null = null;
    let recordText: string | null = null;
    const byWrite = new Map(items.map((i) => [String(i.fields[A.writeId]), i.fields]));
    if (carItem) {
      const record = carItem.fields[C.record];
      recordText = typeof record === 'string' ? record : '';
      try {
        const read = storedCarOf(carItem);
        head = read.meta.auditHead;
        // A last write whose audit item is not in the list yet: the CAR item holds it.
        if (read.meta.lastAudit && !byWrite.has(read.meta.writeId))
          byWrite.set(read.meta.writeId, read.meta.lastAudit);
        columnProblems.push(
          ...columnProblemsOfItem(
            carItem.fields,
            indexedFieldsOf(read.stored.car, read.stored.updatedAt, this.options.timeZone),
          ),
        );
      } catch (e) {
        head = NO_HEAD;
        columnProblems.push(
          `the CAR item does not read: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    const ordered = [...byWrite.values()].sort(
      (a, b) => Number(a[A.firstSequence]) - Number(b[A.firstSequence]),
    );
    const entries: StoredEntry[] = [];
    ordered.forEach((fields, i) => {
      try {
        entries.push(storedEntryOfItem(fields, `audit item of CAR ${carId}`));
      } catch (e) {
        entries.push({ text: '', mac: '' });
        extra.push({
          carId,
          sequence: i + 1,
          kind: 'entry_unreadable',
          detail: e instanceof Error ? e.message : String(e),
        });
      }
    });
    const verdict = verifyCarTrail({
      seal: this.seal,
      store: this.store,
      carId,
      entries,
      head,
      recordText,
      columnProblems,
      checkpoint,
    });
    return { ...verdict, problems: [...extra, ...verdict.problems] };
  }

  /** Checks every CAR on the list and, unless told not to, against the checkpoints list. */
  async verifyAll(
    options: { readonly checkpoints: boolean },
    everyCar: () => AsyncIterable<{ readonly id: string; readonly number: string | null }>,
  ): Promise<StoreVerdict> {
    const signed = options.checkpoints
      ? (await this.access.queryAll('checkpoints', undefined, Object.values(K))).map((i) =>
          signedCheckpointOf(i.fields),
        )
      : [];
    const { heads, problems: other } = latestCheckpoints(this.seal, this.store, signed);
    const broken: TrailVerdict[] = [];
    const names: [string, string][] = [];
    const seen = new Set<string>();
    let cars = 0;
    let entries = 0;
    for await (const car of everyCar()) {
      cars += 1;
      seen.add(car.id);
      if (car.number) names.push([car.id, car.number]);
      const verdict = await this.verifyCar(car.id, heads.get(car.id) ?? null);
      entries += verdict.count;
      if (verdict.problems.length > 0) broken.push(verdict);
    }
    for (const [carId, cp] of heads)
      if (!seen.has(carId)) {
        const verdict = await this.verifyCar(carId, cp);
        broken.push({
          ...verdict,
          problems: [
            ...verdict.problems.filter((p) => p.kind !== 'car_missing'),
            {
              carId,
              sequence: cp.seq,
              kind: 'car_missing',
              detail: `the checkpoint of ${cp.at} saw entry #${cp.seq}; the CAR is gone`,
            },
          ],
        });
      }
    return { cars, entries, checkpoints: options.checkpoints, broken, other, names };
  }
}

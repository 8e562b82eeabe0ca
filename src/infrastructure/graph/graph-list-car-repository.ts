import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditRecord, FieldChange } from '../../domain/audit/audit-entry.js';
import type {
  CarPage,
  CarQuery,
  CarRepository,
  FindOptions,
  IdempotencyClaim,
  StoredCar,
} from '../../domain/car/car-repository.js';
import type { CarNumber } from '../../domain/car/car-number.js';
import { Car } from '../../domain/car/car.js';
import { RectifyError } from '../../domain/errors.js';
import type { AuditSeal } from '../audit/audit-seal.js';
import { NO_HEAD, type TrailVerdict } from '../audit/audit-trail.js';
import { CarAuditTrail, type CarCheckpoint, type StoreVerdict } from './car-audit-trail.js';
import {
  CAR_SELECT,
  carFields,
  idempotencyKeyOf,
  normalisedInstant,
  recordTextOf,
  type ItemMeta,
} from './car-list-mapper.js';
import { CarListQuery } from './car-list-query.js';
import { CarNumbering, MAX_NUMBER_ATTEMPTS } from './car-numbering.js';
import { RecentItems } from './recent-items.js';
import { C } from './rectify-lists.js';
import {
  RectifyListAccess,
  etagOfResult,
  failure,
  mustHave,
  type GraphListIds,
} from './rectify-list-access.js';
import {
  itemOf,
  type BatchResult,
  type BatchStep,
  type ListItem,
  type SharePointListClient,
} from './sharepoint-list-client.js';

export { resolveRectifyLists, type GraphListIds } from './rectify-list-access.js';

/**
 * CARs as SharePoint list items through Microsoft Graph. SharePoint has no transaction across
 * items, so each write is arranged so that a single-item write decides it:
 *
 * - A CAR write is one If-Match PATCH (412 -> CAR.CONFLICT) that also carries the head of the
 *   CAR's own sealed audit trail and the audit item of this write; the audit item and a signed
 *   checkpoint are created in the same $batch, the audit item keyed by a unique write id and
 *   re-sent by the next write or a history read if it was lost. Every read checks the item
 *   against the head it keeps (CAR.INTEGRITY_FAILED otherwise). A write is retried only because it is safe to send twice: a create
 *   is keyed by the unique CarId and idempotency-key columns, an update by its If-Match, and
 *   the write id on the item tells "my earlier attempt landed" from "someone else wrote".
 * - Numbers come from a counter item per year, taken with an If-Match PATCH in the same batch
 *   as the CAR write (dependsOn), and given back when the CAR write is refused.
 * - Queries filter and sort on indexed columns only (lists past 5,000 items refuse others);
 *   the remaining conditions are checked on the items read, following @odata.nextLink.
 *
 * What is kept between calls is a copy, never the truth: the CAR items and year counters this
 * instance last read or wrote, with their ETags (bounded, least recently used forgotten first).
 * A caller holding an ETag (If-Match) is answered from the copy when the copy has that very
 * ETag, and a number is taken from the counter as last seen; every write still carries If-Match,
 * so a copy that went stale (another instance wrote) turns into 412: CAR.CONFLICT for a CAR, a
 * fresh read and another try for a counter. So a card action on a CAR this instance has just
 * served is one $batch, and a CAR it has not seen is a read and a $batch.
 */

/** CAR items kept in the copy; each holds one CAR record (a few kB). */
export const DEFAULT_COPY_SIZE = 1000;

export interface GraphListCarRepositoryOptions {
  /** How many CAR items the copy holds; DEFAULT_COPY_SIZE when not given. */
  readonly copySize?: number | undefined;
  /** The organisation's time zone (TIME_ZONE): date-only columns are written as its noon. */
  readonly timeZone?: string | undefined;
  /** Called after each write this instance made (the background pollers look again at once). */
  readonly onWrite?: (() => void) | undefined;
  /** Told when a CAR item fails its integrity check on read (before CAR.INTEGRITY_FAILED). */
  readonly onIntegrityFailure?: ((carId: string, problem: string) => void) | undefined;
}

/** A CAR as this instance last read or wrote it. */
interface CopiedCar {
  /** Never handed out: callers get a detached copy. */
  readonly stored: StoredCar;
  readonly meta: ItemMeta;
}

export class GraphListCarRepository implements CarRepository {
  private readonly known = new WeakMap<Car, ItemMeta>();
  private readonly cars: RecentItems<string, CopiedCar>;
  private readonly idByNumber = new Map<string, string>();
  private readonly access: RectifyListAccess;
  private readonly numbering: CarNumbering;
  private readonly trail: CarAuditTrail;
  private readonly query: CarListQuery;

  constructor(
    private readonly lists: SharePointListClient,
    private readonly ids: GraphListIds,
    seal: AuditSeal,
    options: GraphListCarRepositoryOptions = {},
  ) {
    this.cars = new RecentItems(options.copySize ?? DEFAULT_COPY_SIZE);
    this.access = new RectifyListAccess(lists, ids);
    this.numbering = new CarNumbering(this.access);
    this.trail = new CarAuditTrail(this.access, seal, {
      timeZone: options.timeZone,
      onIntegrityFailure: options.onIntegrityFailure,
    });
    this.query = new CarListQuery(
      this.access,
      (item) => this.readItem(item),
      (read) => this.remember(read),
      (stored) => detached(stored, this.known),
    );
    this.timeZone = options.timeZone;
    this.onWrite = options.onWrite ?? (() => undefined);
  }

  private readonly onWrite: () => void;

  private readonly timeZone: string | undefined;

  /** A CAR item as read, its integrity checked (CAR.INTEGRITY_FAILED otherwise). */
  private readItem(item: ListItem): ReturnType<CarAuditTrail['readItem']> {
    return this.trail.readItem(item);
  }

  // ---- create -------------------------------------------------------------------------

  async create(
    car: Car,
    audit: AuditRecord,
    idempotency?: IdempotencyClaim,
  ): Promise<{ stored: StoredCar; replayed: boolean }> {
    assertAuditOf(car, audit);
    const writeId = randomUUID();
    const updatedAt = normalisedInstant(audit.at, 'audit.at');
    for (let attempt = 0; ; attempt += 1) {
      const counter = car.needsNumber() ? await this.numbering.takeNumberPlan(car) : null;
      const numbered = Car.fromPrimitives(car.toPrimitives());
      const extra: FieldChange[] = [];
      if (counter) {
        numbered.assignNumber(counter.number);
        extra.push({ field: 'number', oldValue: null, newValue: counter.number });
      }
      const recordText = recordTextOf(numbered, updatedAt);
      const sealed = this.trail.sealWrite(NO_HEAD, audit, extra, writeId, recordText);
      const lastAudit = sealed.lastAudit;
      const fields = {
        ...carFields(numbered, {
          updatedAt,
          writeId,
          auditHead: sealed.head,
          lastAudit,
          recordText,
          timeZone: this.timeZone,
        }),
        ...(idempotency
          ? {
              [C.idempotencyKey]: idempotencyKeyOf(idempotency),
              [C.idempotencyFingerprint]: idempotency.fingerprint,
            }
          : {}),
      };
      // One sequential chain: counter, CAR, audit item, checkpoint (see update).
      const results = await this.access.send([
        ...(counter ? [counter.step] : []),
        {
          id: 'car',
          method: 'POST',
          url: this.access.itemsUrl('cars'),
          body: { fields },
          ...(counter ? { dependsOn: ['counter'] } : {}),
        },
        {
          id: 'audit',
          method: 'POST',
          url: this.access.itemsUrl('audit'),
          body: { fields: lastAudit },
          dependsOn: ['car'],
        },
        this.trail.checkpointStep(sealed.checkpoint, 'audit'),
      ]);
      const carResult = mustHave(results, 'car');
      if (counter) this.numbering.noteCounter(counter, results.get('counter'));
      const counterTaken = counter !== null && results.get('counter')?.status === 200;
      if (carResult.status === 201) {
        await this.trail.ensureAudit(results.get('audit'), lastAudit);
        if (counter) adoptNumber(car, counter.number);
        // The answer leaves hidden columns out (columnDefinition: hidden values are not returned
        // by default): the CAR is what was written, with the id and ETag of the answer.
        const created = itemOf(carResult.body);
        const read = this.readItem({ id: created.id, etag: created.etag, fields });
        const stored = this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
        return { stored: detached(stored, this.known), replayed: false };
      }
      if (carResult.status === 424 && counter && !counterTaken) {
        // The counter moved between our read and our write: take the next one.
        if (attempt >= MAX_NUMBER_ATTEMPTS)
          throw new Error(`no CAR number could be taken for ${car.id}`);
        continue;
      }
      // Graph documents no status for a duplicate key (SharePoint answers 500): whatever the
      // failure, look the key up before deciding. Found: our own earlier attempt (a retried
      // request) or a replayed idempotency key.
      const existing =
        carResult.status === 424
          ? null
          : idempotency
            ? await this.access.findOne('cars', C.idempotencyKey, idempotencyKeyOf(idempotency))
            : await this.access.findOne('cars', C.carId, car.id);
      if (!existing) {
        if (counter && counterTaken) await this.numbering.giveBack(counter.number, counter.year);
        throw failure(carResult, 'creating a CAR');
      }
      const read = this.readItem(existing);
      if (read.meta.writeId === writeId) {
        await this.trail.ensureAudit(undefined, lastAudit);
        if (read.stored.car.number !== null) adoptNumber(car, read.stored.car.number);
        const stored = this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
        return { stored: detached(stored, this.known), replayed: false };
      }
      if (counter && counterTaken) await this.numbering.giveBack(counter.number, counter.year);
      if (!idempotency) throw new Error(`CAR id ${car.id} is already used by another CAR`);
      if (read.fingerprint !== idempotency.fingerprint)
        throw new RectifyError('IDEMPOTENCY.KEY_REUSED', { key: idempotency.key });
      return { stored: detached(this.remember(read), this.known), replayed: true };
    }
  }

  // ---- update -------------------------------------------------------------------------

  async update(car: Car, expectedEtag: string, audit: AuditRecord): Promise<StoredCar> {
    assertAuditOf(car, audit);
    let meta = this.known.get(car);
    if (!meta || meta.etag !== expectedEtag) {
      const current = await this.access.findOne('cars', C.carId, car.id);
      if (!current) throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
      const read = this.readItem(current);
      if (read.meta.etag !== expectedEtag)
        throw new RectifyError('CAR.CONFLICT', { currentEtag: read.meta.etag });
      meta = read.meta;
    }
    const writeId = randomUUID();
    const updatedAt = normalisedInstant(audit.at, 'audit.at');
    const working = Car.fromPrimitives(car.toPrimitives());

    for (let attempt = 0; ; attempt += 1) {
      const counter = working.needsNumber() ? await this.numbering.takeNumberPlan(working) : null;
      const numbered = Car.fromPrimitives(working.toPrimitives());
      const extra: FieldChange[] = [];
      if (counter) {
        numbered.assignNumber(counter.number);
        extra.push({ field: 'number', oldValue: null, newValue: counter.number });
      }
      const recordText = recordTextOf(numbered, updatedAt);
      const sealed = this.trail.sealWrite(meta.auditHead, audit, extra, writeId, recordText);
      const lastAudit = sealed.lastAudit;
      // One sequential chain (Graph runs only parallel, sequential or one-root batches:
      // https://learn.microsoft.com/en-us/graph/known-issues#json-batching): the counter, the
      // CAR, its audit item, its checkpoint, then the last write's audit item if this instance
      // did not see it stored (it stays on the CAR item until it is, so a 424 there loses
      // nothing).
      const steps: BatchStep[] = [];
      if (counter) steps.push(counter.step);
      const written = carFields(numbered, {
        updatedAt,
        writeId,
        auditHead: sealed.head,
        lastAudit,
        recordText,
        timeZone: this.timeZone,
      });
      steps.push({
        id: 'car',
        method: 'PATCH',
        url: this.access.itemUrl('cars', meta.itemId, '/fields'),
        headers: { 'If-Match': expectedEtag },
        body: written,
        ...(counter ? { dependsOn: ['counter'] } : {}),
      });
      steps.push({
        id: 'audit',
        method: 'POST',
        url: this.access.itemsUrl('audit'),
        body: { fields: lastAudit },
        dependsOn: ['car'],
      });
      steps.push(this.trail.checkpointStep(sealed.checkpoint, 'audit'));
      if (meta.lastAudit && !meta.lastAuditStored)
        steps.push({
          id: 'previous',
          method: 'POST',
          url: this.access.itemsUrl('audit'),
          body: { fields: meta.lastAudit },
          dependsOn: ['checkpoint'],
        });
      const results = await this.access.send(steps);
      const carResult = mustHave(results, 'car');
      if (counter) this.numbering.noteCounter(counter, results.get('counter'));
      if (carResult.status === 200) {
        await this.trail.ensureAudit(results.get('audit'), lastAudit);
        const fresh = await this.saved(meta.itemId, carResult, written);
        if (counter) adoptNumber(car, counter.number);
        return detached(fresh, this.known);
      }
      const counterTaken = counter !== null && results.get('counter')?.status === 200;
      if (carResult.status === 404) {
        if (counter && counterTaken) await this.numbering.giveBack(counter.number, counter.year);
        throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
      }
      // 409 or 500: the number is held already (a duplicate in the unique number column).
      if (
        carResult.status !== 412 &&
        carResult.status !== 424 &&
        carResult.status !== 409 &&
        carResult.status !== 500
      )
        throw failure(carResult, `saving CAR ${car.id}`);
      // Did an earlier attempt of this very write land (a retried batch), or did someone else write?
      const current = await this.lists.getItem(this.ids.cars, meta.itemId, CAR_SELECT);
      if (!current) throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
      const read = this.readItem(current);
      if (read.meta.writeId === writeId) {
        await this.trail.ensureAudit(undefined, lastAudit);
        if (read.stored.car.number !== null) adoptNumber(car, read.stored.car.number);
        const stored = this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
        return detached(stored, this.known);
      }
      this.remember(read);
      if (counter && counterTaken) await this.numbering.giveBack(counter.number, counter.year);
      if (carResult.status === 412 || read.meta.etag !== expectedEtag)
        throw new RectifyError('CAR.CONFLICT', { currentEtag: read.meta.etag });
      // The counter moved under us (424) or the number is held already (409): take another.
      if (attempt >= MAX_NUMBER_ATTEMPTS)
        throw new Error(`no CAR number could be taken for ${car.id}`);
    }
  }

  // ---- reads --------------------------------------------------------------------------

  async findById(id: string, options?: FindOptions): Promise<StoredCar | null> {
    const copy = this.copyOf(id, options);
    if (copy) return copy;
    const item = await this.access.findOne('cars', C.carId, id);
    return item ? detached(this.remember(this.readItem(item)), this.known) : null;
  }

  async findByNumber(number: string, options?: FindOptions): Promise<StoredCar | null> {
    const copy = this.copyOf(this.idByNumber.get(number), options);
    if (copy && copy.car.number === number) return copy;
    const item = await this.access.findOne('cars', C.number, number);
    return item ? detached(this.remember(this.readItem(item)), this.known) : null;
  }

  /** The CAR from the copy, only when the caller holds the very ETag the copy has. */
  private copyOf(id: string | undefined, options: FindOptions | undefined): StoredCar | null {
    if (id === undefined || options?.knownEtag === undefined) return null;
    const entry = this.cars.get(id);
    if (!entry || entry.meta.etag !== options.knownEtag) return null;
    return detached(entry.stored, this.known);
  }

  history(carId: string): Promise<readonly AuditEntry[]> {
    return this.trail.history(carId);
  }

  /**
   * Checks one CAR: every audit item (each broken one is reported), the chain, the head the CAR
   * item keeps, its record and its indexed columns, and the last checkpoint when given.
   */
  verifyCar(carId: string, checkpoint: CarCheckpoint = null): Promise<TrailVerdict> {
    return this.trail.verifyCar(carId, checkpoint);
  }

  /** Checks every CAR on the list and, unless told not to, against the checkpoints list. */
  verifyAll(options: { readonly checkpoints: boolean }): Promise<StoreVerdict> {
    return this.trail.verifyAll(options, () => this.everyCar());
  }

  /** Every CAR on the list, id and number only (for audit:verify). */
  everyCar(): AsyncGenerator<{ readonly id: string; readonly number: string | null }> {
    return this.query.everyCar();
  }

  list(query: CarQuery): Promise<CarPage> {
    return this.query.list(query);
  }

  // ---- plumbing -----------------------------------------------------------------------

  /**
   * The CAR as this write left it, without reading it back: what was written, with the new ETag
   * from the answer (PATCH .../fields answers 200 with the item's fieldValueSet, which carries
   * `@odata.etag`: listitem-update.md). Only an answer without any ETag costs a read.
   */
  private async saved(
    itemId: string,
    patched: BatchResult,
    written: Record<string, unknown>,
  ): Promise<StoredCar> {
    const etag = etagOfResult(patched);
    if (etag !== null) {
      const read = this.readItem({ id: itemId, etag, fields: written });
      return this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
    }
    const item = await this.lists.getItem(this.ids.cars, itemId, CAR_SELECT);
    if (!item) throw new Error(`list item ${itemId} vanished after it was saved`);
    return this.remember(this.readItem(item));
  }

  /** Puts what was read or written in the copy, and ties the Car object to its item. */
  private remember(read: { stored: StoredCar; meta: ItemMeta }): StoredCar {
    if (read.meta.lastAuditStored) this.onWrite();
    const id = read.stored.car.id;
    const before = this.cars.get(id);
    // A read cannot tell that the last audit item is stored; this instance may have seen it.
    const meta =
      !read.meta.lastAuditStored &&
      before?.meta.lastAuditStored === true &&
      before.meta.writeId === read.meta.writeId
        ? { ...read.meta, lastAuditStored: true }
        : read.meta;
    this.known.set(read.stored.car, meta);
    const pushedOut = this.cars.set(id, { stored: read.stored, meta });
    const oldNumber = pushedOut?.[1].stored.car.number;
    if (oldNumber && this.idByNumber.get(oldNumber) === pushedOut[0])
      this.idByNumber.delete(oldNumber);
    const number = read.stored.car.number;
    if (number !== null) this.idByNumber.set(number, id);
    return read.stored;
  }
}

// ---- helpers ----------------------------------------------------------------------------

function assertAuditOf(car: Car, audit: AuditRecord): void {
  if (audit.carId !== car.id)
    throw new Error(`audit record for CAR ${audit.carId} handed in with CAR ${car.id}`);
}

function adoptNumber(car: Car, number: string): void {
  if (car.needsNumber()) car.assignNumber(number as CarNumber);
}

/** A copy the caller may change, remembered like the original. */
function detached(stored: StoredCar, known: WeakMap<Car, ItemMeta>): StoredCar {
  const car = Car.fromPrimitives(stored.car.toPrimitives());
  const meta = known.get(stored.car);
  if (meta) known.set(car, meta);
  return { ...stored, car };
}

import type { AuditEntry, AuditRecord } from '../audit/audit-entry.js';
import type { LocalDate } from '../calendar/local-date.js';
import type { Car } from './car.js';
import type { ActionKind, CauseCategory, Classification, ReportType } from './car-vocabulary.js';
import type { CarState } from './lifecycle.js';

/** A CAR as stored, with the opaque concurrency token of that version. */
export interface StoredCar {
  readonly car: Car;
  /** Opaque: a version number in SQLite, the item's `"{guid},{version}"` ETag in SharePoint. */
  readonly etag: string;
  readonly updatedAt: string;
}

/** Makes a create idempotent: the same key (per caller) and body give the same CAR. */
export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  /** A digest of the request body; the same key with another fingerprint is refused. */
  readonly fingerprint: string;
}

export type CarSortField = 'reportedAt' | 'updatedAt' | 'number' | 'dueDate';

export interface CarQuery {
  readonly states?: readonly CarState[] | undefined;
  readonly types?: readonly ReportType[] | undefined;
  readonly classifications?: readonly Classification[] | undefined;
  readonly actionKinds?: readonly ActionKind[] | undefined;
  /** CARs whose investigation names one of these cause categories (similar nonconformities). */
  readonly causeCategories?: readonly CauseCategory[] | undefined;
  /** CARs with an action (not cancelled) owned by this person. */
  readonly actionOwnerId?: string | undefined;
  readonly reporterId?: string | undefined;
  /** Open CARs with something due before `today`. */
  readonly overdue?: boolean | undefined;
  readonly today: LocalDate;
  /** Words that must all appear in the number, title, description, location or affected. */
  readonly text?: string | undefined;
  /**
   * Who may see what: everything, or only the CARs a person is involved in
   * (`Car.involvedPeople`: reporter, consultees, owners of actions on a non-confidential CAR).
   */
  readonly visibility:
    { readonly kind: 'all' } | { readonly kind: 'involved'; readonly personId: string };
  /**
   * Only CARs of these tenants (`Car.tenantId`; '' for records stored before tenants were
   * recorded). Absent: every tenant, for Rectify's own background work only.
   */
  readonly tenantIds?: readonly string[] | undefined;
  readonly sort: CarSortField;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** How a read may be answered. */
export interface FindOptions {
  /**
   * The ETag the caller holds (from its If-Match). An adapter MAY answer from a copy it keeps
   * when that copy has exactly this ETag; otherwise it reads the store. Correctness never rests
   * on the copy: every write is checked against the store's own ETag.
   */
  readonly knownEtag?: string | undefined;
}

export interface CarPage {
  readonly items: readonly StoredCar[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * The store of CARs and their audit trail. Every write is atomic with its audit entries; an
 * adapter that cannot offer transactions must still never lose an acknowledged write nor
 * apply one twice.
 */
export interface CarRepository {
  /**
   * Stores a new report. With a claim whose key was seen before: the same fingerprint returns
   * the stored CAR (`replayed: true`), another fingerprint fails with IDEMPOTENCY.KEY_REUSED.
   */
  create(
    car: Car,
    audit: AuditRecord,
    idempotency?: IdempotencyClaim,
  ): Promise<{ stored: StoredCar; replayed: boolean }>;

  /**
   * Saves a changed CAR if its stored etag still equals `expectedEtag`, else fails with
   * CAR.CONFLICT (and changes nothing). A CAR that `needsNumber()` gets the next number of
   * its `numberYear()`, in the same atomic write, and the audit records it. The returned
   * StoredCar holds a fresh copy; after a failed write, reload rather than reuse `car`.
   */
  update(car: Car, expectedEtag: string, audit: AuditRecord): Promise<StoredCar>;

  findById(id: string, options?: FindOptions): Promise<StoredCar | null>;
  findByNumber(number: string, options?: FindOptions): Promise<StoredCar | null>;
  list(query: CarQuery): Promise<CarPage>;
  /**
   * The CAR's audit entries in order. Sequences increase within a CAR; an adapter may number
   * them across the whole store (SQLite) or per CAR (SharePoint, one hash chain per CAR).
   */
  history(carId: string): Promise<readonly AuditEntry[]>;
}

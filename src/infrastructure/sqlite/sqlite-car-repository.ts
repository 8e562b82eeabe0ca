import { z } from 'zod';
import type { AuditEntry, AuditRecord, FieldChange } from '../../domain/audit/audit-entry.js';
import { formatCarNumber, parseCarNumber, type CarNumber } from '../../domain/car/car-number.js';
import type {
  CarPage,
  CarQuery,
  CarRepository,
  CarSortField,
  IdempotencyClaim,
  StoredCar,
} from '../../domain/car/car-repository.js';
import { Car, type CarPrimitives } from '../../domain/car/car.js';
import { OPEN_STATES } from '../../domain/car/lifecycle.js';
import { RectifyError } from '../../domain/errors.js';
import type { AuditSeal } from '../audit/audit-seal.js';
import {
  NO_HEAD,
  auditEntryOf,
  checkRecordAgainstHead,
  readEntry,
  sealEntry,
  verifyCarTrail,
  type StoredEntry,
  type TrailHead,
  type TrailProblem,
  type TrailVerdict,
} from '../audit/audit-trail.js';
import { CheckpointFile, latestCheckpoints } from '../audit/checkpoints.js';
import { verifyChain, type ChainedRow } from '../audit/hash-chain.js';
import { encodeCarFacts } from '../../application/ports/car-facts.js';
import { carFactsOf } from '../../application/ports/car-scan.js';
import { parseCarRecord } from './car-record.schema.js';
import type { CommitSignal } from '../../application/ports/commit-signal.js';
import type { Database, Statement } from 'better-sqlite3';

/** The columns kept beside the record for filtering and sorting: checked against it on read. */
interface IndexedColumns {
  number: string | null;
  number_year: number | null;
  number_seq: number | null;
  state: string;
  type: string;
  classification: string | null;
  confidential: 0 | 1;
  reporter_id: string;
  reported_at: string;
  next_due_date: string | null;
  search_text: string;
}

interface CarRow extends IndexedColumns {
  id: string;
  version: number;
  updated_at: string;
  body: string;
  audit_seq: number | null;
  audit_mac: string | null;
  head_entry: string | null;
  head_mac: string | null;
}

const INDEXED_COLUMNS: readonly (keyof IndexedColumns)[] = [
  'number',
  'number_year',
  'number_seq',
  'state',
  'type',
  'classification',
  'confidential',
  'reporter_id',
  'reported_at',
  'next_due_date',
  'search_text',
];

/** A read of a CAR: its row, its head and the head entry (one indexed lookup). */
const CAR_READ = `SELECT c.id, c.version, c.updated_at, c.body, c.audit_seq, c.audit_mac,
    c.number, c.number_year, c.number_seq, c.state, c.type, c.classification, c.confidential,
    c.reporter_id, c.reported_at, c.next_due_date, c.search_text,
    e.entry AS head_entry, e.mac AS head_mac
  FROM cars c LEFT JOIN audit_trail e ON e.car_id = c.id AND e.car_seq = c.audit_seq`;

type ListRow = CarRow;

/** A row of the trail of an older release (audit_log: one row per field, global sequence). */
interface AuditRow {
  sequence: number;
  car_id: string;
  operation: string;
  field: string;
  old_value: string;
  new_value: string;
  reason: string | null;
  actor_id: string;
  actor_name: string;
  at: string;
  prev_hash: string;
  hash: string;
}

/** The columns derived from the body, kept for filtering and sorting. */
interface CarColumns extends IndexedColumns {
  id: string;
  updated_at: string;
  body: string;
  /** The compact facts the analysis scan reads (`encodeCarFacts`), written with the body. */
  facts: string;
  tenant_id: string;
}

interface TrailRow {
  car_id: string;
  car_seq: number;
  operation: string;
  actor_id: string;
  at: string;
  entry: string;
  mac: string;
}

/** Where the audit key and the checkpoints come from. */
export interface SqliteAuditOptions {
  readonly seal: AuditSeal;
  /** The folder of checkpoint files (outside the data folder); null keeps no checkpoints. */
  readonly checkpointDir: string | null;
  /** Raised after each write commits (the notifier starts at once). */
  readonly commits?: CommitSignal;
  /** Told when a checkpoint could not be written after a committed write (the write stands). */
  readonly onCheckpointFailure?: (error: unknown) => void;
  /** Told when a record fails its integrity check on read (before CAR.INTEGRITY_FAILED). */
  readonly onIntegrityFailure?: (carId: string, problem: string) => void;
  /** A reader beside a running Rectify (a CLI): carries nothing over, writes no checkpoint. */
  readonly readOnly?: boolean;
}

type SortKey = (string | number)[];

interface SortSpec {
  readonly columns: readonly (keyof ListRow)[];
  readonly nullable: boolean;
  readonly keyType: 'string' | 'integer';
}

const SORTS: Record<CarSortField, SortSpec> = {
  reportedAt: { columns: ['reported_at'], nullable: false, keyType: 'string' },
  updatedAt: { columns: ['updated_at'], nullable: false, keyType: 'string' },
  number: { columns: ['number_year', 'number_seq'], nullable: true, keyType: 'integer' },
  dueDate: { columns: ['next_due_date'], nullable: true, keyType: 'string' },
};

const cursorSchema = z.object({
  s: z.enum(['reportedAt', 'updatedAt', 'number', 'dueDate']),
  o: z.enum(['asc', 'desc']),
  k: z.array(z.union([z.string(), z.number().int()])).nullable(),
  id: z.string().min(1),
});
type Cursor = z.infer<typeof cursorSchema>;

const AUDIT_COLUMNS =
  'sequence, car_id, operation, field, old_value, new_value, reason, actor_id, actor_name, at, prev_hash, hash';

const etagOf = (version: number): string => `"${version}"`;

/** Instants are stored in one spelling so that they sort as text. */
function normalisedInstant(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an ISO instant: ${value}`);
  return new Date(ms).toISOString();
}

const invalidCursor = (reason: string): RectifyError =>
  new RectifyError('REQUEST.VALIDATION', { field: 'cursor', reason });

const escapeLike = (word: string): string => word.replace(/[\\%_]/g, (c) => `\\${c}`);

function indexedColumnsOf(car: Car, p: CarPrimitives): IndexedColumns {
  const numbered = p.number === null ? null : parseCarNumber(p.number);
  return {
    number: p.number,
    number_year: numbered?.year ?? null,
    number_seq: numbered?.sequence ?? null,
    state: p.state,
    type: p.report.type,
    classification: p.classification,
    confidential: p.report.confidential ? 1 : 0,
    reporter_id: p.reporter.id,
    reported_at: normalisedInstant(p.reportedAt, `reportedAt of CAR ${p.id}`),
    next_due_date: car.nextDueDate(),
    search_text: [
      p.number ?? '',
      p.report.title,
      p.report.description,
      p.report.location,
      p.report.affected,
    ]
      .join('\n')
      .toLowerCase(),
  };
}

function columnsOf(car: Car, updatedAt: string): CarColumns {
  const p: CarPrimitives = car.toPrimitives();
  return {
    id: p.id,
    ...indexedColumnsOf(car, p),
    updated_at: updatedAt,
    body: JSON.stringify(p),
    facts: encodeCarFacts(carFactsOf(p)),
    tenant_id: p.tenantId,
  };
}

/** Every indexed column that says something the record does not. */
function columnProblemsOf(row: IndexedColumns, car: Car): string[] {
  const expected = indexedColumnsOf(car, car.toPrimitives());
  return INDEXED_COLUMNS.filter((c) => expected[c] !== row[c]).map(
    (c) =>
      `cars.${c} is ${JSON.stringify(row[c])} but the record says ${JSON.stringify(expected[c])}`,
  );
}

const toChainedRow = (r: AuditRow): ChainedRow => ({
  sequence: r.sequence,
  carId: r.car_id,
  operation: r.operation,
  field: r.field,
  oldValue: r.old_value,
  newValue: r.new_value,
  reason: r.reason,
  actorId: r.actor_id,
  actorName: r.actor_name,
  at: r.at,
  prevHash: r.prev_hash,
  hash: r.hash,
});

function* chainedRows(rows: Iterable<AuditRow>): Generator<ChainedRow> {
  for (const r of rows) yield toChainedRow(r);
}

/** The id every audit entry of this store names. */
export function storeIdOf(db: Database): string {
  const row = db
    .prepare<[], { value: string }>("SELECT value FROM store_meta WHERE key = 'store_id'")
    .get();
  if (!row) throw new Error(`${db.name} has no store id`);
  return row.value;
}

export interface StoreVerification {
  readonly cars: number;
  readonly entries: number;
  /** Every CAR whose trail or record does not hold, with every problem found. */
  readonly broken: readonly TrailVerdict[];
  /** Problems not tied to a CAR in the store (forged checkpoint lines). */
  readonly other: readonly TrailProblem[];
  /** Whether checkpoints were compared (a checkpoint file was given). */
  readonly checkpoints: boolean;
}

/**
 * Checks the whole store: every CAR's trail, head, record, indexed columns and action rows, every
 * trail without its CAR, and (with a checkpoint file) every checkpointed head.
 */
export function verifyStore(
  db: Database,
  seal: AuditSeal,
  checkpointDir: string | null,
): StoreVerification {
  const store = storeIdOf(db);
  const file =
    checkpointDir === null ? null : CheckpointFile.inDirectory(checkpointDir, store, seal);
  const { heads: checkpoints, problems: other } = latestCheckpoints(
    seal,
    store,
    file?.read() ?? [],
  );
  const carRows = db.prepare<[], CarRow>(`${CAR_READ} ORDER BY c.id`);
  const trailOf = db.prepare<[string], TrailRow>(
    'SELECT car_id, car_seq, operation, actor_id, at, entry, mac FROM audit_trail WHERE car_id = ? ORDER BY car_seq',
  );
  const actionsOf = db.prepare<
    [string],
    { action_id: string; kind: string; owner_id: string; status: string }
  >(
    'SELECT action_id, kind, owner_id, status FROM car_actions WHERE car_id = ? ORDER BY action_id',
  );
  const broken: TrailVerdict[] = [];
  const seen = new Set<string>();
  let cars = 0;
  let entries = 0;
  const check = (carId: string, row: CarRow | null): void => {
    const rows = trailOf.all(carId);
    const copyProblems: TrailProblem[] = [];
    for (const r of rows) {
      try {
        const e = readEntry({ text: r.entry, mac: r.mac });
        if (e.operation !== r.operation || e.actor.id !== r.actor_id || e.at !== r.at)
          copyProblems.push({
            carId,
            sequence: r.car_seq,
            kind: 'column_mismatch',
            detail: `audit_trail columns of entry #${r.car_seq} differ from the entry`,
          });
      } catch {
        // verifyCarTrail reports it.
      }
    }
    const columnProblems: string[] = [];
    if (row) {
      try {
        const car = Car.fromPrimitives(parseCarRecord(row.id, row.body));
        columnProblems.push(...columnProblemsOf(row, car));
        const stored = actionsOf.all(carId);
        const expected = [...car.actions]
          .map((a) => ({ action_id: a.id, kind: a.kind, owner_id: a.owner.id, status: a.status }))
          .sort((a, b) => (a.action_id < b.action_id ? -1 : a.action_id > b.action_id ? 1 : 0));
        if (JSON.stringify(stored) !== JSON.stringify(expected))
          columnProblems.push('car_actions rows differ from the actions in the record');
      } catch (e) {
        columnProblems.push(
          `the record does not read: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    const verdict = verifyCarTrail({
      seal,
      store,
      carId,
      entries: rows.map((r): StoredEntry => ({ text: r.entry, mac: r.mac })),
      head: row === null ? null : headOf(row),
      recordText: row?.body ?? null,
      columnProblems,
      checkpoint: checkpoints.get(carId) ?? null,
    });
    entries += verdict.count;
    const problems = [...verdict.problems, ...copyProblems];
    if (row !== null && row.audit_seq === null)
      problems.push({
        carId,
        sequence: null,
        kind: 'head_mismatch',
        detail:
          'the CAR is still on the trail of an older release: start Rectify once to carry it over',
      });
    if (problems.length > 0) broken.push({ carId, count: verdict.count, problems });
  };
  for (const row of carRows.iterate()) {
    cars += 1;
    seen.add(row.id);
    check(row.id, row);
  }
  const orphans = db
    .prepare<[], { car_id: string }>('SELECT DISTINCT car_id FROM audit_trail ORDER BY car_id')
    .all()
    .filter((r) => !seen.has(r.car_id));
  for (const o of orphans) {
    seen.add(o.car_id);
    check(o.car_id, null);
  }
  for (const [carId, cp] of checkpoints)
    if (!seen.has(carId))
      broken.push({
        carId,
        count: 0,
        problems: [
          {
            carId,
            sequence: cp.seq,
            kind: 'car_missing',
            detail: `the checkpoint of ${cp.at} saw entry #${cp.seq}; the CAR and its trail are gone`,
          },
        ],
      });
  return { cars, entries, broken, other, checkpoints: file !== null };
}

const headOf = (row: CarRow): TrailHead =>
  row.audit_seq === null || row.audit_mac === null
    ? NO_HEAD
    : { seq: row.audit_seq, mac: row.audit_mac };

/** Checks the trail of an older release (one global hash chain), as it was checked before. */
export function verifyLegacyTrail(db: Database): ReturnType<typeof verifyChain> {
  const rows = db
    .prepare<[], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY sequence`)
    .iterate();
  return verifyChain(chainedRows(rows));
}

interface WriteOutcome {
  readonly stored: StoredCar;
  readonly replayed: boolean;
  /** The number this write gave the CAR, if it gave one. */
  readonly assigned: CarNumber | null;
  /** The CAR's head after the write (null for a replay). */
  readonly head: TrailHead | null;
  readonly at: string;
}

/**
 * The embedded store. Each write is one IMMEDIATE transaction (the write lock is taken before
 * anything is read), so the etag check, the number, the row and its audit entry commit or
 * roll back together, also across processes sharing the file. The audit entry is sealed with
 * a key the file does not hold, and the head is checkpointed outside the file after commit.
 */
export class SqliteCarRepository implements CarRepository {
  private readonly statements: {
    readonly carById: Statement<[string], CarRow>;
    readonly carByNumber: Statement<[string], CarRow>;
    readonly insertCar: Statement<
      [CarColumns & { version: number; audit_seq: number; audit_mac: string }]
    >;
    readonly updateCar: Statement<
      [CarColumns & { expected_version: number; audit_seq: number; audit_mac: string }]
    >;
    readonly deleteActions: Statement<[string]>;
    readonly insertAction: Statement<[string, string, string, string, string]>;
    readonly deleteInvolved: Statement<[string]>;
    readonly insertInvolved: Statement<[string, string]>;
    readonly nextNumber: Statement<[number], { last_value: number }>;
    readonly claimByKey: Statement<[string, string], { fingerprint: string; car_id: string }>;
    readonly insertClaim: Statement<[string, string, string, string, string]>;
    readonly insertTrail: Statement<[TrailRow]>;
    readonly trailByCar: Statement<[string], { entry: string; mac: string }>;
  };

  private readonly store: string;
  private readonly seal: AuditSeal;
  private readonly checkpoints: CheckpointFile | null;

  private readonly createTx: (
    car: Car,
    audit: AuditRecord,
    claim: IdempotencyClaim | undefined,
  ) => WriteOutcome;
  private readonly updateTx: (car: Car, expectedEtag: string, audit: AuditRecord) => WriteOutcome;

  constructor(
    private readonly db: Database,
    private readonly audit: SqliteAuditOptions,
  ) {
    this.seal = audit.seal;
    this.store = storeIdOf(db);
    this.checkpoints =
      audit.checkpointDir === null
        ? null
        : CheckpointFile.inDirectory(audit.checkpointDir, this.store, audit.seal);
    const carColumns =
      'id, number, number_year, number_seq, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, body, facts, tenant_id, audit_seq, audit_mac';
    this.statements = {
      carById: db.prepare(`${CAR_READ} WHERE c.id = ?`),
      carByNumber: db.prepare(`${CAR_READ} WHERE c.number = ?`),
      insertCar: db.prepare(
        `INSERT INTO cars (${carColumns}, version) VALUES (${carColumns
          .split(', ')
          .map((c) => `@${c}`)
          .join(', ')}, @version)`,
      ),
      updateCar: db.prepare(
        `UPDATE cars SET ${carColumns
          .split(', ')
          .filter((c) => c !== 'id')
          .map((c) => `${c} = @${c}`)
          .join(', ')}, version = version + 1 WHERE id = @id AND version = @expected_version`,
      ),
      deleteActions: db.prepare('DELETE FROM car_actions WHERE car_id = ?'),
      deleteInvolved: db.prepare('DELETE FROM car_involved WHERE car_id = ?'),
      insertInvolved: db.prepare('INSERT INTO car_involved (car_id, person_id) VALUES (?, ?)'),
      insertAction: db.prepare(
        'INSERT INTO car_actions (car_id, action_id, kind, owner_id, status) VALUES (?, ?, ?, ?, ?)',
      ),
      nextNumber: db.prepare(
        `INSERT INTO car_number_sequence (year, last_value) VALUES (?, 1)
         ON CONFLICT (year) DO UPDATE SET last_value = last_value + 1
         RETURNING last_value`,
      ),
      claimByKey: db.prepare(
        'SELECT fingerprint, car_id FROM idempotency_keys WHERE scope = ? AND key = ?',
      ),
      insertClaim: db.prepare(
        'INSERT INTO idempotency_keys (scope, key, fingerprint, car_id, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertTrail: db.prepare(
        `INSERT INTO audit_trail (car_id, car_seq, operation, actor_id, at, entry, mac)
         VALUES (@car_id, @car_seq, @operation, @actor_id, @at, @entry, @mac)`,
      ),
      trailByCar: db.prepare(
        'SELECT entry, mac FROM audit_trail WHERE car_id = ? ORDER BY car_seq',
      ),
    };

    const createTx = db.transaction(
      (car: Car, audit: AuditRecord, claim: IdempotencyClaim | undefined): WriteOutcome => {
        assertAuditOf(car, audit);
        if (claim) {
          const seen = this.statements.claimByKey.get(claim.scope, claim.key);
          if (seen) {
            if (seen.fingerprint !== claim.fingerprint)
              throw new RectifyError('IDEMPOTENCY.KEY_REUSED', { key: claim.key });
            const stored = this.read(this.statements.carById.get(seen.car_id));
            if (!stored) throw new Error(`idempotency key ${claim.key} points at no CAR`);
            return { stored, replayed: true, assigned: null, head: null, at: audit.at };
          }
        }
        const working = Car.fromPrimitives(car.toPrimitives());
        const numbering = this.numberIfNeeded(working);
        const updatedAt = normalisedInstant(audit.at, 'audit.at');
        const columns = columnsOf(working, updatedAt);
        const head = this.appendEntry(NO_HEAD, audit, numbering.changes, columns.body);
        this.statements.insertCar.run({
          ...columns,
          version: 1,
          audit_seq: head.seq,
          audit_mac: head.mac,
        });
        this.replaceActions(working);
        this.replaceInvolved(working);
        if (claim)
          this.statements.insertClaim.run(
            claim.scope,
            claim.key,
            claim.fingerprint,
            car.id,
            updatedAt,
          );
        return {
          stored: { car: working, etag: etagOf(1), updatedAt },
          replayed: false,
          assigned: numbering.number,
          head,
          at: updatedAt,
        };
      },
    );
    this.createTx = (car, audit, claim) => createTx.immediate(car, audit, claim);

    const updateTx = db.transaction(
      (car: Car, expectedEtag: string, audit: AuditRecord): WriteOutcome => {
        assertAuditOf(car, audit);
        const row = this.statements.carById.get(car.id);
        if (!row) throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
        const currentEtag = etagOf(row.version);
        if (currentEtag !== expectedEtag) throw new RectifyError('CAR.CONFLICT', { currentEtag });
        // A record that fails its check is not changed either: the write would seal the tampering.
        this.readRow(row);
        const working = Car.fromPrimitives(car.toPrimitives());
        const numbering = this.numberIfNeeded(working);
        const updatedAt = normalisedInstant(audit.at, 'audit.at');
        const columns = columnsOf(working, updatedAt);
        const head = this.appendEntry(headOf(row), audit, numbering.changes, columns.body);
        const result = this.statements.updateCar.run({
          ...columns,
          expected_version: row.version,
          audit_seq: head.seq,
          audit_mac: head.mac,
        });
        // Unreachable while the write lock is held; kept so a lost update can never pass silently.
        if (result.changes !== 1) throw new RectifyError('CAR.CONFLICT', { currentEtag });
        this.replaceActions(working);
        this.replaceInvolved(working);
        return {
          stored: { car: working, etag: etagOf(row.version + 1), updatedAt },
          replayed: false,
          assigned: numbering.number,
          head,
          at: updatedAt,
        };
      },
    );
    this.updateTx = (car, expectedEtag, audit) => updateTx.immediate(car, expectedEtag, audit);
    if (audit.readOnly !== true) this.carryOverOlderTrail();
  }

  create(
    car: Car,
    audit: AuditRecord,
    idempotency?: IdempotencyClaim,
  ): Promise<{ stored: StoredCar; replayed: boolean }> {
    return settle(() => {
      const outcome = this.createTx(car, audit, idempotency);
      this.checkpoint(car.id, outcome);
      adoptNumber(car, outcome.assigned);
      if (!outcome.replayed) this.audit.commits?.raise();
      return { stored: detached(outcome.stored), replayed: outcome.replayed };
    });
  }

  update(car: Car, expectedEtag: string, audit: AuditRecord): Promise<StoredCar> {
    return settle(() => {
      const outcome = this.updateTx(car, expectedEtag, audit);
      this.checkpoint(car.id, outcome);
      adoptNumber(car, outcome.assigned);
      this.audit.commits?.raise();
      return detached(outcome.stored);
    });
  }

  findById(id: string): Promise<StoredCar | null> {
    return settle(() => this.read(this.statements.carById.get(id)));
  }

  findByNumber(number: string): Promise<StoredCar | null> {
    return settle(() => this.read(this.statements.carByNumber.get(number)));
  }

  history(carId: string): Promise<readonly AuditEntry[]> {
    return settle(() =>
      this.statements.trailByCar.all(carId).map((r) => auditEntryOf({ text: r.entry, mac: r.mac })),
    );
  }

  list(query: CarQuery): Promise<CarPage> {
    return settle(() => this.listNow(query));
  }

  // ---- internals --------------------------------------------------------------

  private listNow(query: CarQuery): CarPage {
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new RectifyError('REQUEST.VALIDATION', {
        field: 'limit',
        reason: 'a whole number >= 1',
      });
    const spec = SORTS[query.sort];
    const where: string[] = [];
    const params: unknown[] = [];
    // Filters never pick the plan: the first page is read in the order of the sort's index
    // (a unary + keeps a column's own index out), except one state, whose composite indexes
    // (state, sort columns, id, migration 12) are in that order too. So no page sorts the
    // matching rows, and its cost stays flat as the register grows.
    const anyOf = (column: string, values: readonly string[] | undefined): void => {
      // An empty list filters nothing, like an absent one.
      if (!values || values.length === 0) return;
      if (values.length === 1 && column === 'state') where.push(`c.${column} = ?`);
      else where.push(`+c.${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    anyOf('state', query.states);
    anyOf('type', query.types);
    anyOf('classification', query.classifications);
    if (query.actionKinds && query.actionKinds.length > 0) {
      where.push(
        `EXISTS (SELECT 1 FROM car_actions a WHERE a.car_id = c.id AND a.status <> 'cancelled' AND a.kind IN (${query.actionKinds
          .map(() => '?')
          .join(', ')}))`,
      );
      params.push(...query.actionKinds);
    }
    if (query.causeCategories && query.causeCategories.length > 0) {
      where.push(
        `json_extract(c.body, '$.investigation.causeCategory') IN (${query.causeCategories
          .map(() => '?')
          .join(', ')})`,
      );
      params.push(...query.causeCategories);
    }
    if (query.actionOwnerId !== undefined) {
      where.push(
        "EXISTS (SELECT 1 FROM car_actions a WHERE a.car_id = c.id AND a.status <> 'cancelled' AND a.owner_id = ?)",
      );
      params.push(query.actionOwnerId);
    }
    if (query.reporterId !== undefined) {
      // One person's reports: few rows, found by the reporter index.
      where.push('c.reporter_id = ?');
      params.push(query.reporterId);
    }
    if (query.overdue === true) {
      const due = query.sort === 'dueDate' ? 'c.next_due_date' : '+c.next_due_date';
      where.push(
        `+c.state IN (${OPEN_STATES.map(() => '?').join(', ')}) AND ${due} IS NOT NULL AND ${due} < ?`,
      );
      params.push(...OPEN_STATES, query.today);
    }
    for (const word of (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
      where.push("c.search_text LIKE ? ESCAPE '\\'");
      params.push(`%${escapeLike(word)}%`);
    }
    if (query.tenantIds !== undefined) {
      where.push(`c.tenant_id IN (${query.tenantIds.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...query.tenantIds);
    }
    if (query.visibility.kind === 'involved') {
      where.push('EXISTS (SELECT 1 FROM car_involved i WHERE i.car_id = c.id AND i.person_id = ?)');
      params.push(query.visibility.personId);
    }

    const dir = query.order === 'asc' ? 'ASC' : 'DESC';
    const cmp = query.order === 'asc' ? '>' : '<';
    const cols = spec.columns.map((c) => `c.${c}`);
    const cursor = query.cursor !== undefined ? decodeCursor(query.cursor, query, spec) : null;
    const run = (
      extra: readonly string[],
      extraParams: readonly unknown[],
      orderBy: string,
      n: number,
    ): ListRow[] => {
      const all = [...where, ...extra];
      // The row with its trail head (CAR_READ), so that every listed record is checked as read.
      const sql = `${CAR_READ} ${all.length > 0 ? `WHERE ${all.join(' AND ')}` : ''}
        ORDER BY ${orderBy} LIMIT ?`;
      return this.db.prepare<unknown[], ListRow>(sql).all(...params, ...extraParams, n);
    };
    const wanted = query.limit + 1;
    const keyed = [...cols, 'c.id'].map((c) => `${c} ${dir}`).join(', ');
    const after = (k: readonly unknown[], id: string): [string, unknown[]] => [
      `(${[...cols, 'c.id'].join(', ')}) ${cmp} (${[...cols, 'c.id'].map(() => '?').join(', ')})`,
      [...k, id],
    ];
    let rows: ListRow[] = [];
    // NULLs last in both orders: the rows with a sort key first, then those without it in id
    // order, each part read in the order of the same index.
    if (cursor === null || cursor.k !== null) {
      const extra: string[] = spec.nullable ? cols.map((c) => `${c} IS NOT NULL`) : [];
      const extraParams: unknown[] = [];
      if (cursor !== null && cursor.k !== null) {
        const [clause, values] = after(cursor.k, cursor.id);
        extra.push(clause);
        extraParams.push(...values);
      }
      rows = run(extra, extraParams, keyed, wanted);
    }
    if (rows.length < wanted && (spec.nullable || (cursor !== null && cursor.k === null))) {
      const extra = cols.map((c) => `${c} IS NULL`);
      const extraParams: unknown[] = [];
      if (cursor !== null && cursor.k === null) {
        extra.push(`c.id ${cmp} ?`);
        extraParams.push(cursor.id);
      }
      rows = [...rows, ...run(extra, extraParams, `c.id ${dir}`, wanted - rows.length)];
    }
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor(query, spec, last) : null;
    return { items: page.map((r) => this.readRow(r)), nextCursor };
  }

  private read(row: CarRow | undefined): StoredCar | null {
    return row ? this.readRow(row) : null;
  }

  /** The CAR of a row, once its record and indexed columns are the ones its head sealed. */
  private readRow(row: CarRow): StoredCar {
    let problem = checkRecordAgainstHead({
      seal: this.seal,
      store: this.store,
      carId: row.id,
      head: row.audit_seq === null || row.audit_mac === null ? null : headOf(row),
      headEntry:
        row.head_entry === null || row.head_mac === null
          ? null
          : { text: row.head_entry, mac: row.head_mac },
      recordText: row.body,
    });
    let car: Car | null = null;
    if (problem === null) {
      car = Car.fromPrimitives(parseCarRecord(row.id, row.body));
      problem = columnProblemsOf(row, car)[0] ?? null;
    }
    if (problem !== null || car === null) {
      const what = problem ?? 'the record does not read';
      this.audit.onIntegrityFailure?.(row.id, what);
      throw new RectifyError('CAR.INTEGRITY_FAILED', { id: row.id, problem: what });
    }
    return { car, etag: etagOf(row.version), updatedAt: row.updated_at };
  }

  /** Takes the next number of the year, inside the caller's transaction (so it rolls back with it). */
  private numberIfNeeded(car: Car): { number: CarNumber | null; changes: FieldChange[] } {
    if (!car.needsNumber()) return { number: null, changes: [] };
    const year = car.numberYear();
    const next = this.statements.nextNumber.get(year);
    if (!next) throw new Error(`no number handed out for ${year}`);
    const number = formatCarNumber(year, next.last_value);
    car.assignNumber(number);
    return { number, changes: [{ field: 'number', oldValue: null, newValue: number }] };
  }

  private replaceActions(car: Car): void {
    this.statements.deleteActions.run(car.id);
    for (const a of car.actions)
      this.statements.insertAction.run(car.id, a.id, a.kind, a.owner.id, a.status);
  }

  /** Who is involved, by the domain's rule, so that listing asks the same question as reading. */
  private replaceInvolved(car: Car): void {
    this.statements.deleteInvolved.run(car.id);
    for (const person of car.involvedPeople()) this.statements.insertInvolved.run(car.id, person);
  }

  /** Appends the one entry of this operation after `head`; returns the new head. */
  private appendEntry(
    head: TrailHead,
    audit: AuditRecord,
    extra: readonly FieldChange[],
    recordText: string,
  ): TrailHead {
    const sealed = sealEntry(this.seal, { store: this.store, head, audit, extra, recordText });
    this.statements.insertTrail.run({
      car_id: audit.carId,
      car_seq: sealed.entry.seq,
      operation: audit.operation,
      actor_id: audit.actor.id,
      at: audit.at,
      entry: sealed.text,
      mac: sealed.mac,
    });
    return { seq: sealed.entry.seq, mac: sealed.mac };
  }

  /** After commit: the new head goes to the checkpoint file (a failure never undoes the write). */
  private checkpoint(carId: string, outcome: WriteOutcome): void {
    if (!this.checkpoints || outcome.head === null) return;
    try {
      this.checkpoints.append(this.store, carId, outcome.head, outcome.at);
    } catch (e) {
      this.audit.onCheckpointFailure?.(e);
    }
  }

  /**
   * Carries the trail of an older release (audit_log, one row per field) over to the new one,
   * once, with the key: each write becomes one entry, keeping its position in the feed. It
   * refuses when the old chain does not verify, so that nothing tampered is sealed as good.
   * Then writes a first checkpoint of every head when the store has none yet.
   */
  private carryOverOlderTrail(): void {
    const pending = this.db
      .prepare<[], { id: string; body: string; updated_at: string }>(
        'SELECT id, body, updated_at FROM cars WHERE audit_seq IS NULL',
      )
      .all();
    if (pending.length > 0) {
      const legacy = verifyLegacyTrail(this.db);
      if (!legacy.ok)
        throw new Error(
          `the audit trail of the older release is broken at entry #${legacy.firstBroken.sequence} (${legacy.firstBroken.reason}); restore a backup before upgrading`,
        );
      const rowsOf = this.db.prepare<[string], AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE car_id = ? ORDER BY sequence`,
      );
      const insertAt = this.db.prepare<[TrailRow & { position: number }]>(
        `INSERT INTO audit_trail (position, car_id, car_seq, operation, actor_id, at, entry, mac)
         VALUES (@position, @car_id, @car_seq, @operation, @actor_id, @at, @entry, @mac)`,
      );
      const setHead = this.db.prepare<[number, string, string]>(
        'UPDATE cars SET audit_seq = ?, audit_mac = ? WHERE id = ?',
      );
      const carry = this.db.transaction(() => {
        for (const car of pending) {
          const groups: AuditRow[][] = [];
          for (const r of rowsOf.all(car.id)) {
            const g = groups.at(-1);
            const p = g?.at(-1);
            if (g && p && p.operation === r.operation && p.actor_id === r.actor_id && p.at === r.at)
              g.push(r);
            else groups.push([r]);
          }
          let head = NO_HEAD;
          groups.forEach((g, i) => {
            const first = g[0] as AuditRow;
            const last = g.at(-1) as AuditRow;
            const changes = g
              .filter((r) => r.field !== '*')
              .map((r) => ({
                field: r.field,
                oldValue: JSON.parse(r.old_value) as unknown,
                newValue: JSON.parse(r.new_value) as unknown,
              }));
            const audit: AuditRecord = {
              carId: car.id,
              operation: first.operation,
              actor: { id: first.actor_id, name: first.actor_name },
              at: first.at,
              reason: first.reason,
              changes,
            };
            const isLast = i === groups.length - 1;
            const sealed = sealEntry(this.seal, {
              store: this.store,
              head,
              audit,
              extra: [],
              recordText: car.body,
              recordUnknown: !isLast,
            });
            insertAt.run({
              position: last.sequence,
              car_id: car.id,
              car_seq: sealed.entry.seq,
              operation: first.operation,
              actor_id: first.actor_id,
              at: first.at,
              entry: sealed.text,
              mac: sealed.mac,
            });
            head = { seq: sealed.entry.seq, mac: sealed.mac };
          });
          if (head.seq === 0) {
            // A record the older release kept without any trail: adopted as it is, and said so.
            const sealed = sealEntry(this.seal, {
              store: this.store,
              head,
              audit: {
                carId: car.id,
                operation: 'adoptRecord',
                actor: { id: 'rectify', name: 'Rectify' },
                at: car.updated_at,
                reason: 'The older release kept no audit trail for this record',
                changes: [],
              },
              extra: [],
              recordText: car.body,
            });
            this.statements.insertTrail.run({
              car_id: car.id,
              car_seq: sealed.entry.seq,
              operation: 'adoptRecord',
              actor_id: 'rectify',
              at: car.updated_at,
              entry: sealed.text,
              mac: sealed.mac,
            });
            head = { seq: sealed.entry.seq, mac: sealed.mac };
          }
          setHead.run(head.seq, head.mac, car.id);
        }
      });
      carry.immediate();
    }
    if (this.checkpoints && this.checkpoints.read().length === 0) {
      const heads = this.db
        .prepare<[], { id: string; audit_seq: number; audit_mac: string; updated_at: string }>(
          'SELECT id, audit_seq, audit_mac, updated_at FROM cars WHERE audit_seq IS NOT NULL',
        )
        .all();
      for (const h of heads)
        this.checkpoints.append(
          this.store,
          h.id,
          { seq: h.audit_seq, mac: h.audit_mac },
          h.updated_at,
        );
    }
  }
}

function assertAuditOf(car: Car, audit: AuditRecord): void {
  if (audit.carId !== car.id)
    throw new Error(`audit record for CAR ${audit.carId} handed in with CAR ${car.id}`);
}

/** The caller's CAR takes the number only once it is committed. */
function adoptNumber(car: Car, number: CarNumber | null): void {
  if (number !== null && car.needsNumber()) car.assignNumber(number);
}

/** A copy the caller may change without touching what the transaction returned. */
const detached = (stored: StoredCar): StoredCar => ({
  ...stored,
  car: Car.fromPrimitives(stored.car.toPrimitives()),
});

/** Runs synchronous store work as a promise, so that a failure is a rejection, not a throw. */
const settle = <T>(work: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(work());
  });

function encodeCursor(query: CarQuery, spec: SortSpec, row: ListRow): string {
  const values = spec.columns.map((c) => row[c]);
  const key: SortKey | null = values.some((v) => v === null)
    ? null
    : values.filter((v): v is string | number => v !== null);
  const cursor: Cursor = { s: query.sort, o: query.order, k: key, id: row.id };
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(raw: string, query: CarQuery, spec: SortSpec): Cursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not a cursor this service issued');
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw invalidCursor('not a cursor this service issued');
  const cursor = parsed.data;
  if (cursor.s !== query.sort || cursor.o !== query.order)
    throw invalidCursor('the cursor belongs to another sort order');
  if (cursor.k === null) {
    if (!spec.nullable) throw invalidCursor('not a cursor this service issued');
    return cursor;
  }
  const typed = cursor.k.every((v) =>
    spec.keyType === 'integer' ? typeof v === 'number' : typeof v === 'string',
  );
  if (cursor.k.length !== spec.columns.length || !typed)
    throw invalidCursor('not a cursor this service issued');
  return cursor;
}

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
import {
  GENESIS_HASH,
  chainEntry,
  toStoredJson,
  verifyChain,
  type ChainVerification,
  type ChainedRow,
} from '../audit/hash-chain.js';
import { encodeCarFacts } from '../../application/ports/car-facts.js';
import { carFactsOf } from '../../application/ports/car-scan.js';
import { parseCarRecord } from './car-record.schema.js';
import type { Database, Statement } from 'better-sqlite3';

interface CarRow {
  id: string;
  version: number;
  updated_at: string;
  body: string;
}

interface ListRow extends CarRow {
  reported_at: string;
  number_year: number | null;
  number_seq: number | null;
  next_due_date: string | null;
}

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
interface CarColumns {
  id: string;
  number: string | null;
  number_year: number | null;
  number_seq: number | null;
  state: string;
  type: string;
  classification: string | null;
  confidential: 0 | 1;
  reporter_id: string;
  reported_at: string;
  updated_at: string;
  next_due_date: string | null;
  search_text: string;
  body: string;
  /** The compact facts the analysis scan reads (`encodeCarFacts`), written with the body. */
  facts: string;
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

function columnsOf(car: Car, updatedAt: string): CarColumns {
  const p: CarPrimitives = car.toPrimitives();
  const numbered = p.number === null ? null : parseCarNumber(p.number);
  return {
    id: p.id,
    number: p.number,
    number_year: numbered?.year ?? null,
    number_seq: numbered?.sequence ?? null,
    state: p.state,
    type: p.report.type,
    classification: p.classification,
    confidential: p.report.confidential ? 1 : 0,
    reporter_id: p.reporter.id,
    reported_at: normalisedInstant(p.reportedAt, `reportedAt of CAR ${p.id}`),
    updated_at: updatedAt,
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
    body: JSON.stringify(p),
    facts: encodeCarFacts(carFactsOf(p)),
  };
}

function parseStoredJson(text: string, sequence: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`audit entry #${sequence} holds a value that is not JSON`, { cause: e });
  }
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

/** Checks the whole audit trail, streaming it in sequence order. */
export function verifyAuditTrail(db: Database): ChainVerification {
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
}

/**
 * The embedded store. Each write is one IMMEDIATE transaction (the write lock is taken before
 * anything is read), so the etag check, the number, the row and its audit entries commit or
 * roll back together, also across processes sharing the file.
 */
export class SqliteCarRepository implements CarRepository {
  private readonly statements: {
    readonly carById: Statement<[string], CarRow>;
    readonly carByNumber: Statement<[string], CarRow>;
    readonly versionById: Statement<[string], { version: number }>;
    readonly insertCar: Statement<[CarColumns & { version: number }]>;
    readonly updateCar: Statement<[CarColumns & { expected_version: number }]>;
    readonly deleteActions: Statement<[string]>;
    readonly insertAction: Statement<[string, string, string, string, string]>;
    readonly nextNumber: Statement<[number], { last_value: number }>;
    readonly claimByKey: Statement<[string, string], { fingerprint: string; car_id: string }>;
    readonly insertClaim: Statement<[string, string, string, string, string]>;
    readonly lastAudit: Statement<[], { sequence: number; hash: string }>;
    readonly insertAudit: Statement<[AuditRow]>;
    readonly auditByCar: Statement<[string], AuditRow>;
  };

  private readonly createTx: (
    car: Car,
    audit: AuditRecord,
    claim: IdempotencyClaim | undefined,
  ) => WriteOutcome;
  private readonly updateTx: (car: Car, expectedEtag: string, audit: AuditRecord) => WriteOutcome;

  constructor(private readonly db: Database) {
    const carColumns =
      'id, number, number_year, number_seq, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, body, facts';
    this.statements = {
      carById: db.prepare('SELECT id, version, updated_at, body FROM cars WHERE id = ?'),
      carByNumber: db.prepare('SELECT id, version, updated_at, body FROM cars WHERE number = ?'),
      versionById: db.prepare('SELECT version FROM cars WHERE id = ?'),
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
      lastAudit: db.prepare('SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1'),
      insertAudit: db.prepare(
        `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${AUDIT_COLUMNS.split(', ')
          .map((c) => `@${c}`)
          .join(', ')})`,
      ),
      auditByCar: db.prepare(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE car_id = ? ORDER BY sequence`,
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
            return { stored, replayed: true, assigned: null };
          }
        }
        const working = Car.fromPrimitives(car.toPrimitives());
        const numbering = this.numberIfNeeded(working);
        const updatedAt = normalisedInstant(audit.at, 'audit.at');
        this.statements.insertCar.run({ ...columnsOf(working, updatedAt), version: 1 });
        this.replaceActions(working);
        this.appendAudit(audit, numbering.changes);
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
        };
      },
    );
    this.createTx = (car, audit, claim) => createTx.immediate(car, audit, claim);

    const updateTx = db.transaction(
      (car: Car, expectedEtag: string, audit: AuditRecord): WriteOutcome => {
        assertAuditOf(car, audit);
        const current = this.statements.versionById.get(car.id);
        if (!current) throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
        const currentEtag = etagOf(current.version);
        if (currentEtag !== expectedEtag) throw new RectifyError('CAR.CONFLICT', { currentEtag });
        const working = Car.fromPrimitives(car.toPrimitives());
        const numbering = this.numberIfNeeded(working);
        const updatedAt = normalisedInstant(audit.at, 'audit.at');
        const result = this.statements.updateCar.run({
          ...columnsOf(working, updatedAt),
          expected_version: current.version,
        });
        // Unreachable while the write lock is held; kept so a lost update can never pass silently.
        if (result.changes !== 1) throw new RectifyError('CAR.CONFLICT', { currentEtag });
        this.replaceActions(working);
        this.appendAudit(audit, numbering.changes);
        return {
          stored: { car: working, etag: etagOf(current.version + 1), updatedAt },
          replayed: false,
          assigned: numbering.number,
        };
      },
    );
    this.updateTx = (car, expectedEtag, audit) => updateTx.immediate(car, expectedEtag, audit);
  }

  create(
    car: Car,
    audit: AuditRecord,
    idempotency?: IdempotencyClaim,
  ): Promise<{ stored: StoredCar; replayed: boolean }> {
    return settle(() => {
      const outcome = this.createTx(car, audit, idempotency);
      adoptNumber(car, outcome.assigned);
      return { stored: detached(outcome.stored), replayed: outcome.replayed };
    });
  }

  update(car: Car, expectedEtag: string, audit: AuditRecord): Promise<StoredCar> {
    return settle(() => {
      const outcome = this.updateTx(car, expectedEtag, audit);
      adoptNumber(car, outcome.assigned);
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
      this.statements.auditByCar.all(carId).map((r): AuditEntry => ({
        sequence: r.sequence,
        carId: r.car_id,
        operation: r.operation,
        field: r.field,
        oldValue: parseStoredJson(r.old_value, r.sequence),
        newValue: parseStoredJson(r.new_value, r.sequence),
        actor: { id: r.actor_id, name: r.actor_name },
        at: r.at,
        reason: r.reason,
        hash: r.hash,
      })),
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
    const anyOf = (column: string, values: readonly string[] | undefined): void => {
      // An empty list filters nothing, like an absent one.
      if (!values || values.length === 0) return;
      where.push(`c.${column} IN (${values.map(() => '?').join(', ')})`);
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
    if (query.actionOwnerId !== undefined) {
      where.push(
        "EXISTS (SELECT 1 FROM car_actions a WHERE a.car_id = c.id AND a.status <> 'cancelled' AND a.owner_id = ?)",
      );
      params.push(query.actionOwnerId);
    }
    if (query.reporterId !== undefined) {
      where.push('c.reporter_id = ?');
      params.push(query.reporterId);
    }
    if (query.overdue === true) {
      where.push(
        `c.state IN (${OPEN_STATES.map(() => '?').join(', ')}) AND c.next_due_date IS NOT NULL AND c.next_due_date < ?`,
      );
      params.push(...OPEN_STATES, query.today);
    }
    for (const word of (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
      where.push("c.search_text LIKE ? ESCAPE '\\'");
      params.push(`%${escapeLike(word)}%`);
    }
    if (query.visibility.kind === 'involved') {
      where.push(
        `(c.reporter_id = ? OR (c.confidential = 0 AND EXISTS (SELECT 1 FROM car_actions a WHERE a.car_id = c.id AND a.status <> 'cancelled' AND a.owner_id = ?)))`,
      );
      params.push(query.visibility.personId, query.visibility.personId);
    }

    const dir = query.order === 'asc' ? 'ASC' : 'DESC';
    const cmp = query.order === 'asc' ? '>' : '<';
    const cols = spec.columns.map((c) => `c.${c}`);
    const first = cols[0] ?? 'c.id';
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, query, spec);
      if (cursor.k === null) {
        where.push(`(${first} IS NULL AND c.id ${cmp} ?)`);
        params.push(cursor.id);
      } else {
        const after = `(${[...cols, 'c.id'].join(', ')}) ${cmp} (${[...cols, 'c.id'].map(() => '?').join(', ')})`;
        where.push(spec.nullable ? `(${first} IS NULL OR ${after})` : after);
        params.push(...cursor.k, cursor.id);
      }
    }
    // NULLs last in both orders, then the sort key, then the id so that the order is total.
    const orderBy = [
      ...(spec.nullable ? [`(${first} IS NULL) ASC`] : []),
      ...cols.map((c) => `${c} ${dir}`),
      `c.id ${dir}`,
    ].join(', ');
    const sql = `SELECT c.id, c.version, c.updated_at, c.body, c.reported_at, c.number_year, c.number_seq, c.next_due_date
      FROM cars c ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${orderBy} LIMIT ?`;
    const rows = this.db.prepare<unknown[], ListRow>(sql).all(...params, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor(query, spec, last) : null;
    return { items: page.map((r) => this.readRow(r)), nextCursor };
  }

  private read(row: CarRow | undefined): StoredCar | null {
    return row ? this.readRow(row) : null;
  }

  private readRow(row: CarRow): StoredCar {
    return {
      car: Car.fromPrimitives(parseCarRecord(row.id, row.body)),
      etag: etagOf(row.version),
      updatedAt: row.updated_at,
    };
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

  private appendAudit(audit: AuditRecord, extra: readonly FieldChange[]): void {
    const last = this.statements.lastAudit.get();
    let prevHash = last?.hash ?? GENESIS_HASH;
    let sequence = last?.sequence ?? 0;
    const changes = [...audit.changes, ...extra];
    // An operation that changed no field is still recorded: who did what, when and why.
    const rows = changes.length > 0 ? changes : [{ field: '*', oldValue: null, newValue: null }];
    for (const change of rows) {
      sequence += 1;
      const entry = chainEntry(prevHash, {
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
      this.statements.insertAudit.run({
        sequence: entry.sequence,
        car_id: entry.carId,
        operation: entry.operation,
        field: entry.field,
        old_value: entry.oldValue,
        new_value: entry.newValue,
        reason: entry.reason,
        actor_id: entry.actorId,
        actor_name: entry.actorName,
        at: entry.at,
        prev_hash: entry.prevHash,
        hash: entry.hash,
      });
      prevHash = entry.hash;
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

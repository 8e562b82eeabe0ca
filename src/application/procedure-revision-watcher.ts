import { diffFields } from '../domain/audit/audit-entry.js';
import { dateInZone } from '../domain/calendar/local-date.js';
import type { ServiceLevels } from '../domain/calendar/service-levels.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import type { CarRepository, StoredCar } from '../domain/car/car-repository.js';
import type { DueDatePolicy, OperationContext, ProcedureLink } from '../domain/car/car.js';
import { isRectifyError } from '../domain/errors.js';
import type { PersonRef } from '../domain/identity.js';
import {
  findProcedure,
  revisionsCiting,
  traineesOf,
  type Procedure,
} from '../domain/procedure/procedure.js';
import type { Clock } from './ports/clock.js';
import type { ProcedureLibrary } from './ports/procedure-library.js';

/** Who the audit trail names when Rectify itself records a revision found in the library. */
export const PROCEDURE_LIBRARY_ACTOR: PersonRef = {
  id: 'rectify-procedure-library',
  name: 'Rectify (procedure library)',
};

export interface ProcedureRevisionWatcherDeps {
  readonly repository: CarRepository;
  readonly library: ProcedureLibrary;
  readonly clock: Clock;
  readonly calendar: WorkingCalendar;
  readonly serviceLevels: ServiceLevels;
  readonly timeZone: string;
}

export interface RecordedRevision {
  readonly carId: string;
  readonly carNumber: string;
  readonly linkId: string;
  readonly procedureId: string;
  readonly revisionInForce: string;
  readonly newRevision: string;
  readonly trainingActions: number;
}

export interface WatchReport {
  /** CARs in implementation with a procedure link still waiting for its new revision. */
  readonly waiting: number;
  readonly recorded: readonly RecordedRevision[];
  /** Links another instance (or the MR) changed first; they are left as they are. */
  readonly conflicts: number;
  /** Links the domain refused to record (stated per CAR, never thrown). */
  readonly refused: readonly {
    readonly carId: string;
    readonly linkId: string;
    readonly code: string;
  }[];
}

const PAGE = 100;

/**
 * Finds, for every CAR in implementation whose procedure change is not yet recorded, a
 * published revision in the library that is higher than the revision in force and whose change
 * log cites the CAR's number, and records it on the CAR with the procedure's configured
 * trainees. Safe on several instances at once: each write carries the CAR's ETag, so the
 * second instance gets a conflict, which it ignores; a link already revised is never recorded
 * again.
 */
export class ProcedureRevisionWatcher {
  private readonly policy: DueDatePolicy;

  constructor(private readonly deps: ProcedureRevisionWatcherDeps) {
    this.policy = { calendar: deps.calendar, serviceLevels: deps.serviceLevels };
  }

  /** One pass. Throws only when the store or the library as a whole cannot be read. */
  async tick(): Promise<WatchReport> {
    const waiting = await this.waitingCars();
    const report = {
      waiting: waiting.length,
      recorded: [] as RecordedRevision[],
      conflicts: 0,
      refused: [] as WatchReport['refused'][number][],
    };
    if (waiting.length === 0) return report;
    const { procedures } = await this.deps.library.list();
    for (const first of waiting) {
      let stored: StoredCar | null = first;
      for (const link of pendingLinks(first)) {
        if (stored === null) break;
        stored = await this.recordIfPublished(stored, link, procedures, report);
      }
    }
    return report;
  }

  private async waitingCars(): Promise<StoredCar[]> {
    const found: StoredCar[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.list({
        states: ['implementing'],
        today: dateInZone(this.deps.clock.now(), this.deps.timeZone),
        visibility: { kind: 'all' },
        sort: 'updatedAt',
        order: 'asc',
        limit: PAGE,
        cursor,
      });
      found.push(...page.items.filter((s) => s.car.number !== null && pendingLinks(s).length > 0));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found;
  }

  /** The CAR after the write; null when it must not be touched again in this pass. */
  private async recordIfPublished(
    stored: StoredCar,
    link: ProcedureLink,
    procedures: readonly Procedure[],
    report: {
      recorded: RecordedRevision[];
      conflicts: number;
      refused: WatchReport['refused'][number][];
    },
  ): Promise<StoredCar | null> {
    const car = stored.car;
    const number = car.number;
    const procedure = findProcedure(procedures, link.procedureId);
    if (number === null || !procedure) return stored;
    const found = revisionsCiting(procedure, link.revisionInForce, number).at(-1);
    if (!found) return stored;
    const before = car.toPrimitives();
    const now = this.deps.clock.now();
    const ctx: OperationContext = {
      actor: PROCEDURE_LIBRARY_ACTOR,
      now: now.toISOString(),
      today: dateInZone(now, this.deps.timeZone),
    };
    const trainees = traineesOf(procedure.training);
    try {
      car.recordProcedureRevision(
        ctx,
        link.id,
        { newRevision: found.versionName, changelog: found.changelog, trainees },
        this.policy,
      );
    } catch (e) {
      if (!isRectifyError(e)) throw e;
      report.refused.push({ carId: car.id, linkId: link.id, code: e.code });
      return null;
    }
    const where =
      found.source.kind === 'folder'
        ? found.source.path
        : `${found.source.webUrl} (version ${found.source.versionId})`;
    try {
      const saved = await this.deps.repository.update(car, stored.etag, {
        carId: car.id,
        operation: 'recordProcedureRevision',
        actor: PROCEDURE_LIBRARY_ACTOR,
        at: ctx.now,
        reason: `Revision ${found.versionName} of ${procedure.docId ?? procedure.id} published in the procedure library: ${where}`,
        changes: diffFields(before, car.toPrimitives()),
      });
      report.recorded.push({
        carId: car.id,
        carNumber: number,
        linkId: link.id,
        procedureId: procedure.id,
        revisionInForce: link.revisionInForce,
        newRevision: found.versionName,
        trainingActions: trainees.length,
      });
      return saved;
    } catch (e) {
      if (isRectifyError(e) && e.code === 'CAR.CONFLICT') {
        report.conflicts += 1;
        return null;
      }
      throw e;
    }
  }
}

const pendingLinks = (stored: StoredCar): ProcedureLink[] =>
  stored.car.procedureLinks.filter((l) => l.newRevision === null);

/** How often the server should run `tick()`: the library is read only when a CAR waits. */
export const RECOMMENDED_WATCH_INTERVAL_MS = 5 * 60_000;

import { dateInZone, isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import { RectifyError } from '../../domain/errors.js';
import type { Principal } from '../../domain/identity.js';
import { seesEverything } from '../access-policy.js';
import type { CarService } from '../car-service.js';
import { lastMeetingBefore, listMeetings } from '../committee/meetings.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { carsVisibleTo, type CarSource } from './car-source.js';
import { carRecordDocument, type LinkedTask } from './car-record.js';
import type { ReportDocument } from '../ports/report-document.js';
import { collectReviewPack, reviewPackDocument } from './review-pack.js';

export interface ExportServiceDeps {
  readonly carService: CarService;
  readonly clock: Clock;
  /** The organisation's time zone (dates of instants, "today"). */
  readonly timeZone: string;
  /**
   * Where the committee's meetings are kept. Without it the last meeting is taken from the
   * committee reviews recorded on the CARs.
   */
  readonly meetingStore?: StateStore | undefined;
  /** The board tasks linked to a CAR, where a task board is configured. */
  readonly tasksOf?: ((car: CarPrimitives) => Promise<readonly LinkedTask[]>) | undefined;
}

/**
 * The register exports, the management-review pack and a CAR's complete record. All of them
 * are for the MR and the Steering Committee: the register and the pack hold every CAR,
 * confidential ones included, and a CAR's record holds its whole audit trail (every earlier
 * value of every field, which a reporter or an action owner never sees elsewhere).
 */
export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  today(): LocalDate {
    return dateInZone(this.deps.clock.now(), this.deps.timeZone);
  }

  now(): string {
    return this.deps.clock.now().toISOString();
  }

  private allow(principal: Principal): void {
    if (!seesEverything(principal))
      throw new RectifyError('AUTH.FORBIDDEN', { reason: 'MR or Steering Committee only' });
  }

  /** Every CAR, for the register exports. */
  register(principal: Principal): CarSource {
    this.allow(principal);
    return carsVisibleTo(this.deps.carService, principal);
  }

  /**
   * A CAR's complete record. Someone who may not see the CAR gets CAR.NOT_FOUND, as everywhere;
   * someone who may see it but is neither MR nor committee gets AUTH.FORBIDDEN. `tasks` given
   * by the caller replace those of the configured board.
   */
  async carRecord(
    principal: Principal,
    idOrNumber: string,
    tasks?: readonly LinkedTask[],
  ): Promise<{ document: ReportDocument; car: CarPrimitives }> {
    const stored = await this.deps.carService.get(principal, idOrNumber);
    this.allow(principal);
    const car = stored.car.toPrimitives();
    const history = await this.deps.carService.history(principal, car.id);
    const linked = tasks ?? (this.deps.tasksOf ? await this.deps.tasksOf(car) : []);
    return {
      car,
      document: carRecordDocument({
        car,
        history,
        tasks: linked,
        generatedAt: this.now(),
        generatedBy: principal.name,
      }),
    };
  }

  /** The management-review pack of the meeting on `meetingDate` (planned or not). */
  async reviewPack(principal: Principal, meetingDate: string): Promise<ReportDocument> {
    this.allow(principal);
    if (!isLocalDate(meetingDate))
      throw new RectifyError('REQUEST.VALIDATION', {
        field: 'date',
        reason: 'A meeting date reads YYYY-MM-DD',
      });
    let meetingTitle: string | null = null;
    let lastMeetingDate: LocalDate | null | undefined;
    if (this.deps.meetingStore) {
      const meetings = await listMeetings(this.deps.meetingStore);
      meetingTitle = meetings.find((m) => m.date === meetingDate)?.title || null;
      // No meeting kept at all: the committee has not used meeting records; fall back.
      if (meetings.length > 0)
        lastMeetingDate = lastMeetingBefore(meetings, meetingDate)?.date ?? null;
    }
    const pack = await collectReviewPack(carsVisibleTo(this.deps.carService, principal), {
      meetingDate,
      meetingTitle,
      lastMeetingDate,
      timeZone: this.deps.timeZone,
      asOf: this.today(),
      generatedAt: this.now(),
      generatedBy: principal.name,
    });
    return reviewPackDocument(pack);
  }
}

import { z } from 'zod';
import { dateInZone, isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';
import { RectifyError, isRectifyError, type ErrorCode } from '../../domain/errors.js';
import { toPersonRef, type Principal } from '../../domain/identity.js';
import { seesEverything } from '../access-policy.js';
import { CarCommandSchemas } from '../car-commands.js';
import type { CarService } from '../car-service.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { AgendaBuilder, type Agenda } from './agenda.js';
import type { CarScan } from '../ports/car-scan.js';
import { KpiBuilder, type KpiPeriod, type Kpis } from './kpis.js';
import {
  MEETING_KIND,
  getMeeting,
  lastMeetingBefore,
  listMeetings,
  meetingKey,
  meetingOf,
  meetingValueOf,
  type Meeting,
  type MeetingValue,
} from './meetings.js';
import { ZonedDates } from './zoned-dates.js';

export interface MeetingServiceDeps {
  readonly carService: CarService;
  readonly scan: CarScan;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly timeZone: string;
}

/** One committee decision on one CAR, as the committee takes it at the meeting. */
export interface DecisionInput {
  readonly carId: string;
  /** The version of the CAR the committee decided on (the agenda gives it). */
  readonly etag: string;
  readonly decision: string;
  readonly followUp?: string | null | undefined;
  readonly minutesRef?: string | undefined;
}

export type DecisionResult =
  | {
      readonly carId: string;
      readonly status: 'ok';
      /** True when the CAR already had a review of this meeting: nothing was added. */
      readonly alreadyReviewed: boolean;
      readonly etag: string;
    }
  | { readonly carId: string; readonly status: 'conflict'; readonly currentEtag: string }
  | {
      readonly carId: string;
      readonly status: 'error';
      readonly code: ErrorCode;
      readonly message: string;
    };

export interface DecisionsOutcome {
  readonly results: readonly DecisionResult[];
  /** The meeting after the pass: done when every decision is recorded. */
  readonly meeting: Meeting;
}

export const MAX_DECISIONS = 500;
const MEETING_WRITE_ATTEMPTS = 5;

const Title = z.string().trim().max(300);

const validDate = (date: string): LocalDate => {
  if (!isLocalDate(date))
    throw new RectifyError('REQUEST.VALIDATION', {
      field: 'date',
      reason: 'A date reads YYYY-MM-DD',
    });
  return date;
};

/**
 * The Steering Committee's use cases: plan a meeting, its agenda, its decisions recorded in
 * one pass, and the trend figures. For the committee and the MR only.
 */
export class MeetingService {
  constructor(private readonly deps: MeetingServiceDeps) {}

  private allow(principal: Principal): void {
    if (!seesEverything(principal))
      throw new RectifyError('AUTH.FORBIDDEN', { reason: 'committee or MR only' });
  }

  today(): LocalDate {
    return dateInZone(this.deps.clock.now(), this.deps.timeZone);
  }

  async listMeetings(principal: Principal): Promise<Meeting[]> {
    this.allow(principal);
    return listMeetings(this.deps.store);
  }

  /**
   * Plans the meeting of `date`, or changes the title of a planned one (with `ifMatch`, only
   * if its etag still matches). A meeting that is done is not changed.
   */
  async planMeeting(
    principal: Principal,
    dateText: string,
    input: { readonly title: string },
    ifMatch?: string,
  ): Promise<{ meeting: Meeting; created: boolean }> {
    this.allow(principal);
    const date = validDate(dateText);
    const title = Title.safeParse(input.title);
    if (!title.success)
      throw new RectifyError('REQUEST.VALIDATION', {
        field: 'title',
        reason: 'at most 300 characters',
      });
    const value: MeetingValue = {
      date,
      status: 'planned',
      title: title.data,
      decidedCarIds: [],
      doneAt: null,
      doneBy: null,
    };
    const { record, created } = await this.deps.store.createIfAbsent({
      key: meetingKey(date),
      kind: MEETING_KIND,
      value,
      dueAt: null,
    });
    const existing = meetingOf(record);
    if (created) return { meeting: existing, created };
    if (ifMatch !== undefined && ifMatch !== existing.etag)
      throw new RectifyError('MEETING.CONFLICT', { currentEtag: existing.etag });
    if (existing.status === 'done') throw new RectifyError('MEETING.DONE', { date });
    if (existing.title === title.data) return { meeting: existing, created: false };
    const replaced = await this.deps.store.replace(record.key, existing.etag, {
      value: { ...meetingValueOf(existing), title: title.data } satisfies MeetingValue,
      dueAt: record.dueAt,
    });
    if (!replaced) throw new RectifyError('MEETING.CONFLICT', { date });
    return { meeting: meetingOf(replaced), created: false };
  }

  /** The agenda of the meeting on `date` (planned or not), from one scan of the CARs. */
  async agenda(
    principal: Principal,
    dateText: string,
  ): Promise<{ meeting: Meeting | null; agenda: Agenda }> {
    this.allow(principal);
    const date = validDate(dateText);
    const meetings = await listMeetings(this.deps.store);
    const last = lastMeetingBefore(meetings, date);
    const builder = new AgendaBuilder(date, last?.date ?? null, new ZonedDates(this.deps.timeZone));
    for await (const batch of this.deps.scan.scan()) for (const car of batch) builder.add(car);
    return { meeting: meetings.find((m) => m.date === date) ?? null, agenda: builder.result() };
  }

  async kpis(principal: Principal, period: { from: string; to: string }): Promise<Kpis> {
    this.allow(principal);
    const p: KpiPeriod = { from: validDate(period.from), to: validDate(period.to) };
    if (p.from > p.to)
      throw new RectifyError('REQUEST.VALIDATION', { field: 'to', reason: 'to is before from' });
    const builder = new KpiBuilder(p, this.today(), new ZonedDates(this.deps.timeZone));
    for await (const batch of this.deps.scan.scan()) for (const { car } of batch) builder.add(car);
    return builder.result();
  }

  /**
   * Records the committee's decisions of the meeting on `date` in one pass: a committee review
   * on each CAR (through CarService, so rights, ETags and the audit trail apply), then marks
   * the meeting done if every decision is recorded. Sending the same decisions again adds
   * nothing: a CAR that already has a review of this meeting is left as it is. Every decision
   * is checked before anything is written.
   */
  async decide(
    principal: Principal,
    dateText: string,
    decisions: readonly DecisionInput[],
  ): Promise<DecisionsOutcome> {
    this.allow(principal);
    const date = validDate(dateText);
    const commands = this.validate(date, decisions);
    const meeting = await getMeeting(this.deps.store, date);
    if (!meeting) throw new RectifyError('MEETING.NOT_FOUND', { date });

    const results: DecisionResult[] = [];
    for (const [i, d] of decisions.entries()) {
      const command = commands[i];
      if (!command) throw new Error('a decision without its command');
      results.push(await this.decideOne(principal, date, meeting.status === 'done', d, command));
    }
    const recorded = results.filter((r) => r.status === 'ok').map((r) => r.carId);
    const allRecorded = recorded.length === results.length;
    return { results, meeting: await this.markDecided(principal, date, recorded, allRecorded) };
  }

  private validate(
    date: LocalDate,
    decisions: readonly DecisionInput[],
  ): z.infer<(typeof CarCommandSchemas)['addCommitteeReview']>[] {
    if (decisions.length === 0 || decisions.length > MAX_DECISIONS)
      throw new RectifyError('REQUEST.VALIDATION', {
        field: 'decisions',
        reason: `1 to ${MAX_DECISIONS} decisions`,
      });
    const seen = new Set<string>();
    const errors: { field: string; message: string }[] = [];
    const commands = decisions.map((d, i) => {
      if (seen.has(d.carId))
        errors.push({ field: `decisions.${i}.carId`, message: 'The CAR appears twice' });
      seen.add(d.carId);
      if (d.etag.trim() === '') errors.push({ field: `decisions.${i}.etag`, message: 'Required' });
      const parsed = CarCommandSchemas.addCommitteeReview.safeParse({
        op: 'addCommitteeReview',
        meetingDate: date,
        minutesRef: d.minutesRef ?? '',
        decision: d.decision,
        followUp: d.followUp ?? null,
      });
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          errors.push({ field: `decisions.${i}.${issue.path.join('.')}`, message: issue.message });
        return null;
      }
      return parsed.data;
    });
    if (errors.length > 0) throw new RectifyError('REQUEST.VALIDATION', { in: 'body', errors });
    return commands.filter((c) => c !== null);
  }

  private async decideOne(
    principal: Principal,
    date: LocalDate,
    meetingDone: boolean,
    d: DecisionInput,
    command: z.infer<(typeof CarCommandSchemas)['addCommitteeReview']>,
  ): Promise<DecisionResult> {
    const reviewedAt = async (): Promise<{ reviewed: boolean; etag: string }> => {
      const stored = await this.deps.carService.get(principal, d.carId);
      const reviewed = stored.car
        .toPrimitives()
        .committeeReviews.some((r) => r.meetingDate === date);
      return { reviewed, etag: stored.etag };
    };
    try {
      const before = await reviewedAt();
      if (before.reviewed)
        return { carId: d.carId, status: 'ok', alreadyReviewed: true, etag: before.etag };
      if (meetingDone) throw new RectifyError('MEETING.DONE', { date });
      try {
        const stored = await this.deps.carService.execute(principal, d.carId, d.etag, command);
        return { carId: d.carId, status: 'ok', alreadyReviewed: false, etag: stored.etag };
      } catch (e) {
        if (!isRectifyError(e) || e.code !== 'CAR.CONFLICT') throw e;
        // A retry whose first attempt landed, or someone reviewed it meanwhile for this meeting.
        const now = await reviewedAt();
        if (now.reviewed)
          return { carId: d.carId, status: 'ok', alreadyReviewed: true, etag: now.etag };
        return { carId: d.carId, status: 'conflict', currentEtag: now.etag };
      }
    } catch (e) {
      if (!isRectifyError(e)) throw e;
      return { carId: d.carId, status: 'error', code: e.code, message: e.message };
    }
  }

  /** Adds the decided CARs to the meeting, and marks it done when everything was recorded. */
  private async markDecided(
    principal: Principal,
    date: LocalDate,
    decided: readonly string[],
    done: boolean,
  ): Promise<Meeting> {
    for (let attempt = 0; attempt < MEETING_WRITE_ATTEMPTS; attempt += 1) {
      const record = await this.deps.store.get(meetingKey(date));
      if (!record) throw new RectifyError('MEETING.NOT_FOUND', { date });
      const { etag, ...current } = meetingOf(record);
      const ids = [...new Set([...current.decidedCarIds, ...decided])];
      const becomesDone = done && current.status === 'planned';
      if (ids.length === current.decidedCarIds.length && !becomesDone) return { ...current, etag };
      const next: MeetingValue = {
        ...current,
        decidedCarIds: ids,
        ...(becomesDone
          ? {
              status: 'done',
              doneAt: this.deps.clock.now().toISOString(),
              doneBy: toPersonRef(principal),
            }
          : {}),
      };
      const replaced = await this.deps.store.replace(record.key, etag, {
        value: next,
        dueAt: record.dueAt,
      });
      if (replaced) return meetingOf(replaced);
    }
    throw new RectifyError('MEETING.CONFLICT', { date });
  }
}

import type { LocalDate } from '../../domain/calendar/local-date.js';
import {
  CAUSE_CATEGORY_LABELS,
  CLASSIFICATION_LABELS,
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SEVERITY_LABELS,
  SOURCE_LABELS,
} from '../../domain/car/car-labels.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import {
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SOURCES,
} from '../../domain/car/car-vocabulary.js';
import { AgendaBuilder, type Agenda, type AgendaCar } from '../committee/agenda.js';
import { KpiBuilder, type DurationFigures, type KpiPeriod, type Kpis } from '../committee/kpis.js';
import { ZonedDates } from '../committee/zoned-dates.js';
import type { CarSource } from './car-source.js';
import { STATE_LABELS, toRegisterCar } from './register-rows.js';
import {
  NONE,
  showInstant,
  table,
  type Block,
  type ReportDocument,
} from '../ports/report-document.js';

/**
 * The management-review pack of one Steering Committee meeting: the agenda (from
 * `committee/agenda.ts`), the status of actions from the previous review, the trends and key
 * figures (from `committee/kpis.ts`) as tables and bar charts, and a one-paragraph summary of
 * every CAR on the agenda.
 */

/** The section titles, in the order of the pack; the agenda on the first page lists them. */
export const PACK_SECTIONS = {
  newSinceLast: 'New CARs since the last meeting',
  overdueActions: 'CARs with overdue actions',
  closedSinceLast: 'CARs closed since the last meeting',
  foundIneffective: 'Actions found not effective',
  awaitingDecision: 'CARs awaiting a committee decision',
  previousReview: 'Status of actions from the previous review',
  kpis: 'Trends and key figures',
  summaries: 'CAR summaries',
} as const;

export interface ReviewPackOptions {
  readonly meetingDate: LocalDate;
  readonly meetingTitle: string | null;
  /**
   * The date of the last meeting (null: this is the first). Undefined when the caller has no
   * meeting records: the latest meeting date of a committee review before this meeting is taken.
   */
  readonly lastMeetingDate?: LocalDate | null | undefined;
  readonly timeZone: string;
  /** Today: open, overdue and closed counts of the figures are as of this date. */
  readonly asOf: LocalDate;
  readonly generatedAt: string;
  readonly generatedBy: string;
}

export interface ReviewPack {
  readonly options: ReviewPackOptions;
  readonly agenda: Agenda;
  readonly kpis: Kpis;
  /** The whole record of every CAR on the agenda, by id. */
  readonly cars: ReadonlyMap<string, CarPrimitives>;
}

/** The figures cover the twelve calendar months up to the meeting date. */
export function kpiPeriodFor(meetingDate: LocalDate): KpiPeriod {
  const year = Number(meetingDate.slice(0, 4));
  const month = Number(meetingDate.slice(5, 7));
  const startMonth = month === 12 ? 1 : month + 1;
  const startYear = month === 12 ? year : year - 1;
  const from = `${String(startYear).padStart(4, '0')}-${String(startMonth).padStart(2, '0')}-01`;
  return { from: from as LocalDate, to: meetingDate };
}

/** The latest committee-review meeting date before `date` in the CARs, or null. */
async function lastReviewDateBefore(source: CarSource, date: LocalDate): Promise<LocalDate | null> {
  let last: LocalDate | null = null;
  for await (const car of source())
    for (const r of car.committeeReviews)
      if (r.meetingDate < date && (last === null || r.meetingDate > last)) last = r.meetingDate;
  return last;
}

const agendaIds = (agenda: Agenda): Set<string> =>
  new Set(
    [
      agenda.newSinceLast,
      agenda.overdueActions,
      agenda.closedSinceLast,
      agenda.foundIneffective,
      agenda.awaitingDecision,
      agenda.previousReview,
    ].flatMap((items: readonly AgendaCar[]) => items.map((c) => c.id)),
  );

/**
 * Reads the CARs to build the pack: one pass for the agenda and the figures, one for the whole
 * records of the CARs on the agenda (and, without meeting records, one first pass for the date
 * of the last meeting). Nothing but the agenda's CARs is kept in memory.
 */
export async function collectReviewPack(
  source: CarSource,
  options: ReviewPackOptions,
): Promise<ReviewPack> {
  const { meetingDate } = options;
  const lastMeetingDate =
    options.lastMeetingDate === undefined
      ? await lastReviewDateBefore(source, meetingDate)
      : options.lastMeetingDate;
  const dates = new ZonedDates(options.timeZone);
  const agendaBuilder = new AgendaBuilder(meetingDate, lastMeetingDate, dates);
  const kpiBuilder = new KpiBuilder(kpiPeriodFor(meetingDate), options.asOf, dates);
  for await (const car of source()) {
    agendaBuilder.add({ car, etag: '' });
    kpiBuilder.add(car);
  }
  const agenda = agendaBuilder.result();
  const wanted = agendaIds(agenda);
  const cars = new Map<string, CarPrimitives>();
  if (wanted.size > 0)
    for await (const car of source()) if (wanted.has(car.id)) cars.set(car.id, car);
  return { options: { ...options, lastMeetingDate }, agenda, kpis: kpiBuilder.result(), cars };
}

const clause = (text: string): string => text.trim().replace(/[.!?;:,\s]+$/, '');

/** One paragraph a committee member reads in a few seconds: what, where it stands, what next. */
export function carSummary(car: CarPrimitives, asOf: LocalDate): string {
  const { nextDueDate, overdue } = toRegisterCar(car, asOf);
  const inv = car.investigation;
  const label = car.number ?? 'This report';
  const kind = [
    car.classification ? CLASSIFICATION_LABELS[car.classification] : null,
    car.severity ? `${SEVERITY_LABELS[car.severity].toLowerCase()} severity` : null,
  ]
    .filter((x) => x !== null)
    .join(', ');
  const parts: string[] = [
    `${label}${kind ? ` (${kind})` : ''} is ${STATE_LABELS[car.state].toLowerCase()}.`,
    `Reported on ${car.reportedAt.slice(0, 10)} by ${car.reporter.name} as ${REPORT_TYPE_LABELS[
      car.report.type
    ].toLowerCase()} (${car.report.relatesTo
      .map((r) => RELATES_TO_LABELS[r].toLowerCase())
      .join(
        ', ',
      )}; ${SOURCE_LABELS[car.report.source].toLowerCase()}): ${clause(car.report.title)}.`,
  ];
  if (car.containment) parts.push(`Contained: ${clause(car.containment.description)}.`);
  if (inv.rootCause)
    parts.push(
      `Root cause${inv.causeCategory ? ` (${CAUSE_CATEGORY_LABELS[inv.causeCategory].toLowerCase()})` : ''}: ${clause(inv.rootCause)}.`,
    );
  else if (car.state !== 'rejected' && car.state !== 'merged')
    parts.push('Root cause not established yet.');
  if (car.actions.length > 0) {
    const n = (s: string): number => car.actions.filter((a) => a.status === s).length;
    const late = car.actions.filter((a) => a.status === 'open' && a.dueDate < asOf).length;
    parts.push(
      `${car.actions.length} action${car.actions.length === 1 ? '' : 's'}: ${n('done')} done, ${n('open')} open` +
        (late > 0 ? ` (${late} overdue)` : '') +
        (n('cancelled') > 0 ? `, ${n('cancelled')} cancelled` : '') +
        '.',
    );
  }
  if (nextDueDate) parts.push(`Next due ${nextDueDate}${overdue ? ', overdue' : ''}.`);
  if (car.procedureLinks.length > 0)
    parts.push(
      `Procedures: ${car.procedureLinks
        .map(
          (l) =>
            `${l.title || l.procedureId} rev. ${l.revisionInForce}${l.newRevision ? ` -> ${l.newRevision}` : ''}`,
        )
        .join('; ')}.`,
    );
  const lastVerification = car.verifications.at(-1);
  if (lastVerification)
    parts.push(
      `Last verification (round ${lastVerification.round}, ${lastVerification.at.slice(0, 10)}): ${
        lastVerification.effective ? 'effective' : 'not effective'
      }.`,
    );
  if (car.closure)
    parts.push(`Closed on ${car.closure.at.slice(0, 10)}: ${clause(car.closure.summary)}.`);
  if (car.reopenings.length > 0)
    parts.push(`Reopened ${car.reopenings.length} time${car.reopenings.length === 1 ? '' : 's'}.`);
  const lastReview = car.committeeReviews.at(-1);
  if (lastReview)
    parts.push(`Last committee review ${lastReview.meetingDate}: ${clause(lastReview.decision)}.`);
  return parts.join(' ');
}

const fixed = (n: number | null): string => (n === null ? NONE : n.toFixed(1));

const durationRow = (label: string, d: DurationFigures): string[] => [
  label,
  String(d.count),
  fixed(d.mean),
  d.p90 === null ? NONE : String(d.p90),
];

/** A chart and the same figures as a table, so nothing is only in a picture. */
function chart(title: string, rows: readonly (readonly [string, number])[]): Block[] {
  return [
    { kind: 'bars', title, bars: rows.map(([label, value]) => ({ label, value })) },
    table(
      [
        [title, 6],
        ['CARs', 2],
      ],
      rows.map(([label, value]) => [label, String(value)]),
      'None.',
    ),
  ];
}

function kpiBlocks(k: Kpis): Block[] {
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        `CARs recorded from ${k.period.from} to ${k.period.to} (${k.cars} CARs); open, overdue and ` +
        `closed as of ${k.asOf}; dates in ${k.timeZone}.`,
    },
    table(
      [
        ['Figure', 6],
        ['Value', 2],
      ],
      [
        ['Reports made in the period', String(k.reports.total)],
        ['... recorded as CARs', String(k.reports.recorded)],
        ['... rejected', String(k.reports.rejected)],
        ['... merged into another CAR', String(k.reports.merged)],
        ['... awaiting triage', String(k.reports.awaitingTriage)],
        ['CARs recorded in the period', String(k.cars)],
        ['Open now', String(k.status.open)],
        ['Overdue now', String(k.status.overdue)],
        ['Closed now', String(k.status.closed)],
        ['Closed in the period (whenever recorded)', String(k.closedInPeriod)],
        [
          'Effective at the first verification',
          k.firstVerification.share === null
            ? NONE
            : `${k.firstVerification.effective} of ${k.firstVerification.verified} (${Math.round(
                k.firstVerification.share * 100,
              )}%)`,
        ],
      ],
      'None.',
    ),
    { kind: 'heading', level: 2, text: 'Time taken (calendar days)' },
    table(
      [
        ['From report to', 5],
        ['CARs', 2],
        ['Mean', 2],
        ['90th percentile', 2],
      ],
      [
        durationRow('recording as a CAR', k.days.reportToRecord),
        durationRow('confirmed action plan', k.days.reportToActionPlan),
        durationRow('closure', k.days.reportToClosure),
      ],
      'None.',
    ),
    { kind: 'heading', level: 2, text: 'CARs by month recorded' },
    ...chart(
      'Month',
      k.byMonth.map((m) => [m.month, m.count] as const),
    ),
    { kind: 'heading', level: 2, text: 'CARs by classification' },
    ...chart(
      'Classification',
      CLASSIFICATIONS.map((c) => [CLASSIFICATION_LABELS[c], k.byClassification[c]] as const),
    ),
    { kind: 'heading', level: 2, text: 'CARs by cause category' },
    ...chart('Cause category', [
      ...CAUSE_CATEGORIES.map((c) => [CAUSE_CATEGORY_LABELS[c], k.byCauseCategory[c]] as const),
      ['Not established', k.byCauseCategory.none] as const,
    ]),
    { kind: 'heading', level: 2, text: 'CARs by type' },
    ...chart(
      'Type',
      REPORT_TYPES.map((t) => [REPORT_TYPE_LABELS[t], k.byType[t]] as const),
    ),
    { kind: 'heading', level: 2, text: 'CARs by what they relate to' },
    ...chart(
      'Relates to',
      RELATES_TO.map((r) => [RELATES_TO_LABELS[r], k.byRelatesTo[r]] as const),
    ),
    { kind: 'heading', level: 2, text: 'CARs by how they were recognised' },
    ...chart(
      'Source',
      SOURCES.map((s) => [SOURCE_LABELS[s], k.bySource[s]] as const),
    ),
    { kind: 'heading', level: 2, text: 'Repeated causes and procedures' },
    table(
      [
        ['Cause category', 4],
        ['CARs', 2],
      ],
      k.repeatedCauseCategories.map((c) => [
        CAUSE_CATEGORY_LABELS[c.causeCategory],
        String(c.count),
      ]),
      'No cause category in two or more CARs.',
    ),
    table(
      [
        ['Procedure', 6],
        ['CARs', 2],
      ],
      k.repeatedProcedures.map((p) => [
        `${p.title || p.procedureId} (${p.procedureId})`,
        String(p.count),
      ]),
      'No procedure in two or more CARs.',
    ),
  ];
  return blocks;
}

export function reviewPackDocument(pack: ReviewPack): ReportDocument {
  const { agenda, options, cars } = pack;
  const D = agenda.meetingDate;
  const carRow = (c: AgendaCar): string[] => {
    const full = cars.get(c.id);
    const due = full ? toRegisterCar(full, D) : null;
    return [
      c.number ?? NONE,
      c.title,
      STATE_LABELS[c.state],
      c.classification ? CLASSIFICATION_LABELS[c.classification] : NONE,
      due?.nextDueDate ? `${due.nextDueDate}${due.overdue ? ' (overdue)' : ''}` : NONE,
    ];
  };
  const carColumns = [
    { header: 'CAR', weight: 2.6 },
    { header: 'Title', weight: 7 },
    { header: 'State', weight: 2.8 },
    { header: 'Classification', weight: 2.8 },
    { header: 'Next due', weight: 2.8 },
  ];
  const carTable = (items: readonly AgendaCar[], empty: string): Block => ({
    kind: 'table',
    columns: carColumns,
    rows: items.map(carRow),
    empty,
  });

  const sections: { title: string; count: number }[] = [
    { title: PACK_SECTIONS.newSinceLast, count: agenda.newSinceLast.length },
    { title: PACK_SECTIONS.overdueActions, count: agenda.overdueActions.length },
    { title: PACK_SECTIONS.closedSinceLast, count: agenda.closedSinceLast.length },
    { title: PACK_SECTIONS.foundIneffective, count: agenda.foundIneffective.length },
    { title: PACK_SECTIONS.awaitingDecision, count: agenda.awaitingDecision.length },
    { title: PACK_SECTIONS.previousReview, count: agenda.previousReview.length },
  ];
  const since = agenda.lastMeetingDate
    ? `since the last meeting of ${agenda.lastMeetingDate}`
    : 'no earlier meeting: everything up to this meeting';

  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: 'Agenda' },
    table(
      [
        ['Item', 1],
        ['Section', 10],
        ['CARs', 2],
      ],
      [
        ...sections.map((s, i) => [String(i + 1), s.title, String(s.count)]),
        [String(sections.length + 1), PACK_SECTIONS.kpis, String(pack.kpis.cars)],
        [String(sections.length + 2), PACK_SECTIONS.summaries, String(cars.size)],
      ],
      'None.',
    ),
    { kind: 'heading', level: 1, text: `1. ${PACK_SECTIONS.newSinceLast}` },
    carTable(agenda.newSinceLast, 'No new CARs.'),
    { kind: 'heading', level: 1, text: `2. ${PACK_SECTIONS.overdueActions}` },
    carTable(agenda.overdueActions, 'No overdue actions.'),
    // The actions themselves only when there are any: one "none" line is enough.
    ...(agenda.overdueActions.length === 0
      ? []
      : [
          table(
            [
              ['CAR', 2.6],
              ['Overdue action', 7],
              ['Owner', 3],
              ['Due', 2.4],
            ],
            agenda.overdueActions.flatMap((c) =>
              c.overdueActions.map((a) => [c.number ?? NONE, a.title, a.owner.name, a.dueDate]),
            ),
            'No overdue actions.',
          ),
        ]),
    { kind: 'heading', level: 1, text: `3. ${PACK_SECTIONS.closedSinceLast}` },
    carTable(agenda.closedSinceLast, 'No CARs closed.'),
    { kind: 'heading', level: 1, text: `4. ${PACK_SECTIONS.foundIneffective}` },
    {
      kind: 'table',
      columns: [...carColumns.slice(0, 3), { header: 'Found not effective on', weight: 4 }],
      rows: agenda.foundIneffective.map((c) => [...carRow(c).slice(0, 3), c.foundOn.join(', ')]),
      empty: 'No verification found actions not effective.',
    },
    { kind: 'heading', level: 1, text: `5. ${PACK_SECTIONS.awaitingDecision}` },
    {
      kind: 'table',
      columns: [...carColumns.slice(0, 4), { header: 'Why', weight: 4 }],
      rows: agenda.awaitingDecision.map((c) => [
        ...carRow(c).slice(0, 4),
        c.reasons
          .map((r) =>
            r === 'major_nc'
              ? 'Major NC'
              : r === 'feeds_management_review'
                ? 'Feeds the management review'
                : 'Reopened',
          )
          .join(', '),
      ]),
      empty: 'No CAR awaits a decision.',
    },
    { kind: 'heading', level: 1, text: `6. ${PACK_SECTIONS.previousReview}` },
    {
      kind: 'paragraph',
      text: agenda.lastMeetingDate
        ? `What the committee decided on ${agenda.lastMeetingDate} and where each CAR stands now.`
        : 'There was no earlier meeting.',
    },
    table(
      [
        ['CAR', 2.6],
        ['Decision', 5],
        ['Follow-up', 4],
        ['State now', 2.8],
        ['Open actions', 1.6],
        ['Overdue', 1.6],
      ],
      agenda.previousReview.map((c) => [
        c.number ?? NONE,
        c.reviews.map((r) => r.decision).join('\n'),
        c.reviews.map((r) => r.followUp ?? NONE).join('\n'),
        STATE_LABELS[c.state],
        String(c.openActions),
        String(c.overdueActions),
      ]),
      'No CARs were reviewed at the last meeting.',
    ),
    { kind: 'heading', level: 1, text: `7. ${PACK_SECTIONS.kpis}` },
    ...kpiBlocks(pack.kpis),
    { kind: 'heading', level: 1, text: `8. ${PACK_SECTIONS.summaries}` },
  ];
  const summaries = [...cars.values()].sort((a, b) =>
    (a.number ?? '~') < (b.number ?? '~') ? -1 : (a.number ?? '~') > (b.number ?? '~') ? 1 : 0,
  );
  if (summaries.length === 0) blocks.push({ kind: 'paragraph', text: 'No CARs on the agenda.' });
  for (const car of summaries) {
    blocks.push({
      kind: 'heading',
      level: 2,
      text: `${car.number ?? car.id}: ${car.report.title}`,
    });
    blocks.push({ kind: 'paragraph', text: carSummary(car, D) });
  }

  return {
    title: 'Management review pack',
    subtitle: [
      `ISMS Steering Committee meeting of ${D}${options.meetingTitle ? `: ${options.meetingTitle}` : ''}`,
      `Nonconformities and corrective actions (ISO/IEC 27001 clause 10.2), ${since}`,
      `Generated by Rectify on ${showInstant(options.generatedAt)} for ${options.generatedBy}`,
    ],
    titlePage: true,
    stamp: `Rectify management review pack, meeting of ${D}, generated ${showInstant(options.generatedAt)}`,
    blocks,
  };
}

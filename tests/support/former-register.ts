import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';

/**
 * A former register of nonconformities as organisations keep them in a spreadsheet: 500 rows
 * over four years, numbered CAR-YYYY-NNNN without gaps per year in order of recording (a few
 * older entries carry numbers of another scheme, a few are not yet numbered), a header of two
 * rows with "Corrective action" merged over its four columns, dates written several ways,
 * words of the register's own ("Minor", "Observation", "In progress"), a column Rectify does
 * not know ("Auditor comments"), and a few rows that cannot be imported. Written as XLSX or as
 * CSV the way spreadsheets save it (UTF-8 with BOM, semicolons).
 */
export interface RegisterRow {
  /** The row number people see in the spreadsheet. */
  readonly row: number;
  readonly number: string;
  readonly raisedOn: string;
  readonly recordedOn: string;
  readonly raisedBy: string;
  readonly title: string;
  readonly description: string;
  readonly status: string;
  /** The state the CAR must have. */
  readonly state: string;
  readonly classification: string;
  /** The classification's code. */
  readonly classificationCode: string | null;
  readonly rootCause: string;
  readonly action: string;
  readonly owner: string;
  readonly target: string;
  readonly actionStatus: string;
  readonly closedOn: string;
  readonly comments: string;
  /** Why the row must be refused, if it must. */
  readonly bad: RegExp | null;
}

const STATES = [
  ['Closed', 'closed'],
  ['Implementing', 'implementing'],
  ['In progress', 'implementing'],
  ['Verifying effectiveness', 'verifying'],
  ['Investigating', 'investigating'],
  ['Recorded', 'recorded'],
  ['Closed', 'closed'],
  ['Closed', 'closed'],
] as const;
const CLASSES = [
  ['Major NC', 'major_nc'],
  ['Minor', 'minor_nc'],
  ['Minor NC', 'minor_nc'],
  ['Observation', 'ofi'],
] as const;
const PEOPLE = ['Danny Tan', 'Liu Lung Hao', 'Zoë Brontë', 'محمد علي', '山田 太郎'];

const pad = (n: number): string => String(n).padStart(2, '0');

/** The same day written the ways registers write days. */
const written = (iso: string, style: number): string => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const month = new Date(Date.UTC(y, m - 1, d)).toLocaleString('en-GB', {
    month: 'long',
    timeZone: 'UTC',
  });
  switch (style % 4) {
    case 0:
      return iso;
    case 1:
      return `${pad(d)}/${pad(m)}/${y}`;
    case 2:
      return `${d}.${m}.${y}`;
    default:
      return `${d} ${month} ${y}`;
  }
};

const addDays = (iso: string, days: number): string =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function formerRegister(): RegisterRow[] {
  const rows: RegisterRow[] = [];
  const sequence = new Map<number, number>();
  for (let i = 0; i < 500; i += 1) {
    const year = 2021 + Math.floor(i / 125);
    const dayOfYear = (i % 125) * 2 + 3;
    const raisedOn = addDays(`${year}-01-01`, dayOfYear);
    const recordedOn = addDays(raisedOn, i % 3);
    const [status, stateCode] = STATES[i % STATES.length] ?? STATES[0];
    let state: string = stateCode;
    let statusWord: string = status;
    if (i % 40 === 7) {
      state = 'rejected';
      statusWord = 'Rejected';
    }
    if (i % 40 === 19) {
      state = 'reported';
      statusWord = 'Reported';
    }
    const [classification, classificationCode] = CLASSES[i % CLASSES.length] ?? CLASSES[0];
    let bad: RegExp | null = null;
    let raised = written(raisedOn, i);
    let cls: string = classification;
    let closed = state === 'closed' ? addDays(recordedOn, 30 + (i % 20)) : '';
    if (i % 97 === 13) {
      raised = `31/02/${year}`;
      bad = /Date raised: "31\/02\/\d{4}" is not a date/;
    } else if (i % 89 === 40) {
      cls = 'Catastrophic';
      bad = /classification "Catastrophic" is not known/;
    } else if (i === 222) {
      state = 'closed';
      statusWord = 'Closed';
      closed = '';
      bad = /a closed CAR needs its closing date/;
    }
    // Numbered in Rectify's format when it was recorded and will import; other schemes else.
    let number: string;
    if (bad !== null) number = `OLD-${i}`;
    else if (state === 'reported') number = '';
    else if (state === 'rejected' || i % 50 === 10) number = `NC-${year}/${i}`;
    else {
      const n = (sequence.get(year) ?? 0) + 1;
      sequence.set(year, n);
      number = `CAR-${year}-${String(n).padStart(4, '0')}`;
    }
    const hasAction = ['implementing', 'verifying', 'closed'].includes(state);
    rows.push({
      row: i + 3,
      number,
      raisedOn,
      recordedOn,
      raisedBy: PEOPLE[i % PEOPLE.length] ?? 'Danny Tan',
      title: `Nonconformity ${i + 1}: ${['Backup not tested', 'Visitor log incomplete', 'Access review late', 'Clear desk not followed'][i % 4] ?? ''}`,
      description: `Found during ${i % 2 === 0 ? 'the internal audit' : 'an inspection'}; "quoted"; ; row ${i + 3}`,
      status: statusWord,
      state,
      classification: cls,
      classificationCode: state === 'reported' || state === 'rejected' ? null : classificationCode,
      rootCause: state === 'reported' ? '' : `Cause ${i % 7}: the procedure was not known`,
      action: hasAction ? `Train the team (${i + 1})` : '',
      owner: hasAction ? (PEOPLE[(i + 1) % PEOPLE.length] ?? '') : '',
      target: hasAction ? addDays(recordedOn, 20) : '',
      actionStatus: hasAction ? (state === 'closed' ? 'Done' : 'Open') : '',
      closedOn: closed,
      comments: state === 'closed' ? `Verified effective ${i}` : '',
      bad,
    });
    if (bad !== null) rows[rows.length - 1] = { ...(rows.at(-1) as RegisterRow), raisedOn: raised };
  }
  return rows;
}

const SINGLE = [
  'NC No.',
  'Date raised',
  'Date recorded',
  'Raised by',
  'Title',
  'Description',
  'Status',
  'Classification',
  'Root cause',
];
const ACTION = ['Description', 'Owner', 'Target date', 'Status'];
const AFTER = ['Date closed', 'Auditor comments'];

const cellsOf = (r: RegisterRow, i: number): string[] => [
  r.number,
  r.bad ? r.raisedOn : written(r.raisedOn, i),
  written(r.recordedOn, i + 1),
  r.raisedBy,
  r.title,
  r.description,
  r.status,
  r.classification,
  r.rootCause,
  r.action,
  r.owner,
  r.target === '' ? '' : written(r.target, i + 2),
  r.actionStatus,
  r.closedOn === '' ? '' : written(r.closedOn, i + 3),
  r.comments,
];

const csvCell = (v: string): string => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function writeRegisterCsv(file: string, rows: readonly RegisterRow[]): void {
  const top = [...SINGLE, 'Corrective action', '', '', '', ...AFTER];
  const sub = [...SINGLE.map(() => ''), ...ACTION, ...AFTER.map(() => '')];
  const lines = [top, sub, ...rows.map((r, i) => cellsOf(r, i))].map((cells) =>
    cells.map(csvCell).join(';'),
  );
  writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
}

export async function writeRegisterXlsx(file: string, rows: readonly RegisterRow[]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('NC Register');
  const headerTop = [...SINGLE, 'Corrective action', null, null, null, ...AFTER];
  sheet.getRow(1).values = headerTop;
  sheet.getRow(2).values = [...SINGLE.map(() => null), ...ACTION, ...AFTER.map(() => null)];
  // Single headers merged down over both header rows, "Corrective action" across four columns.
  SINGLE.forEach((_, c) => {
    sheet.mergeCells(1, c + 1, 2, c + 1);
  });
  sheet.mergeCells(1, SINGLE.length + 1, 1, SINGLE.length + ACTION.length);
  AFTER.forEach((_, c) => {
    const col = SINGLE.length + ACTION.length + c + 1;
    sheet.mergeCells(1, col, 2, col);
  });
  rows.forEach((r, i) => {
    const cells: (string | Date)[] = cellsOf(r, i);
    // Most dates are real spreadsheet dates; some were typed as text.
    if (!r.bad && i % 3 !== 0) cells[1] = new Date(`${r.raisedOn}T00:00:00Z`);
    if (r.closedOn !== '' && i % 2 === 0) cells[13] = new Date(`${r.closedOn}T00:00:00Z`);
    sheet.getRow(r.row).values = cells;
  });
  await workbook.xlsx.writeFile(file);
}

/** mapping.yaml for what the suggestion cannot know. */
export const REGISTER_MAPPING = `columns:
  "Auditor comments": closureSummary
values:
  state:
    "In progress": implementing
dates: dmy
`;

import { createHash } from 'node:crypto';
import { diffFields, type AuditRecord } from '../../domain/audit/audit-entry.js';
import type { LocalDate } from '../../domain/calendar/local-date.js';
import { parseCarNumber } from '../../domain/car/car-number.js';
import type { CarRepository } from '../../domain/car/car-repository.js';
import type {
  ActionKind,
  ActionStatus,
  CauseCategory,
  Classification,
  RelatesTo,
  ReportType,
  Severity,
  Source,
} from '../../domain/car/car-vocabulary.js';
import {
  importedCar,
  type ImportedAction,
  type ImportedCar,
} from '../../domain/car/imported-car.js';
import type { CarState } from '../../domain/car/lifecycle.js';
import { RectifyError } from '../../domain/errors.js';
import type { PersonRef } from '../../domain/identity.js';
import type { ImportReport, RowOutcome } from './import-report.js';
import {
  cellText,
  codeFor,
  parseRegisterDate,
  type ImportField,
  type RegisterMapping,
  type RegisterTable,
} from './register-mapping.js';

/**
 * Imports an organisation's former register of nonconformities: each row becomes a CAR in the
 * state it had, with its dates, classification, root cause and actions (imported-car.ts). The
 * audit trail records each as `import`, by whom, from which file and row. Importing the same
 * file again changes nothing: each row is claimed once, by its former number (or its content
 * when it has none). A row that cannot be imported is reported with its row number and reason
 * and the rest still import, or none does with `allOrNothing`. Recorded CARs are numbered by
 * the store, gapless in their year, in order of their former number and date.
 */
export type { ImportReport, RowOutcome } from './import-report.js';

export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly allOrNothing?: boolean;
}

export interface RegisterImportDeps {
  readonly repository: CarRepository;
  readonly newId: () => string;
  readonly clock: { now(): Date };
}

interface ReadRow {
  readonly row: number;
  readonly reference: string | null;
  readonly input: ImportedCar;
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** One row's mapped values, or why it cannot be read. */
export function readRow(
  cells: readonly RegisterTable['rows'][number]['cells'][number][],
  headers: readonly string[],
  mapping: RegisterMapping,
): { ok: true; reference: string | null; input: ImportedCar } | { ok: false; reason: string } {
  const values = new Map<ImportField, string>();
  const dates = new Map<ImportField, LocalDate | null>();
  const problems: string[] = [];
  headers.forEach((header, i) => {
    const field = mapping.columns[header];
    if (!field) return;
    const cell = cells[i] ?? null;
    if (
      ['reportedOn', 'recordedOn', 'closedOn', 'actionDue', 'actionCompletedOn'].includes(field)
    ) {
      // Several actions in one cell are one per line; dates likewise.
      const parts = typeof cell === 'string' && cell.includes('\n') ? cell.split('\n') : [cell];
      const parsed = parts.map((p) =>
        parseRegisterDate(typeof p === 'string' ? p.trim() : p, mapping.dates),
      );
      if (parsed.includes('invalid'))
        problems.push(`${header}: "${cellText(cell) ?? ''}" is not a date`);
      else {
        dates.set(field, (parsed[0] as LocalDate | null) ?? null);
        values.set(field, parsed.map((d) => d ?? '').join('\n'));
      }
      return;
    }
    const text = cellText(cell);
    if (text !== null) values.set(field, text);
  });
  const code = <T extends string>(
    field: 'state' | 'classification' | 'severity' | 'reportType' | 'source' | 'causeCategory',
    fallback: T | null,
  ): T | null => {
    const word = values.get(field);
    if (word === undefined) return fallback;
    const c = codeFor(field, word, mapping);
    if (c === null)
      problems.push(
        `${field} "${word}" is not known (add it under values.${field} in the mapping)`,
      );
    return (c as T | null) ?? fallback;
  };
  const state = code<CarState>('state', null);
  if (!values.has('state')) problems.push('no state');
  const reportedOn = dates.get('reportedOn') ?? dates.get('recordedOn') ?? null;
  if (reportedOn === null && !problems.some((p) => p.includes('not a date')))
    problems.push('no date reported');
  const title =
    values.get('title') ?? values.get('description')?.split('\n')[0]?.slice(0, 200) ?? '';
  const relatesTo = (values.get('relatesTo') ?? '')
    .split(/[,;\n]/)
    .map((w) => w.trim())
    .filter((w) => w !== '')
    .map((w) => codeFor('relatesTo', w, mapping));
  if (relatesTo.includes(null))
    problems.push(`relates to "${values.get('relatesTo') ?? ''}" is not known`);
  const lines = (field: ImportField): string[] =>
    values.has(field) ? (values.get(field) ?? '').split('\n').map((s) => s.trim()) : [];
  const titles = lines('actionTitle').filter((t) => t !== '');
  const owners = lines('actionOwner');
  const dues = lines('actionDue');
  const statuses = lines('actionStatus');
  const kinds = lines('actionKind');
  const completed = lines('actionCompletedOn');
  const actions: ImportedAction[] = titles.map((t, i) => {
    const statusWord = statuses[i] ?? statuses[0];
    const status = statusWord
      ? (codeFor('actionStatus', statusWord, mapping) as ActionStatus | null)
      : state === 'closed'
        ? 'done'
        : 'open';
    if (status === null) problems.push(`action status "${statusWord ?? ''}" is not known`);
    const kindWord = kinds[i] ?? kinds[0];
    const kind = kindWord
      ? (codeFor('actionKind', kindWord, mapping) as ActionKind | null)
      : 'corrective';
    if (kind === null) problems.push(`action kind "${kindWord ?? ''}" is not known`);
    return {
      title: t,
      kind: kind ?? 'corrective',
      owner: (owners[i] ?? owners[0]) || null,
      dueDate: ((dues[i] ?? dues[0]) || null) as LocalDate | null,
      status: status ?? 'open',
      completedOn: ((completed[i] ?? completed[0]) || null) as LocalDate | null,
    };
  });
  const input: ImportedCar = {
    state: state ?? 'reported',
    title,
    description: values.get('description') ?? null,
    reportType: code<ReportType>('reportType', 'policy_nonconformance') ?? 'policy_nonconformance',
    relatesTo: relatesTo.length > 0 ? (relatesTo as RelatesTo[]) : ['procedure'],
    source: code<Source>('source', 'other') ?? 'other',
    occurredAt: values.get('occurredAt') ?? null,
    location: values.get('location') ?? null,
    affected: values.get('affected') ?? null,
    immediateAction: values.get('immediateAction') ?? null,
    reportedBy: values.get('reportedBy') ?? null,
    reportedOn: reportedOn ?? ('1970-01-01' as LocalDate),
    recordedOn: dates.get('recordedOn') ?? null,
    classification: code<Classification>('classification', null),
    severity: code<Severity>('severity', null),
    containment: values.get('containment') ?? null,
    rootCause: values.get('rootCause') ?? null,
    causeCategory: code<CauseCategory>('causeCategory', null),
    actions,
    closedOn: dates.get('closedOn') ?? null,
    closureSummary: values.get('closureSummary') ?? null,
    rejectionReason: values.get('rejectionReason') ?? null,
  };
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return { ok: true, reference: values.get('number') ?? null, input };
}

/** Numbering order: by year of recording, then former number, then date, then row. */
const numberingOrder = (a: ReadRow, b: ReadRow): number => {
  const year = (r: ReadRow): string => (r.input.recordedOn ?? r.input.reportedOn).slice(0, 4);
  const seq = (r: ReadRow): number => {
    try {
      return r.reference === null ? Number.MAX_SAFE_INTEGER : parseCarNumber(r.reference).sequence;
    } catch {
      return Number.MAX_SAFE_INTEGER;
    }
  };
  const day = (r: ReadRow): string => r.input.recordedOn ?? r.input.reportedOn;
  return (
    year(a).localeCompare(year(b)) ||
    seq(a) - seq(b) ||
    day(a).localeCompare(day(b)) ||
    a.row - b.row
  );
};

export class RegisterImport {
  constructor(private readonly deps: RegisterImportDeps) {}

  async run(
    table: RegisterTable,
    mapping: RegisterMapping,
    importer: PersonRef & { readonly tenantId: string },
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    const outcomes: RowOutcome[] = [];
    const good: ReadRow[] = [];
    const references = new Map<string, number>();
    for (const { row, cells } of table.rows) {
      if (cells.every((c) => cellText(c) === null)) continue; // blank rows
      const read = readRow(cells, table.headers, mapping);
      if (!read.ok) {
        outcomes.push({ row, reference: null, outcome: 'failed', reason: read.reason });
        continue;
      }
      const key = read.reference?.toLowerCase();
      const earlier = key === undefined ? undefined : references.get(key);
      if (earlier !== undefined) {
        outcomes.push({
          row,
          reference: read.reference,
          outcome: 'failed',
          reason: `number ${read.reference ?? ''} is also on row ${earlier}`,
        });
        continue;
      }
      if (key !== undefined) references.set(key, row);
      const check = importedCar(
        read.input,
        { carId: 'check', actionId: (n) => `a${n}` },
        importer,
        importer.tenantId,
      );
      if (!check.ok) {
        outcomes.push({ row, reference: read.reference, outcome: 'failed', reason: check.reason });
        continue;
      }
      good.push({ row, reference: read.reference, input: read.input });
    }
    const failed = outcomes.length > 0;
    if (options.dryRun || (options.allOrNothing && failed)) {
      for (const r of good)
        outcomes.push({
          row: r.row,
          reference: r.reference,
          outcome: 'valid',
          ...(options.allOrNothing && failed && !options.dryRun
            ? { reason: 'not imported: other rows failed (--all-or-nothing)' }
            : {}),
        });
      return this.report(table, mapping, options, outcomes);
    }
    for (const r of [...good].sort(numberingOrder))
      outcomes.push(await this.store(table, r, importer));
    return this.report(table, mapping, options, outcomes);
  }

  private async store(
    table: RegisterTable,
    r: ReadRow,
    importer: PersonRef & { readonly tenantId: string },
  ): Promise<RowOutcome> {
    const carId = this.deps.newId();
    const built = importedCar(
      r.input,
      { carId, actionId: (n) => `${carId}-a${n}` },
      importer,
      importer.tenantId,
    );
    if (!built.ok)
      return { row: r.row, reference: r.reference, outcome: 'failed', reason: built.reason };
    const now = this.deps.clock.now().toISOString();
    const importedFrom = {
      file: table.file,
      sheet: table.sheet,
      row: r.row,
      reference: r.reference,
    };
    const audit: AuditRecord = {
      carId,
      operation: 'import',
      actor: { id: importer.id, name: importer.name },
      at: now,
      reason: `imported by ${importer.name} from ${table.file}${table.sheet ? ` (${table.sheet})` : ''} row ${r.row}${r.reference ? `, former number ${r.reference}` : ''}`,
      changes: [
        { field: 'importedFrom', oldValue: null, newValue: importedFrom },
        ...diffFields({}, built.car.toPrimitives()),
      ],
    };
    const fingerprint = sha256(canonical(r.input));
    try {
      const { stored, replayed } = await this.deps.repository.create(built.car, audit, {
        scope: `import:${importer.tenantId}`,
        key: r.reference === null ? `row:${fingerprint}` : `number:${r.reference.toLowerCase()}`,
        fingerprint,
      });
      return {
        row: r.row,
        reference: r.reference,
        outcome: replayed ? 'unchanged' : 'imported',
        carId: stored.car.id,
        number: stored.car.number,
      };
    } catch (e) {
      if (e instanceof RectifyError && e.code === 'IDEMPOTENCY.KEY_REUSED')
        return {
          row: r.row,
          reference: r.reference,
          outcome: 'failed',
          reason: `number ${r.reference ?? ''} was imported before with other content: left as it was`,
        };
      throw e;
    }
  }

  private report(
    table: RegisterTable,
    mapping: RegisterMapping,
    options: ImportOptions,
    outcomes: RowOutcome[],
  ): ImportReport {
    const rows = [...outcomes].sort((a, b) => a.row - b.row);
    const counts = { imported: 0, unchanged: 0, failed: 0, valid: 0 };
    for (const r of rows) counts[r.outcome] += 1;
    return {
      file: table.file,
      sheet: table.sheet,
      mapping,
      unmappedHeaders: table.headers.filter((h) => mapping.columns[h] === undefined),
      dryRun: options.dryRun === true,
      rows,
      counts,
    };
  }
}

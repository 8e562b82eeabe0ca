import type { RegisterMapping } from './register-mapping.js';

/** What an import did (or, in a dry run, would do) with each row of the register. */
export interface RowOutcome {
  readonly row: number;
  readonly reference: string | null;
  readonly outcome: 'imported' | 'unchanged' | 'failed' | 'valid';
  readonly carId?: string;
  readonly number?: string | null;
  readonly reason?: string;
}

export interface ImportReport {
  readonly file: string;
  readonly sheet: string | null;
  readonly mapping: RegisterMapping;
  readonly unmappedHeaders: readonly string[];
  readonly dryRun: boolean;
  readonly rows: readonly RowOutcome[];
  readonly counts: Readonly<Record<RowOutcome['outcome'], number>>;
}

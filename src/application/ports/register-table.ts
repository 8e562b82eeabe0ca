/**
 * A former register as read from its file (XLSX or CSV, see infrastructure/import): header
 * texts and rows of cells, each with the row number people see in the spreadsheet.
 */
export type RegisterCell = string | number | boolean | Date | null;

export interface RegisterTable {
  readonly file: string;
  readonly sheet: string | null;
  readonly headers: readonly string[];
  /** `row` is the row number people see in the spreadsheet (1 is the first header row). */
  readonly rows: readonly { readonly row: number; readonly cells: readonly RegisterCell[] }[];
}

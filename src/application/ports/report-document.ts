/**
 * A printable document as plain data: what the management-review pack and a CAR's record say,
 * in order, without any layout. The PDF adapter lays it out; tests can read it directly.
 */

export interface TableColumn {
  readonly header: string;
  /** A share of the line width, relative to the other columns. */
  readonly weight: number;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
}

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string }
  /** Label and value pairs, one per line. */
  | { readonly kind: 'fields'; readonly rows: readonly (readonly [string, string])[] }
  | {
      readonly kind: 'table';
      readonly columns: readonly TableColumn[];
      readonly rows: readonly (readonly string[])[];
      /** Printed instead of an empty table. */
      readonly empty: string;
    }
  /** A bar chart; the renderer draws it and the document carries the same figures as a table. */
  | { readonly kind: 'bars'; readonly title: string; readonly bars: readonly Bar[] }
  | { readonly kind: 'pageBreak' };

export interface ReportDocument {
  readonly title: string;
  /** Lines under the title on the first page. */
  readonly subtitle: readonly string[];
  /** A title page of its own (the pack), or the title above the first section (a record). */
  readonly titlePage: boolean;
  /** Printed at the foot of every page with the page number. */
  readonly stamp: string;
  readonly blocks: readonly Block[];
}

export const NONE = '-';

/** A value as a reader sees it: absent values print as a dash, never as "null". */
export const show = (value: string | number | boolean | null | undefined): string => {
  if (value === null || value === undefined || value === '') return NONE;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
};

/** An ISO instant as `2026-11-28 14:05 UTC`, shorter to read than the ISO form. */
export const showInstant = (iso: string | null | undefined): string => {
  if (!iso) return NONE;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};

/** A table block from its columns as `[header, relative width]` pairs. */
export function table(
  columns: readonly (readonly [string, number])[],
  rows: readonly (readonly string[])[],
  empty: string,
): Block {
  return {
    kind: 'table',
    columns: columns.map(([header, weight]) => ({ header, weight })),
    rows,
    empty,
  };
}

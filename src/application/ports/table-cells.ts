/** What a table writer (CSV, XLSX) receives: cells and the kind of each column. */

/** One cell. Dates are ISO strings; the column's kind says how a writer should type them. */
export type Cell = string | number | boolean | null;

/**
 * `date` holds YYYY-MM-DD (the organisation's calendar), `instant` an ISO date-time in UTC,
 * `text` anything else (including the reporter's own "when it happened").
 */
export type ColumnKind = 'text' | 'date' | 'instant' | 'integer' | 'boolean';

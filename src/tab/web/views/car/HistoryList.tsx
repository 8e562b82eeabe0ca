import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import type { AuditEntry } from '../../api/types.js';
import { formatDateTime } from '../../app/labels.js';

const show = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
};

/** The audit trail: who changed what, when and why, one row per field. */
export function HistoryList({
  entries,
  caption,
}: {
  entries: readonly AuditEntry[];
  caption: string;
}) {
  return (
    <Table size="small" aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>When</TableHeaderCell>
          <TableHeaderCell>Who</TableHeaderCell>
          <TableHeaderCell>Operation</TableHeaderCell>
          <TableHeaderCell>Field</TableHeaderCell>
          <TableHeaderCell>From</TableHeaderCell>
          <TableHeaderCell>To</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {entries.map((e) => (
          <TableRow key={e.sequence}>
            <TableCell>{formatDateTime(e.at)}</TableCell>
            <TableCell>{e.actor.name}</TableCell>
            <TableCell>
              {e.operation}
              {e.reason ? ` (${e.reason})` : ''}
            </TableCell>
            <TableCell>{e.field}</TableCell>
            <TableCell>{show(e.oldValue).slice(0, 200)}</TableCell>
            <TableCell>{show(e.newValue).slice(0, 200)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

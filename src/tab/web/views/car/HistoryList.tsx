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

/** The audit trail: who changed what, when and why; one row per changed field of each entry. */
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
          <TableHeaderCell>#</TableHeaderCell>
          <TableHeaderCell>When</TableHeaderCell>
          <TableHeaderCell>Who</TableHeaderCell>
          <TableHeaderCell>Operation</TableHeaderCell>
          <TableHeaderCell>Field</TableHeaderCell>
          <TableHeaderCell>From</TableHeaderCell>
          <TableHeaderCell>To</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {entries.flatMap((e) =>
          (e.changes.length > 0 ? e.changes : [null]).map((c, i) => (
            <TableRow key={`${e.sequence}-${i}`}>
              <TableCell>{i === 0 ? e.sequence : ''}</TableCell>
              <TableCell>{i === 0 ? formatDateTime(e.at) : ''}</TableCell>
              <TableCell>{i === 0 ? e.actor.name : ''}</TableCell>
              <TableCell>
                {i === 0 ? `${e.operation}${e.reason ? ` (${e.reason})` : ''}` : ''}
              </TableCell>
              <TableCell>{c?.field ?? ''}</TableCell>
              <TableCell>{show(c?.oldValue).slice(0, 200)}</TableCell>
              <TableCell>{show(c?.newValue).slice(0, 200)}</TableCell>
            </TableRow>
          )),
        )}
      </TableBody>
    </Table>
  );
}

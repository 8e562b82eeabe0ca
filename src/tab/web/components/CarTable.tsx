import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import type { Car } from '../api/types.js';
import { CLASSIFICATION_LABELS, nextStep } from '../app/car-labels.js';
import { formatDateTime } from '../app/labels.js';
import { AppLink } from './AppLink.js';
import { StateBadge } from './StateBadge.js';

/** CARs as a table: number, title (link), state, next step and who holds it, what is due. */
export function CarTable({ cars, caption }: { cars: readonly Car[]; caption: string }) {
  if (cars.length === 0) return <Text as="p">Nothing to show.</Text>;
  return (
    <Table size="small" aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>CAR</TableHeaderCell>
          <TableHeaderCell>Title</TableHeaderCell>
          <TableHeaderCell>State</TableHeaderCell>
          <TableHeaderCell>Class</TableHeaderCell>
          <TableHeaderCell>Next step</TableHeaderCell>
          <TableHeaderCell>Held by</TableHeaderCell>
          <TableHeaderCell>Due</TableHeaderCell>
          <TableHeaderCell>Reported</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {cars.map((c) => {
          const next = nextStep(c.state);
          return (
            <TableRow key={c.id}>
              <TableCell>{c.number ?? 'Not recorded'}</TableCell>
              <TableCell>
                <AppLink href={`/cars/${c.id}`}>{c.report.title}</AppLink>
              </TableCell>
              <TableCell>
                <StateBadge state={c.state} />
              </TableCell>
              <TableCell>
                {c.classification ? CLASSIFICATION_LABELS[c.classification] : ''}
              </TableCell>
              <TableCell>{next.step}</TableCell>
              <TableCell>{next.holder}</TableCell>
              <TableCell>
                {c.nextDueDate ?? ''}
                {c.overdue ? ' (overdue)' : ''}
              </TableCell>
              <TableCell>{formatDateTime(c.reportedAt)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

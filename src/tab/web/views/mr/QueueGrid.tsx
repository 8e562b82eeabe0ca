import {
  DataGrid,
  DataGridBody,
  DataGridCell,
  DataGridHeader,
  DataGridHeaderCell,
  DataGridRow,
  Text,
  createTableColumn,
  type TableColumnDefinition,
  type TableColumnSizingOptions,
  type TableRowId,
} from '@fluentui/react-components';
import type { Car } from '../../api/types.js';
import { CLASSIFICATION_LABELS, SEVERITY_LABELS } from '../../app/car-labels.js';
import { REPORT_TYPE_LABELS } from '../../app/labels.js';
import { AppLink } from '../../components/AppLink.js';
import { StateBadge } from '../../components/StateBadge.js';
import { queueOrder } from './queue-order.js';

const DAY_MS = 86_400_000;

/** Whole days since the report, as the queue shows its age. */
export const ageInDays = (car: Car, now: number): number =>
  Math.max(0, Math.floor((now - Date.parse(car.reportedAt)) / DAY_MS));

const text = (a: string, b: string): number => a.localeCompare(b);
const orNone = (v: string | null | undefined): string => v ?? '';

function columns(now: number): TableColumnDefinition<Car>[] {
  return [
    createTableColumn<Car>({
      columnId: 'number',
      compare: (a, b) => text(a.number ?? '~', b.number ?? '~'),
      renderHeaderCell: () => 'CAR',
      renderCell: (c) => c.number ?? 'New report',
    }),
    createTableColumn<Car>({
      columnId: 'title',
      compare: (a, b) => text(a.report.title, b.report.title),
      renderHeaderCell: () => 'Title',
      renderCell: (c) => <AppLink href={`/cars/${c.id}`}>{c.report.title}</AppLink>,
    }),
    createTableColumn<Car>({
      columnId: 'type',
      compare: (a, b) => text(REPORT_TYPE_LABELS[a.report.type], REPORT_TYPE_LABELS[b.report.type]),
      renderHeaderCell: () => 'Type',
      renderCell: (c) => REPORT_TYPE_LABELS[c.report.type],
    }),
    createTableColumn<Car>({
      columnId: 'classification',
      compare: (a, b) => text(orNone(a.classification), orNone(b.classification)),
      renderHeaderCell: () => 'Classification',
      renderCell: (c) => (c.classification ? CLASSIFICATION_LABELS[c.classification] : ''),
    }),
    createTableColumn<Car>({
      columnId: 'severity',
      compare: (a, b) => text(orNone(a.severity), orNone(b.severity)),
      renderHeaderCell: () => 'Severity',
      renderCell: (c) => (c.severity ? SEVERITY_LABELS[c.severity] : ''),
    }),
    createTableColumn<Car>({
      columnId: 'state',
      compare: queueOrder,
      renderHeaderCell: () => 'State',
      renderCell: (c) => <StateBadge state={c.state} />,
    }),
    createTableColumn<Car>({
      columnId: 'reporter',
      compare: (a, b) => text(reporterOf(a), reporterOf(b)),
      renderHeaderCell: () => 'Reporter',
      renderCell: reporterOf,
    }),
    createTableColumn<Car>({
      columnId: 'age',
      compare: (a, b) => ageInDays(a, now) - ageInDays(b, now),
      renderHeaderCell: () => 'Age',
      renderCell: (c) => {
        const days = ageInDays(c, now);
        return days === 1 ? '1 day' : `${String(days)} days`;
      },
    }),
    createTableColumn<Car>({
      columnId: 'due',
      compare: (a, b) => text(a.nextDueDate ?? '9999', b.nextDueDate ?? '9999'),
      renderHeaderCell: () => 'Next due',
      renderCell: (c) => `${c.nextDueDate ?? ''}${c.overdue ? ' (overdue)' : ''}`,
    }),
  ];
}

/** A confidential report's reporter is not shown in lists, even to the MR. */
export const reporterOf = (c: Car): string =>
  c.report.confidential ? 'Confidential' : c.reporter.name;

const SIZING: TableColumnSizingOptions = {
  number: { idealWidth: 120, minWidth: 96 },
  title: { idealWidth: 280, minWidth: 160 },
  type: { idealWidth: 230, minWidth: 180 },
  classification: { idealWidth: 120, minWidth: 110 },
  severity: { idealWidth: 80, minWidth: 64 },
  state: { idealWidth: 130, minWidth: 100 },
  reporter: { idealWidth: 130, minWidth: 90 },
  age: { idealWidth: 70, minWidth: 56 },
  due: { idealWidth: 120, minWidth: 90 },
};

/**
 * The queue as a Fluent data grid: sortable and resizable columns, rows selectable for bulk
 * triage (https://react.fluentui.dev/?path=/docs/components-datagrid--docs).
 */
export function QueueGrid({
  cars,
  selected,
  onSelect,
  now,
}: {
  cars: readonly Car[];
  selected: ReadonlySet<TableRowId>;
  onSelect: (ids: Set<TableRowId>) => void;
  now: number;
}) {
  if (cars.length === 0) return <Text as="p">Nothing waits in the queue for these filters.</Text>;
  return (
    <DataGrid
      items={[...cars]}
      columns={columns(now)}
      getRowId={(c: Car) => c.id}
      sortable
      resizableColumns
      columnSizingOptions={SIZING}
      selectionMode="multiselect"
      selectedItems={selected}
      onSelectionChange={(_e, d) => {
        onSelect(d.selectedItems);
      }}
      size="small"
      aria-label="Queue"
    >
      <DataGridHeader>
        <DataGridRow selectionCell={{ checkboxIndicator: { 'aria-label': 'Select every row' } }}>
          {({ renderHeaderCell }) => <DataGridHeaderCell>{renderHeaderCell()}</DataGridHeaderCell>}
        </DataGridRow>
      </DataGridHeader>
      <DataGridBody<Car>>
        {({ item, rowId }) => (
          <DataGridRow<Car>
            key={rowId}
            selectionCell={{
              checkboxIndicator: { 'aria-label': `Select ${item.number ?? item.report.title}` },
            }}
          >
            {({ renderCell }) => <DataGridCell>{renderCell(item)}</DataGridCell>}
          </DataGridRow>
        )}
      </DataGridBody>
    </DataGrid>
  );
}

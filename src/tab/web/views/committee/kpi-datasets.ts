import type { Kpis } from '../../api/types.js';
import { CAUSE_LABELS, CLASSIFICATION_LABELS } from '../../app/car-labels.js';
import { RELATES_TO_LABELS, REPORT_TYPE_LABELS, SOURCE_LABELS } from '../../app/labels.js';

/** One chart's numbers: what the chart draws and what its table lists, the same rows. */
export interface KpiDataset {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly (readonly [label: string, count: number])[];
}

const fromRecord = <K extends string>(
  counts: Readonly<Record<K, number>>,
  labels: Readonly<Record<K, string>>,
): [string, number][] =>
  (Object.keys(counts) as K[]).map((k) => [labels[k], counts[k]] as [string, number]);

/** The KPIs the committee reads as charts, in order. */
export function kpiDatasets(k: Kpis): KpiDataset[] {
  return [
    {
      id: 'month',
      title: 'CARs recorded by month',
      rows: k.byMonth.map((m) => [m.month, m.count]),
    },
    {
      id: 'status',
      title: 'Open, overdue and closed',
      rows: [
        ['Open', k.status.open],
        ['Overdue', k.status.overdue],
        ['Closed', k.status.closed],
      ],
    },
    { id: 'type', title: 'By type', rows: fromRecord(k.byType, REPORT_TYPE_LABELS) },
    {
      id: 'relates',
      title: 'By what it relates to',
      rows: fromRecord(k.byRelatesTo, RELATES_TO_LABELS),
    },
    {
      id: 'source',
      title: 'By how it was recognised',
      rows: fromRecord(k.bySource, SOURCE_LABELS),
    },
    {
      id: 'classification',
      title: 'By classification',
      rows: fromRecord(k.byClassification, CLASSIFICATION_LABELS),
    },
    {
      id: 'cause',
      title: 'By cause category',
      rows: fromRecord(k.byCauseCategory, { ...CAUSE_LABELS, none: 'Not categorised yet' }),
    },
  ];
}

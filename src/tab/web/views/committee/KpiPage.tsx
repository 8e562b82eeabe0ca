import * as calls from '../../api/more-calls.js';
import {
  Button,
  Field,
  Input,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  mergeClasses,
} from '@fluentui/react-components';
import { Suspense, lazy, useState } from 'react';
import { useApiData } from '../../api/api-context.js';
import type { Kpis } from '../../api/types.js';
import { CAUSE_LABELS } from '../../app/car-labels.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Facts, Section } from '../../components/Section.js';
import { useCommitteeStyles } from './Committee.styles.js';
import { kpiDatasets, type KpiDataset } from './kpi-datasets.js';
import { todayLocal } from './MeetingPicker.js';

// The charts library loads only when charts are shown, never with the report view.
const KpiCharts = lazy(() => import('./KpiCharts.js').then((m) => ({ default: m.KpiCharts })));

const days = (v: number | null) => (v === null ? 'no data' : `${Math.round(v * 10) / 10} days`);

function KpiTable({ dataset, hidden }: { dataset: KpiDataset; hidden: boolean }) {
  const styles = useCommitteeStyles();
  return (
    <Table
      size="small"
      aria-label={dataset.title}
      data-kpi={dataset.id}
      className={mergeClasses(hidden && styles.visuallyHidden)}
    >
      <TableHeader>
        <TableRow>
          <TableHeaderCell>{dataset.title}</TableHeaderCell>
          <TableHeaderCell>CARs</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {dataset.rows.map(([label, count]) => (
          <TableRow key={label}>
            <TableCell>{label}</TableCell>
            <TableCell>{count}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Figures({ k }: { k: Kpis }) {
  const share = k.firstVerification.share;
  return (
    <Section title="Figures">
      <Facts
        items={[
          [
            'Reports',
            `${k.reports.total} (${k.reports.recorded} recorded, ${k.reports.rejected} rejected, ${k.reports.merged} merged, ${k.reports.awaitingTriage} awaiting triage)`,
          ],
          ['CARs', String(k.cars)],
          ['Closed in the period', String(k.closedInPeriod)],
          [
            'Report to record',
            `mean ${days(k.days.reportToRecord.mean)}, p90 ${days(k.days.reportToRecord.p90)} (${k.days.reportToRecord.count} CARs)`,
          ],
          [
            'Report to action plan',
            `mean ${days(k.days.reportToActionPlan.mean)}, p90 ${days(k.days.reportToActionPlan.p90)} (${k.days.reportToActionPlan.count} CARs)`,
          ],
          [
            'Report to closure',
            `mean ${days(k.days.reportToClosure.mean)}, p90 ${days(k.days.reportToClosure.p90)} (${k.days.reportToClosure.count} CARs)`,
          ],
          [
            'Effective at first verification',
            share === null
              ? 'no verification yet'
              : `${Math.round(share * 100)}% (${k.firstVerification.effective} of ${k.firstVerification.verified})`,
          ],
          [
            'Repeated causes',
            k.repeatedCauseCategories
              .map((c) => `${CAUSE_LABELS[c.causeCategory]}: ${c.count}`)
              .join('; ') || 'none',
          ],
          [
            'Repeated procedures',
            k.repeatedProcedures.map((p) => `${p.procedureId} ${p.title}: ${p.count}`).join('; ') ||
              'none',
          ],
        ]}
      />
      <Text size={200}>
        As of {k.asOf} ({k.timeZone}). Days are calendar days; p90 is the 90th percentile.
      </Text>
    </Section>
  );
}

/** Trends for a period: charts (with their tables for screen readers) or the tables alone. */
export function KpiPage() {
  const styles = useCommitteeStyles();
  const [draft, setDraft] = useState(() => ({
    from: `${todayLocal().slice(0, 4)}-01-01`,
    to: todayLocal(),
  }));
  const [period, setPeriod] = useState(draft);
  const [tables, setTables] = useState(false);
  const kpis = useApiData(
    (s) => calls.kpis(s.client, period.from, period.to),
    [period.from, period.to],
  );
  const datasets = kpis.data ? kpiDatasets(kpis.data) : [];
  return (
    <div className={styles.page}>
      <form
        className={styles.row}
        aria-label="Period"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setPeriod(draft);
        }}
      >
        <Field label="From">
          <Input
            type="date"
            value={draft.from}
            onChange={(_e, d) => {
              setDraft((p) => ({ ...p, from: d.value }));
            }}
          />
        </Field>
        <Field label="To">
          <Input
            type="date"
            value={draft.to}
            onChange={(_e, d) => {
              setDraft((p) => ({ ...p, to: d.value }));
            }}
          />
        </Field>
        <Button type="submit">Show</Button>
        <Switch
          label="Show tables instead of charts"
          checked={tables}
          onChange={(_e, d) => {
            setTables(d.checked);
          }}
        />
      </form>
      {kpis.error && <ErrorBar error={kpis.error} />}
      {!kpis.data && !kpis.error && <Loading />}
      {kpis.data && (
        <>
          <Figures k={kpis.data} />
          {!tables && (
            <Suspense fallback={<Loading label="Drawing the charts…" />}>
              <KpiCharts datasets={datasets} />
            </Suspense>
          )}
          <div className={tables ? styles.kpiGrid : undefined}>
            {datasets.map((d) => (
              <KpiTable key={d.id} dataset={d} hidden={!tables} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

import { Text, tokens } from '@fluentui/react-components';
import { VerticalBarChart } from '@fluentui/react-charts';
import { useCommitteeStyles } from './Committee.styles.js';
import type { KpiDataset } from './kpi-datasets.js';

/**
 * The KPI charts. Loaded on demand (the charts library is large). They are pictures of the
 * tables next to them: inert and hidden from assistive technology, which reads the tables.
 */
export function KpiCharts({ datasets }: { datasets: readonly KpiDataset[] }) {
  const styles = useCommitteeStyles();
  return (
    <div className={styles.kpiGrid} aria-hidden="true" inert data-testid="kpi-charts">
      {datasets.map((d) => (
        <div key={d.id} className={styles.chartBox}>
          <Text weight="semibold">{d.title}</Text>
          <div className={styles.chart}>
            <VerticalBarChart
              data={d.rows.map(([label, count]) => ({
                x: label,
                y: count,
                legend: label,
                color: tokens.colorBrandBackground,
              }))}
              height={240}
              hideLegend
              useSingleColor
              wrapXAxisLables
            />
          </div>
        </div>
      ))}
    </div>
  );
}

import { Text, type TableRowId } from '@fluentui/react-components';
import { useState } from 'react';
import { useApiData } from '../../api/api-context.js';
import { CarFilters, noFilters, toListFilter, type Filters } from '../../components/CarFilters.js';
import { useCarFiltersStyles } from '../../components/CarFilters.styles.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Stack } from '../../components/Section.js';
import { BulkTriage } from './BulkTriage.js';
import { QueueGrid } from './QueueGrid.js';
import { queueOrder } from './queue-order.js';

export { queueOrder } from './queue-order.js';

const SAVED = 'rectify.queue.filters';
/** By default the queue shows what still needs work. */
const DEFAULT_FILTERS: Filters = { ...noFilters, state: 'open' };

function savedFilters(): Filters {
  try {
    const raw = window.localStorage.getItem(SAVED);
    if (!raw) return DEFAULT_FILTERS;
    const parsed = JSON.parse(raw) as Partial<Filters>;
    return {
      state: typeof parsed.state === 'string' ? parsed.state : DEFAULT_FILTERS.state,
      type: typeof parsed.type === 'string' ? parsed.type : '',
      classification: typeof parsed.classification === 'string' ? parsed.classification : '',
      overdue: parsed.overdue === true,
      q: typeof parsed.q === 'string' ? parsed.q : '',
    };
  } catch {
    // Storage unavailable or a value from another version: start from the defaults.
    return DEFAULT_FILTERS;
  }
}

/** The MR's queue of reports and open CARs, as a grid with bulk triage. */
export function QueueView() {
  const [filters, setFilters] = useState<Filters>(savedFilters);
  const [selected, setSelected] = useState<Set<TableRowId>>(new Set());
  const [now] = useState(() => Date.now());
  const [outcome, setOutcome] = useState<string | null>(null);
  const styles = useCarFiltersStyles();
  const filter = toListFilter(filters);
  const cars = useApiData((s) => s.client.listCars(filter), [JSON.stringify(filter)]);
  const sorted = [...(cars.data?.items ?? [])].sort(queueOrder);
  const chosen = sorted.filter((c) => selected.has(c.id));
  const change = (f: Filters) => {
    setFilters(f);
    setSelected(new Set());
    try {
      window.localStorage.setItem(SAVED, JSON.stringify(f));
    } catch {
      // Without storage the filters last as long as the page.
    }
  };
  return (
    <Stack>
      <Text as="h2" size={600} weight="semibold">
        MR workspace: queue
      </Text>
      <CarFilters value={filters} onChange={change} />
      {chosen.length > 0 && (
        <BulkTriage
          cars={chosen}
          onDone={(said) => {
            setOutcome(said);
            setSelected(new Set());
            cars.reload();
          }}
        />
      )}
      <Text role="status">{outcome}</Text>
      <div className={styles.wrap} role="region" aria-label="CARs" tabIndex={0}>
        {cars.error ? (
          <ErrorBar error={cars.error} />
        ) : cars.data ? (
          <QueueGrid cars={sorted} selected={selected} onSelect={setSelected} now={now} />
        ) : (
          <Loading />
        )}
      </div>
    </Stack>
  );
}

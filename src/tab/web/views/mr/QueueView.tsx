import { Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useApiData } from '../../api/api-context.js';
import type { Car } from '../../api/types.js';
import { CarFilters, noFilters, toListFilter, type Filters } from '../../components/CarFilters.js';
import { useCarFiltersStyles } from '../../components/CarFilters.styles.js';
import { CarTable } from '../../components/CarTable.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Stack } from '../../components/Section.js';

/** New reports first (oldest first: they wait longest), then by what is due soonest. */
export const queueOrder = (a: Car, b: Car): number => {
  const aNew = a.state === 'reported' ? 0 : 1;
  const bNew = b.state === 'reported' ? 0 : 1;
  if (aNew !== bNew) return aNew - bNew;
  if (aNew === 0) return a.reportedAt.localeCompare(b.reportedAt);
  const ad = a.nextDueDate ?? '9999-12-31';
  const bd = b.nextDueDate ?? '9999-12-31';
  return ad === bd ? a.reportedAt.localeCompare(b.reportedAt) : ad.localeCompare(bd);
};

/** The MR's queue of reports and open CARs. */
export function QueueView() {
  const [filters, setFilters] = useState<Filters>({
    ...noFilters,
  });
  const styles = useCarFiltersStyles();
  const filter = toListFilter(filters);
  const cars = useApiData((s) => s.client.listCars(filter), [JSON.stringify(filter)]);
  const sorted = [...(cars.data?.items ?? [])].sort(queueOrder);
  return (
    <Stack>
      <Text as="h2" size={600} weight="semibold">
        MR workspace: queue
      </Text>
      <CarFilters value={filters} onChange={setFilters} />
      <div className={styles.wrap} role="region" aria-label="CARs" tabIndex={0}>
        {cars.error ? (
          <ErrorBar error={cars.error} />
        ) : cars.data ? (
          <CarTable cars={sorted} caption="Queue" />
        ) : (
          <Loading />
        )}
      </div>
    </Stack>
  );
}

import { Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useApiData } from '../../api/api-context.js';
import { CarFilters, noFilters, toListFilter, type Filters } from '../../components/CarFilters.js';
import { useCarFiltersStyles } from '../../components/CarFilters.styles.js';
import { CarTable } from '../../components/CarTable.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Stack } from '../../components/Section.js';

/** The Steering Committee's register: every report and CAR; open one to record a review. */
export function CommitteeView() {
  const [filters, setFilters] = useState<Filters>(noFilters);
  const styles = useCarFiltersStyles();
  const filter = toListFilter(filters);
  const cars = useApiData(
    (s) => s.client.listCars({ ...filter, sort: 'reportedAt', order: 'desc' }),
    [JSON.stringify(filter)],
  );
  return (
    <Stack>
      <Text as="h2" size={600} weight="semibold">
        Committee: all CARs
      </Text>
      <Text as="p">Open a CAR to record the committee's review of it.</Text>
      <CarFilters value={filters} onChange={setFilters} />
      <div className={styles.wrap} role="region" aria-label="CARs" tabIndex={0}>
        {cars.error ? (
          <ErrorBar error={cars.error} />
        ) : cars.data ? (
          <CarTable cars={cars.data.items} caption="All CARs" />
        ) : (
          <Loading />
        )}
      </div>
    </Stack>
  );
}

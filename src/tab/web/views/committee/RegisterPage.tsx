import * as calls from '../../api/more-calls.js';
import { Text } from '@fluentui/react-components';
import { useState } from 'react';
import { useApiData, useSession } from '../../api/api-context.js';
import { CarFilters, noFilters, toListFilter, type Filters } from '../../components/CarFilters.js';
import { useCarFiltersStyles } from '../../components/CarFilters.styles.js';
import { CarTable } from '../../components/CarTable.js';
import { DownloadButton } from '../../components/DownloadButton.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { useCommitteeStyles } from './Committee.styles.js';

/** The register: every report and CAR; open one to record a review of it alone. */
export function RegisterPage() {
  const { client } = useSession();
  const [filters, setFilters] = useState<Filters>(noFilters);
  const styles = useCarFiltersStyles();
  const own = useCommitteeStyles();
  const filter = toListFilter(filters);
  const cars = useApiData(
    (s) => s.client.listCars({ ...filter, sort: 'reportedAt', order: 'desc' }),
    [JSON.stringify(filter)],
  );
  return (
    <div className={own.page}>
      <Text as="p">Open a CAR to record the committee's review of it.</Text>
      <div className={own.buttons}>
        <DownloadButton
          label="Register (CSV)"
          load={() => calls.download(client, '/api/exports/register.csv', 'rectify-register.csv')}
        />
        <DownloadButton
          label="Register (XLSX)"
          load={() => calls.download(client, '/api/exports/register.xlsx', 'rectify-register.xlsx')}
        />
      </div>
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
    </div>
  );
}

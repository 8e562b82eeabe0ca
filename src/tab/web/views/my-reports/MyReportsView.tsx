import { Text } from '@fluentui/react-components';
import { useApiData } from '../../api/api-context.js';
import { CarTable } from '../../components/CarTable.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Stack } from '../../components/Section.js';

/** The member's own reports: state, CAR number, next step and who holds it. */
export function MyReportsView() {
  const cars = useApiData((s) => s.client.myReports({ limit: 200 }), []);
  const mine = cars.data?.items ?? [];
  return (
    <Stack>
      <Text as="h2" size={600} weight="semibold">
        My reports
      </Text>
      {cars.error ? (
        <ErrorBar error={cars.error} />
      ) : cars.data ? (
        <CarTable cars={mine} caption="My reports" />
      ) : (
        <Loading />
      )}
    </Stack>
  );
}

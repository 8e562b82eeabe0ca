import * as calls from '../../api/more-calls.js';
import { Text } from '@fluentui/react-components';
import { Suspense, lazy } from 'react';
import { hasRole, useApiData, useSession } from '../../api/api-context.js';
import { AppLink } from '../../components/AppLink.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Section, Stack } from '../../components/Section.js';
import { StateBadge } from '../../components/StateBadge.js';
import { CarDetails } from './CarDetails.js';
import { useCarViewStyles } from './CarView.styles.js';
import { HistoryList } from './HistoryList.js';
import { ProceduresSection } from './ProceduresSection.js';
import { TasksSection } from './TasksSection.js';
import { DownloadButton } from '../../components/DownloadButton.js';

const CarOperations = lazy(() =>
  import('./operations/CarOperations.js').then((m) => ({ default: m.CarOperations })),
);

/** One report or CAR: what is recorded, its history, and every operation this person may run now. */
export function CarView({ id }: { id: string }) {
  const session = useSession();
  const { me } = session;
  const styles = useCarViewStyles();
  const car = useApiData((s) => s.client.getCar(id), [id]);
  const current = car.data;
  const history = useApiData(
    (s) => (current ? s.client.history(current.id) : Promise.resolve([])),
    [current?.id, current?.etag],
  );

  if (car.error) {
    return (
      <Stack>
        <ErrorBar error={car.error} />
        <Text as="p">
          Back to <AppLink href="/my-reports">My reports</AppLink>.
        </Text>
      </Stack>
    );
  }
  if (!current) return <Loading />;

  const isMr = hasRole(me, 'mr');
  const isCommittee = hasRole(me, 'committee');
  const { client } = session;
  return (
    <div className={styles.page}>
      <Text as="h2" size={600} weight="semibold" className={styles.heading}>
        <span>
          {current.number ? `${current.number}: ` : ''}
          {current.report.title}
        </span>
        <StateBadge state={current.state} />
      </Text>
      {(isMr || isCommittee) && (
        <div>
          <DownloadButton
            label="Export record (PDF)"
            load={() =>
              calls.download(
                client,
                `/api/cars/${encodeURIComponent(current.id)}/record.pdf`,
                `rectify-${current.number ?? current.id}-record.pdf`,
              )
            }
          />
        </div>
      )}
      <div className={styles.columns}>
        <Stack>
          <CarDetails car={current} />
          <TasksSection car={current} />
          <ProceduresSection car={current} />
        </Stack>
        {current.availableCommands.length > 0 && (
          <Suspense fallback={<Loading />}>
            <CarOperations
              car={current}
              history={history.data ?? []}
              onChanged={(next) => {
                car.set(next);
              }}
            />
          </Suspense>
        )}
      </div>
      <Section title="History">
        <div className={styles.history} role="region" aria-label="History table" tabIndex={0}>
          {history.error ? (
            <ErrorBar error={history.error} />
          ) : history.data ? (
            <HistoryList entries={history.data} caption="History of this CAR" />
          ) : (
            <Loading />
          )}
        </div>
      </Section>
    </div>
  );
}

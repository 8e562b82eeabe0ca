import * as calls from '../../api/more-calls.js';
import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { useApiData } from '../../api/api-context.js';
import type { ActionTask, Car } from '../../api/types.js';
import { formatDateTime } from '../../app/labels.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Section } from '../../components/Section.js';
import { TaskLink } from '../../components/TaskLink.js';
import { usePolling } from '../../components/use-polling.js';

/** How often the live status is asked again while the page is visible. */
export const TASK_REFRESH_MS = 30_000;

const BUCKETS = { corrective: 'Corrective actions', training: 'Training', effectiveness: 'Checks' };

const status = (t: NonNullable<ActionTask['task']>): string =>
  t.percentComplete >= 100
    ? `Completed${t.completedAt ? ` ${formatDateTime(t.completedAt)}` : ''}`
    : t.percentComplete > 0
      ? `In progress (${t.percentComplete}%)`
      : 'Not started';

/**
 * Each action's task on the board (Planner or the local board), live: asked again every 30 s
 * while visible and whenever the CAR changes (each operation gives it a new ETag).
 */
export function TasksSection({ car }: { car: Car }) {
  const tasks = useApiData((s) => calls.carTasks(s.client, car.id), [car.id, car.etag]);
  usePolling(tasks.reload, TASK_REFRESH_MS);
  // A server without a task board (no task sync configured) has no such route: no section.
  if (car.actions.length === 0 || tasks.error?.code === 'ROUTE.NOT_FOUND') return null;
  return (
    <Section title="Tasks">
      {tasks.error ? (
        <ErrorBar error={tasks.error} title="The tasks could not be read" />
      ) : !tasks.data ? (
        <Loading />
      ) : (
        <div role="region" aria-label="Tasks of this CAR" tabIndex={0}>
          <Table size="small" aria-label="Tasks of the actions">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Action</TableHeaderCell>
                <TableHeaderCell>Task</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {tasks.data.map((a) => (
                <TableRow key={a.actionId} data-action-id={a.actionId}>
                  <TableCell>{a.actionTitle}</TableCell>
                  <TableCell>
                    {a.task ? (
                      <TaskLink url={a.task.url}>
                        {a.task.bucket ? `${BUCKETS[a.task.bucket]}: ` : ''}open on the{' '}
                        {a.task.board}
                      </TaskLink>
                    ) : (
                      <Text>Not on the board yet</Text>
                    )}
                  </TableCell>
                  <TableCell>{a.task ? status(a.task) : ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </Section>
  );
}

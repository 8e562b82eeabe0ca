import * as calls from '../../api/more-calls.js';
import { Button, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { asApiError, useApiData, useSession } from '../../api/api-context.js';
import type { ApiError } from '../../api/rectify-client.js';
import type { BoardTask } from '../../api/types.js';
import { formatDateTime } from '../../app/labels.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Section } from '../../components/Section.js';
import { TaskLink } from '../../components/TaskLink.js';
import { usePolling } from '../../components/use-polling.js';
import { useBoardTasksStyles } from './BoardTasks.styles.js';

/** Where people work from their tasks when the board is Planner. */
const PLANNER_URL = 'https://planner.cloud.microsoft/';

/** A reference the task sync put on the task: the CAR in Rectify (a Teams deep link or the tab). */
const carLink = (t: BoardTask) => t.references?.[0];

/**
 * The caller's tasks on the board. On the local board a task is completed here (If-Match with
 * the version shown; someone else's change first answers a conflict and the list is read again);
 * with Planner the server has no local board and the person is sent to Planner.
 */
export function BoardTasks() {
  const { client } = useSession();
  const styles = useBoardTasksStyles();
  const tasks = useApiData((s) => calls.myBoardTasks(s.client), []);
  usePolling(tasks.reload, 30_000);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ id: string; error?: ApiError } | null>(null);

  // No local board on this server: the tasks are in Planner.
  if (tasks.error?.code === 'ROUTE.NOT_FOUND') {
    return (
      <Section title="My tasks">
        <Text as="p">
          Your tasks are in Planner: <TaskLink url={PLANNER_URL}>open Planner</TaskLink>. A task you
          complete there is brought back into its CAR.
        </Text>
      </Section>
    );
  }

  const complete = async (task: BoardTask) => {
    setBusy(task.id);
    setOutcome(null);
    try {
      await calls.completeBoardTask(client, task);
      setOutcome({ id: task.id });
    } catch (e) {
      setOutcome({ id: task.id, error: asApiError(e) });
    } finally {
      setBusy(null);
      tasks.reload();
    }
  };

  const items = tasks.data ?? [];
  const open = items.filter((t) => t.percentComplete < 100);
  const done = items.filter((t) => t.percentComplete >= 100);
  return (
    <Section title="My tasks">
      {tasks.error && <ErrorBar error={tasks.error} />}
      {!tasks.data && !tasks.error && <Loading />}
      {outcome && !outcome.error && (
        <MessageBar intent="success" role="status">
          <MessageBarBody>The task is completed. Its CAR is updated shortly.</MessageBarBody>
        </MessageBar>
      )}
      {tasks.data && open.length === 0 && <Text as="p">You have no open task on the board.</Text>}
      {open.length > 0 && (
        <ul className={styles.list} aria-label="Open tasks">
          {open.map((t) => {
            const failed = outcome?.id === t.id ? outcome.error : undefined;
            const ref = carLink(t);
            return (
              <li key={t.id} id={`task-${t.id}`} className={styles.item}>
                <Text weight="semibold">{t.title}</Text>
                <Text>
                  {t.dueDate ? `Due ${t.dueDate}. ` : ''}
                  {t.percentComplete > 0 ? `${t.percentComplete}% done.` : 'Not started.'}
                </Text>
                {ref && <TaskLink url={ref.url}>{ref.alias}</TaskLink>}
                {failed && (
                  <ErrorBar
                    error={failed}
                    title={
                      failed.status === 409 || failed.status === 412
                        ? 'The task changed meanwhile: look again and complete it again'
                        : 'Not saved'
                    }
                  />
                )}
                <div>
                  <Button
                    appearance="primary"
                    disabled={busy !== null}
                    onClick={() => void complete(t)}
                    aria-label={`Complete task ${t.title}`}
                  >
                    Complete task
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {done.length > 0 && (
        <ul aria-label="Completed tasks">
          {done.map((t) => (
            <li key={t.id} id={`task-${t.id}`}>
              {t.title}: completed{t.completedAt ? ` ${formatDateTime(t.completedAt)}` : ''}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

import { Button, Field, Input, MessageBar, MessageBarBody, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { asApiError, useApiData, useSession } from '../../api/api-context.js';
import { ConflictError, type ApiError } from '../../api/rectify-client.js';
import type { MyAction } from '../../api/types.js';
import { ACTION_KIND_LABELS, STATE_LABELS } from '../../app/car-labels.js';
import { AppLink } from '../../components/AppLink.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { Facts, Section, Stack } from '../../components/Section.js';
import { BoardTasks } from './BoardTasks.js';

/** The caller's actions across CARs; an open one is marked done with a note. */
export function MyActionsView() {
  const { client } = useSession();
  const actions = useApiData((s) => s.client.myActions(), []);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ id: string; error?: ApiError; done?: boolean } | null>(
    null,
  );

  const complete = async (item: MyAction) => {
    setBusy(item.action.id);
    setOutcome(null);
    try {
      await client.execute(
        'completeAction',
        { id: item.carId, etag: item.etag },
        { actionId: item.action.id, note: notes[item.action.id] ?? '' },
      );
      setOutcome({ id: item.action.id, done: true });
      actions.reload();
    } catch (e) {
      setOutcome({ id: item.action.id, error: asApiError(e) });
      if (e instanceof ConflictError) actions.reload();
    } finally {
      setBusy(null);
    }
  };

  const items = actions.data ?? [];
  const open = items.filter((i) => i.action.status === 'open');
  const finished = items.filter((i) => i.action.status !== 'open');
  return (
    <Stack>
      <Text as="h2" size={600} weight="semibold">
        My actions
      </Text>
      {outcome?.done && (
        <MessageBar intent="success" role="status">
          <MessageBarBody>The action is marked done. The MR is told.</MessageBarBody>
        </MessageBar>
      )}
      {actions.error && <ErrorBar error={actions.error} />}
      {!actions.data && !actions.error && <Loading />}
      {actions.data && open.length === 0 && <Text as="p">You have no open action.</Text>}
      {open.map((item) => {
        const a = item.action;
        const failed = outcome?.id === a.id ? outcome.error : undefined;
        return (
          <Section key={a.id} title={a.title}>
            {failed && (
              <ErrorBar
                error={failed}
                title={
                  failed instanceof ConflictError
                    ? 'The CAR changed meanwhile: your note is kept, mark it done again'
                    : 'Not saved'
                }
              />
            )}
            <Facts
              items={[
                [
                  'CAR',
                  item.carTitle ? (
                    <AppLink href={`/cars/${item.carId}`}>
                      {item.carNumber ?? ''} {item.carTitle}
                    </AppLink>
                  ) : (
                    `${item.carNumber ?? ''} (confidential)`
                  ),
                ],
                ['CAR state', STATE_LABELS[item.carState]],
                ['Kind', ACTION_KIND_LABELS[a.kind]],
                ['Due', a.dueDate],
                ['Description', a.description],
                ['Steps', a.steps.join('; ')],
              ]}
            />
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void complete(item);
              }}
            >
              <Field label={`Completion note for “${a.title}”`}>
                <Input
                  value={notes[a.id] ?? ''}
                  onChange={(_e, d) => {
                    setNotes((n) => ({ ...n, [a.id]: d.value }));
                  }}
                />
              </Field>
              <Button type="submit" appearance="primary" disabled={busy !== null}>
                Mark done
              </Button>
            </form>
          </Section>
        );
      })}
      <BoardTasks />
      {finished.length > 0 && (
        <Section title="Done or cancelled">
          <ul>
            {finished.map((i) => (
              <li key={i.action.id}>
                {i.action.title} ({i.carNumber ?? ''}): {i.action.status}
                {i.action.completionNote ? `. ${i.action.completionNote}` : ''}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </Stack>
  );
}

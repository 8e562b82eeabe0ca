import { Button, Field, Input } from '@fluentui/react-components';
import type { Car } from '../../../api/types.js';
import {
  OperationForm,
  offered,
  useOperationDraft,
  type OperationProps,
} from './operation-form.js';

type Action = Car['actions'][number];

/**
 * One open action: "Mark done" where the CAR offers this person its completion (its owner, the
 * MR), and "Cancel" where it offers the cancellation (the MR).
 */
function ActionForm({ car, ops, draft, action }: OperationProps & { action: Action }) {
  const f = useOperationDraft(draft, `action:${action.id}`, () => ({ note: '', cancel: '' }));
  const target = { actionId: action.id };
  const canComplete = offered(car, 'completeAction', target) !== undefined;
  const canCancel = offered(car, 'cancelAction', target) !== undefined;
  const title = `Action: ${action.title} (${action.owner.name}, due ${action.dueDate})`;
  const cancel = canCancel && (
    <>
      <Field label="Reason to cancel">
        <Input {...f.bind('cancel')} />
      </Field>
      <Button
        data-command="cancelAction"
        data-target={action.id}
        disabled={ops.busy !== null || !f.value.cancel.trim()}
        onClick={() =>
          void ops
            .run(
              'cancelAction',
              { actionId: action.id, reason: f.value.cancel },
              'Cancel action',
              action.id,
            )
            .then((ok) => ok && f.reset())
        }
      >
        Cancel the action
      </Button>
    </>
  );
  if (!canComplete)
    return (
      <OperationForm
        ops={ops}
        op="cancelAction"
        scope={action.id}
        target={action.id}
        title={title}
        submitLabel="Cancel the action"
        body={() => ({ actionId: action.id, reason: f.value.cancel })}
        onSaved={f.reset}
      >
        <Field label="Reason to cancel">
          <Input {...f.bind('cancel')} />
        </Field>
      </OperationForm>
    );
  return (
    <OperationForm
      ops={ops}
      op="completeAction"
      scope={action.id}
      target={action.id}
      title={title}
      submitLabel="Mark done"
      body={() => ({ actionId: action.id, note: f.value.note })}
      onSaved={f.reset}
      extraButtons={cancel}
    >
      <Field label="Completion note">
        <Input {...f.bind('note')} />
      </Field>
    </OperationForm>
  );
}

/** Change an open action's title or due date; only what changed is sent. */
function UpdateActionForm({ ops, draft, action }: OperationProps & { action: Action }) {
  const f = useOperationDraft(draft, `update:${action.id}`, () => ({
    title: action.title,
    dueDate: String(action.dueDate),
  }));
  return (
    <OperationForm
      ops={ops}
      op="updateAction"
      scope={action.id}
      target={action.id}
      title={`Change the action “${action.title}”`}
      submitLabel="Save the action"
      body={() => ({
        actionId: action.id,
        ...(f.value.title.trim() !== action.title ? { title: f.value.title } : {}),
        ...(f.value.dueDate !== String(action.dueDate) ? { dueDate: f.value.dueDate } : {}),
      })}
      onSaved={f.reset}
    >
      <Field label={`Title of “${action.title}”`}>
        <Input {...f.bind('title')} />
      </Field>
      <Field label={`Due date of “${action.title}”`}>
        <Input type="date" {...f.bind('dueDate')} />
      </Field>
    </OperationForm>
  );
}

/** The open actions this person may complete, change or cancel now. */
export function ActionForms(props: OperationProps) {
  const { car } = props;
  const mine = car.actions.filter(
    (a) =>
      offered(car, 'completeAction', { actionId: a.id }) ??
      offered(car, 'cancelAction', { actionId: a.id }),
  );
  return (
    <>
      {mine.map((a) => (
        <ActionForm key={a.id} {...props} action={a} />
      ))}
      {car.actions
        .filter((a) => offered(car, 'updateAction', { actionId: a.id }))
        .map((a) => (
          <UpdateActionForm key={`update:${a.id}`} {...props} action={a} />
        ))}
    </>
  );
}

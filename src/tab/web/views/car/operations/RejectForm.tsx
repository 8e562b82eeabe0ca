import { Field, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** No CAR needed: the reporter sees the reason. */
export function RejectForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'reject', () => ({ reason: '' }));
  return (
    <OperationForm
      ops={ops}
      op="reject"
      title="Reject: no CAR needed"
      submitLabel="Reject"
      body={() => ({ reason: f.value.reason })}
      onSaved={f.reset}
    >
      <Field label="Reason (the reporter sees it)" required>
        <Textarea {...f.bind('reason')} />
      </Field>
    </OperationForm>
  );
}

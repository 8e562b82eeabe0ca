import { Field, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** Reopen a closed CAR, with why. */
export function ReopenForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'reopen', () => ({ reason: '' }));
  return (
    <OperationForm
      ops={ops}
      op="reopen"
      title="Reopen the CAR"
      submitLabel="Reopen"
      body={() => ({ reason: f.value.reason })}
      onSaved={f.reset}
    >
      <Field label="Why it is reopened" required>
        <Textarea {...f.bind('reason')} />
      </Field>
    </OperationForm>
  );
}

import { Field, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** Containment and correction (10.2 a). */
export function ContainmentForm({ car, ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'containment', () => ({
    description: car.containment?.description ?? '',
  }));
  return (
    <OperationForm
      ops={ops}
      op="recordContainment"
      title="Containment and correction (10.2 a)"
      submitLabel="Save containment"
      body={() => ({ description: f.value.description })}
      onSaved={f.reset}
    >
      <Field label="What was done to contain it and correct it" required>
        <Textarea {...f.bind('description')} />
      </Field>
    </OperationForm>
  );
}

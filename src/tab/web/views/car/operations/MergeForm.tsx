import { Field, Input } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** The report duplicates an existing CAR. */
export function MergeForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'merge', () => ({ target: '' }));
  return (
    <OperationForm
      ops={ops}
      op="merge"
      title="Merge into an existing CAR (duplicate)"
      submitLabel="Merge"
      body={() => ({ target: f.value.target })}
      onSaved={f.reset}
    >
      <Field label="CAR number it duplicates" required hint="e.g. CAR-2026-0007">
        <Input {...f.bind('target')} />
      </Field>
    </OperationForm>
  );
}

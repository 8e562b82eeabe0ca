import { Field, Input, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** The report duplicates an existing CAR; merging needs a reason, kept in the trail. */
export function MergeForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'merge', () => ({ target: '', reason: '' }));
  return (
    <OperationForm
      ops={ops}
      op="merge"
      title="Merge into an existing CAR (duplicate)"
      submitLabel="Merge"
      body={() => ({ target: f.value.target, reason: f.value.reason })}
      onSaved={f.reset}
    >
      <Field label="CAR number it duplicates" required hint="e.g. CAR-2026-0007">
        <Input {...f.bind('target')} />
      </Field>
      <Field label="Why it is a duplicate" required>
        <Textarea {...f.bind('reason')} />
      </Field>
    </OperationForm>
  );
}

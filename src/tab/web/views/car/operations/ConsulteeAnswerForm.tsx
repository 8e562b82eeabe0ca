import { Field, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** A consultee's answer to the investigation (only the people the MR consulted get it). */
export function ConsulteeAnswerForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'consulteeInput', () => ({ answer: '' }));
  return (
    <OperationForm
      ops={ops}
      op="addConsulteeInput"
      title="Your answer to the investigation"
      submitLabel="Send answer"
      body={() => ({ answer: f.value.answer })}
      onSaved={f.reset}
    >
      <Field label="What do you know about why it happened?" required>
        <Textarea {...f.bind('answer')} />
      </Field>
    </OperationForm>
  );
}

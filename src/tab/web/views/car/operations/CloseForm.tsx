import { Checkbox, Field, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** Close the CAR (10.2 e); the record is then locked. */
export function CloseForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'close', () => ({
    summary: '',
    ismsChangeNeeded: false,
    ismsChangeDescription: '',
    feedsManagementReview: true,
  }));
  const v = f.value;
  return (
    <OperationForm
      ops={ops}
      op="close"
      title="Close the CAR (10.2 e)"
      submitLabel="Close CAR"
      body={() => ({
        summary: v.summary,
        ismsChangeNeeded: v.ismsChangeNeeded,
        ismsChangeDescription: v.ismsChangeNeeded ? v.ismsChangeDescription : null,
        feedsManagementReview: v.feedsManagementReview,
      })}
      onSaved={f.reset}
    >
      <Field label="Closing summary" required>
        <Textarea {...f.bind('summary')} />
      </Field>
      <Checkbox
        label="The ISMS itself needed a change"
        checked={v.ismsChangeNeeded}
        onChange={(_e, d) => {
          f.set({ ismsChangeNeeded: d.checked === true });
        }}
      />
      {v.ismsChangeNeeded && (
        <Field label="The ISMS change">
          <Textarea {...f.bind('ismsChangeDescription')} />
        </Field>
      )}
      <Checkbox
        label="Feeds the next management review"
        checked={v.feedsManagementReview}
        onChange={(_e, d) => {
          f.set({ feedsManagementReview: d.checked === true });
        }}
      />
    </OperationForm>
  );
}

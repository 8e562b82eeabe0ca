import { Field, Input, Textarea } from '@fluentui/react-components';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

const today = () => new Date().toISOString().slice(0, 10);

/** A Steering Committee review of one CAR: meeting date, minutes reference, decision. */
export function CommitteeReviewFields({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'committeeReview', () => ({
    meetingDate: today(),
    minutesRef: '',
    decision: '',
    followUp: '',
  }));
  const styles = useOpCardStyles();
  return (
    <OperationForm
      ops={ops}
      op="addCommitteeReview"
      title="Record a committee review"
      submitLabel="Record review"
      body={() => ({
        meetingDate: f.value.meetingDate,
        minutesRef: f.value.minutesRef,
        decision: f.value.decision,
        followUp: f.value.followUp.trim() || null,
      })}
      onSaved={f.reset}
    >
      <div className={styles.row}>
        <Field label="Meeting date" required>
          <Input type="date" {...f.bind('meetingDate')} />
        </Field>
        <Field label="Minutes reference" className={styles.grow}>
          <Input {...f.bind('minutesRef')} />
        </Field>
      </div>
      <Field label="Decision" required>
        <Textarea {...f.bind('decision')} />
      </Field>
      <Field label="Follow-up">
        <Textarea {...f.bind('followUp')} />
      </Field>
    </OperationForm>
  );
}

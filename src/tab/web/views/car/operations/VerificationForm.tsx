import { Field, Radio, RadioGroup, Textarea } from '@fluentui/react-components';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** Effectiveness verification (10.2 d); not effective reopens the investigation. */
export function VerificationForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'verify', () => ({ effective: '', evidence: '' }));
  return (
    <OperationForm
      ops={ops}
      op="verifyEffectiveness"
      title="Effectiveness verification (10.2 d)"
      submitLabel="Record verification"
      body={() => ({ effective: f.value.effective === 'yes', evidence: f.value.evidence })}
      onSaved={f.reset}
    >
      <Field label="Were the actions effective?" required>
        <RadioGroup
          value={f.value.effective}
          onChange={(_e, d) => {
            f.set({ effective: d.value });
          }}
        >
          <Radio value="yes" label="Effective" />
          <Radio value="no" label="Not effective: reopen the investigation" />
        </RadioGroup>
      </Field>
      <Field label="Evidence" required>
        <Textarea {...f.bind('evidence')} />
      </Field>
    </OperationForm>
  );
}

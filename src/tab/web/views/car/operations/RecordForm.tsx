import type { Classification, Severity } from '../../../../../domain/car/car-vocabulary.js';
import { ClassificationFields } from './ClassificationFields.js';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** Record the report as a CAR (it gets its number) and classify it. */
export function RecordForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft<{ classification: Classification | ''; severity: Severity | '' }>(
    draft,
    'record',
    () => ({
      classification: '',
      severity: '',
    }),
  );
  return (
    <OperationForm
      ops={ops}
      op="record"
      title="Record as a CAR and classify"
      submitLabel="Record CAR"
      body={() => ({
        classification: f.value.classification as Classification,
        severity: f.value.severity as Severity,
      })}
      onSaved={f.reset}
    >
      <ClassificationFields value={f.value} set={f.set} choose />
    </OperationForm>
  );
}

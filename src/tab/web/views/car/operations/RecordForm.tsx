import { CLASSIFICATIONS, SEVERITIES } from '../../../../../domain/car/car-vocabulary.js';
import type { Classification, Severity } from '../../../../../domain/car/car-vocabulary.js';
import { CLASSIFICATION_LABELS, SEVERITY_LABELS } from '../../../app/car-labels.js';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import {
  EnumSelect,
  OperationForm,
  useOperationDraft,
  type OperationProps,
} from './operation-form.js';

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
  const styles = useOpCardStyles();
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
      <div className={styles.row}>
        <EnumSelect
          label="Classification"
          required
          placeholder="Choose…"
          value={f.value.classification}
          options={CLASSIFICATIONS}
          labels={CLASSIFICATION_LABELS}
          onChange={(classification) => {
            f.set({ classification });
          }}
        />
        <EnumSelect
          label="Severity"
          required
          placeholder="Choose…"
          value={f.value.severity}
          options={SEVERITIES}
          labels={SEVERITY_LABELS}
          onChange={(severity) => {
            f.set({ severity });
          }}
        />
      </div>
    </OperationForm>
  );
}

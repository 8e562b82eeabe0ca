import { Field, Input } from '@fluentui/react-components';
import type { Classification, Severity } from '../../../../../domain/car/car-vocabulary.js';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import { ClassificationFields } from './ClassificationFields.js';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

const orUndefined = (s: string) => (s.trim() ? s.trim() : undefined);

/** Change the classification or severity, with why. */
export function ReclassifyForm({ car, ops, draft }: OperationProps) {
  const f = useOperationDraft<{
    classification: Classification | '';
    severity: Severity | '';
    reason: string;
  }>(draft, 'reclassify', () => ({
    classification: car.classification ?? 'minor_nc',
    severity: car.severity ?? 'medium',
    reason: '',
  }));
  const styles = useOpCardStyles();
  return (
    <OperationForm
      ops={ops}
      op="reclassify"
      title="Change classification or severity"
      submitLabel="Reclassify"
      body={() => ({
        classification: f.value.classification as Classification,
        severity: f.value.severity as Severity,
        reason: orUndefined(f.value.reason),
      })}
      onSaved={f.reset}
    >
      <ClassificationFields value={f.value} set={f.set}>
        <Field label="Why" className={styles.grow}>
          <Input {...f.bind('reason')} />
        </Field>
      </ClassificationFields>
    </OperationForm>
  );
}

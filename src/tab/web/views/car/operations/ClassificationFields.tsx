import type { ReactNode } from 'react';
import {
  CLASSIFICATIONS,
  SEVERITIES,
  type Classification,
  type Severity,
} from '../../../../../domain/car/car-vocabulary.js';
import { CLASSIFICATION_LABELS, SEVERITY_LABELS } from '../../../app/car-labels.js';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import { EnumSelect } from './operation-form.js';

export interface Classified {
  readonly classification: Classification | '';
  readonly severity: Severity | '';
}

/** Classification and severity side by side, for recording and for reclassifying. */
export function ClassificationFields({
  value,
  set,
  choose,
  children,
}: {
  value: Classified;
  set: (patch: Partial<Classified>) => void;
  /** Recording starts from nothing: both are required and offer "Choose…". */
  choose?: boolean;
  children?: ReactNode;
}) {
  const styles = useOpCardStyles();
  const ask = choose ? { required: true, placeholder: 'Choose…' } : {};
  return (
    <div className={styles.row}>
      <EnumSelect
        label="Classification"
        {...ask}
        value={value.classification}
        options={CLASSIFICATIONS}
        labels={CLASSIFICATION_LABELS}
        onChange={(classification) => {
          set({ classification });
        }}
      />
      <EnumSelect
        label="Severity"
        {...ask}
        value={value.severity}
        options={SEVERITIES}
        labels={SEVERITY_LABELS}
        onChange={(severity) => {
          set({ severity });
        }}
      />
      {children}
    </div>
  );
}

import { Checkbox, Field, Input, Select } from '@fluentui/react-components';
import { CLASSIFICATIONS, REPORT_TYPES } from '../../../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../../../domain/car/lifecycle.js';
import type { CarListFilter } from '../api/types.js';
import { CLASSIFICATION_LABELS, STATE_LABELS } from '../app/car-labels.js';
import { REPORT_TYPE_LABELS } from '../app/labels.js';
import { useCarFiltersStyles } from './CarFilters.styles.js';

export interface Filters {
  state: string;
  type: string;
  classification: string;
  overdue: boolean;
  q: string;
}

export const noFilters: Filters = {
  state: '',
  type: '',
  classification: '',
  overdue: false,
  q: '',
};

/** The states in which a CAR still needs work: not closed, rejected or merged. */
export const OPEN_STATES = CAR_STATES.filter(
  (s) => s !== 'closed' && s !== 'rejected' && s !== 'merged',
);
const OPEN = 'open';

export const toListFilter = (f: Filters): CarListFilter => ({
  ...(f.state === OPEN ? { state: [...OPEN_STATES] } : f.state ? { state: [f.state] } : {}),
  ...(f.type ? { type: [f.type] } : {}),
  ...(f.classification ? { classification: [f.classification] } : {}),
  ...(f.overdue ? { overdue: true } : {}),
  ...(f.q.trim() ? { q: f.q.trim() } : {}),
  limit: 200,
});

/** Filters by state, type, classification, overdue, and words. */
export function CarFilters({
  value,
  onChange,
}: {
  value: Filters;
  onChange: (f: Filters) => void;
}) {
  const styles = useCarFiltersStyles();
  const set = (patch: Partial<Filters>) => {
    onChange({ ...value, ...patch });
  };
  return (
    <div className={styles.bar} role="search" aria-label="Filter CARs">
      <Field label="Search">
        <Input
          type="search"
          value={value.q}
          onChange={(_e, d) => {
            set({ q: d.value });
          }}
        />
      </Field>
      <Field label="State">
        <Select
          value={value.state}
          onChange={(_e, d) => {
            set({ state: d.value });
          }}
        >
          <option value="">Any state</option>
          <option value={OPEN}>Open (not closed, rejected or merged)</option>
          {CAR_STATES.map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Type">
        <Select
          value={value.type}
          onChange={(_e, d) => {
            set({ type: d.value });
          }}
        >
          <option value="">Any type</option>
          {REPORT_TYPES.map((t) => (
            <option key={t} value={t}>
              {REPORT_TYPE_LABELS[t]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Classification">
        <Select
          value={value.classification}
          onChange={(_e, d) => {
            set({ classification: d.value });
          }}
        >
          <option value="">Any classification</option>
          {CLASSIFICATIONS.map((c) => (
            <option key={c} value={c}>
              {CLASSIFICATION_LABELS[c]}
            </option>
          ))}
        </Select>
      </Field>
      <Checkbox
        label="Overdue only"
        checked={value.overdue}
        onChange={(_e, d) => {
          set({ overdue: d.checked === true });
        }}
      />
    </div>
  );
}

import { Field, Input, Textarea } from '@fluentui/react-components';
import { ACTION_KINDS, type ActionKind } from '../../../../../domain/car/car-vocabulary.js';
import { ACTION_KIND_LABELS } from '../../../app/car-labels.js';
import { PersonPicker, type PersonRef } from '../../../components/PersonPicker.js';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import {
  EnumSelect,
  OperationForm,
  useOperationDraft,
  type OperationProps,
} from './operation-form.js';

/** Add a correction, corrective, preventive, procedure-change or training action (10.2 c). */
export function AddActionForm({ car, ops, draft }: OperationProps) {
  const f = useOperationDraft<{
    kind: ActionKind | '';
    title: string;
    description: string;
    owner: PersonRef | null;
    dueDate: string;
    steps: string;
  }>(draft, 'addAction', () => ({
    kind: 'corrective',
    title: '',
    description: '',
    owner: null,
    dueDate: '',
    steps: '',
  }));
  const v = f.value;
  const styles = useOpCardStyles();
  const days = car.classification === 'ofi' ? 30 : 14;
  return (
    <OperationForm
      ops={ops}
      op="addAction"
      title="Add an action (10.2 c)"
      submitLabel="Add action"
      body={() => ({
        kind: v.kind === '' ? 'corrective' : v.kind,
        title: v.title,
        description: v.description,
        owner: v.owner ?? { id: '', name: '' },
        ...(v.dueDate ? { dueDate: v.dueDate } : {}),
        steps: v.steps
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      })}
      onSaved={f.reset}
    >
      <div className={styles.row}>
        <EnumSelect
          label="Kind"
          required
          value={v.kind}
          options={ACTION_KINDS}
          labels={ACTION_KIND_LABELS}
          onChange={(kind) => {
            f.set({ kind });
          }}
        />
        <Field
          label="Due date"
          hint={`Empty: the service level, ${days} working days by default for this classification`}
        >
          <Input type="date" {...f.bind('dueDate')} />
        </Field>
      </div>
      <Field label="Action title" required>
        <Input {...f.bind('title')} />
      </Field>
      <Field label="Description">
        <Textarea {...f.bind('description')} />
      </Field>
      <PersonPicker
        label="Owner"
        required
        value={v.owner}
        onChange={(owner) => {
          f.set({ owner });
        }}
      />
      <Field label="Steps (one a line)">
        <Textarea {...f.bind('steps')} />
      </Field>
    </OperationForm>
  );
}

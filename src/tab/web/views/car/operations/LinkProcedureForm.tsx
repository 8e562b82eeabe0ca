import { Field, Input } from '@fluentui/react-components';
import { useOpCardStyles } from '../../mr/OpCard.styles.js';
import { OperationForm, useOperationDraft, type OperationProps } from './operation-form.js';

/** Link the procedure document and the revision in force that the CAR changes. */
export function LinkProcedureForm({ ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'linkProcedure', () => ({
    procedureId: '',
    title: '',
    revisionInForce: '',
  }));
  const styles = useOpCardStyles();
  return (
    <OperationForm
      ops={ops}
      op="linkProcedure"
      title="Link a procedure revision"
      submitLabel="Link procedure"
      body={() => f.value}
      onSaved={f.reset}
    >
      <div className={styles.row}>
        <Field label="Procedure id" required hint="e.g. ISMSP02">
          <Input {...f.bind('procedureId')} />
        </Field>
        <Field label="Revision in force" required hint="e.g. 1.0">
          <Input {...f.bind('revisionInForce')} />
        </Field>
      </div>
      <Field label="Procedure title">
        <Input {...f.bind('title')} />
      </Field>
    </OperationForm>
  );
}

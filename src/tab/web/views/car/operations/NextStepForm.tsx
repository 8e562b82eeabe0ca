import { Field, Input, Text } from '@fluentui/react-components';
import {
  OperationForm,
  offered,
  useOperationDraft,
  type OperationProps,
} from './operation-form.js';

const STEPS = [
  { op: 'startInvestigation', label: 'Start the investigation' },
  { op: 'planActions', label: 'Confirm the action plan' },
  { op: 'startImplementation', label: 'Start implementing' },
  { op: 'startVerification', label: 'Start effectiveness verification' },
] as const;

/**
 * The step that moves the CAR on, when the CAR offers one. A step a gate still holds back is
 * shown with the reason instead of a button that would fail.
 */
export function NextStepForm({ car, ops, draft }: OperationProps) {
  const f = useOperationDraft(draft, 'transition', () => ({ reason: '' }));
  const offeredSteps = STEPS.flatMap((s) => {
    const c = offered(car, s.op);
    return c ? [{ ...s, blockedBy: c.blockedBy }] : [];
  });
  const step = offeredSteps.find((s) => s.blockedBy === null);
  const blocked = offeredSteps.filter((s) => s.blockedBy !== null);
  return (
    <>
      {blocked.map((s) => (
        <Text key={s.op} as="p" data-blocked={s.op}>
          {s.label}: {s.blockedBy}
        </Text>
      ))}
      {step && (
        <OperationForm
          ops={ops}
          op={step.op}
          title="Next step"
          submitLabel={step.label}
          body={() => ({ reason: f.value.reason.trim() || undefined })}
          onSaved={f.reset}
        >
          <Field label="Note for the history (optional)">
            <Input {...f.bind('reason')} />
          </Field>
        </OperationForm>
      )}
    </>
  );
}

import { Text } from '@fluentui/react-components';
import type { AuditEntry, Car } from '../../../api/types.js';
import { Stack } from '../../../components/Section.js';
import { ConflictNotice } from '../ConflictNotice.js';
import { useCarOperations } from '../use-car-operations.js';
import { useDrafts } from '../../mr/drafts.js';
import { RevisionForm } from '../../mr/RevisionForm.js';
import { ActionForms } from './ActionForms.js';
import { AddActionForm } from './AddActionForm.js';
import { CloseForm } from './CloseForm.js';
import { CommitteeReviewFields } from './CommitteeReviewFields.js';
import { ConsulteeAnswerForm } from './ConsulteeAnswerForm.js';
import { ContainmentForm } from './ContainmentForm.js';
import { InvestigationForm } from './InvestigationForm.js';
import { LinkProcedureForm } from './LinkProcedureForm.js';
import { MergeForm } from './MergeForm.js';
import { NextStepForm } from './NextStepForm.js';
import { offered, type OperationProps } from './operation-form.js';
import { ReclassifyForm } from './ReclassifyForm.js';
import { RecordForm } from './RecordForm.js';
import { RejectForm } from './RejectForm.js';
import { ReopenForm } from './ReopenForm.js';
import { VerificationForm } from './VerificationForm.js';

/**
 * Every form this person may use on this CAR now, for every role (the MR, an action owner, a
 * consultee, the committee): the CAR's `availableCommands` decide which forms appear, and each
 * form sends If-Match with the version on screen.
 */
export function CarOperations({
  car,
  history,
  onChanged,
}: {
  car: Car;
  history: readonly AuditEntry[];
  onChanged: (car: Car) => void;
}) {
  const ops = useCarOperations(car, history, onChanged);
  const draft = useDrafts();
  const props: OperationProps = { car, ops, draft };
  const has = (name: Parameters<typeof offered>[1]) => offered(car, name) !== undefined;
  if (car.availableCommands.length === 0) return null;
  return (
    <Stack>
      <Text as="h3" size={500} weight="semibold">
        Work on this CAR
      </Text>
      <ConflictNotice ops={ops} />
      {has('record') && <RecordForm {...props} />}
      {has('reject') && <RejectForm {...props} />}
      {has('merge') && <MergeForm {...props} />}
      <NextStepForm {...props} />
      {has('recordContainment') && <ContainmentForm {...props} />}
      {has('updateInvestigation') && <InvestigationForm {...props} />}
      {has('addConsulteeInput') && <ConsulteeAnswerForm {...props} />}
      {has('addAction') && <AddActionForm {...props} />}
      <ActionForms {...props} />
      {has('linkProcedure') && <LinkProcedureForm {...props} />}
      {car.procedureLinks
        .filter((l) => offered(car, 'recordProcedureRevision', { linkId: l.id }))
        .map((l) => (
          <RevisionForm key={l.id} link={l} ops={ops} draft={draft} />
        ))}
      {has('verifyEffectiveness') && <VerificationForm {...props} />}
      {has('close') && <CloseForm {...props} />}
      {has('reopen') && <ReopenForm {...props} />}
      {has('reclassify') && <ReclassifyForm {...props} />}
      {has('addCommitteeReview') && <CommitteeReviewFields {...props} />}
    </Stack>
  );
}

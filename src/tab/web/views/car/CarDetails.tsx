import { Text } from '@fluentui/react-components';
import type { Car } from '../../api/types.js';
import {
  ACTION_KIND_LABELS,
  CAUSE_LABELS,
  CLASSIFICATION_LABELS,
  SEVERITY_LABELS,
  nextStep,
} from '../../app/car-labels.js';
import {
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SOURCE_LABELS,
  formatDateTime,
} from '../../app/labels.js';
import { Facts, Section } from '../../components/Section.js';

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

/** Everything recorded on a CAR, section by section (clause 10.2 a to e). */
export function CarDetails({ car }: { car: Car }) {
  const r = car.report;
  const next = nextStep(car.state);
  const inv = car.investigation;
  return (
    <>
      <Section title="Status">
        <Facts
          items={[
            ['CAR number', car.number ?? 'Not recorded yet'],
            ['Next step', next.step],
            ['Held by', next.holder],
            [
              'Next due',
              car.nextDueDate ? `${car.nextDueDate}${car.overdue ? ' (overdue)' : ''}` : '',
            ],
            ['Classification', car.classification ? CLASSIFICATION_LABELS[car.classification] : ''],
            ['Severity', car.severity ? SEVERITY_LABELS[car.severity] : ''],
            [
              'Decision',
              car.triage
                ? `${car.triage.decision} by ${car.triage.by.name} on ${car.triage.on}${car.triage.reason ? `: ${car.triage.reason}` : ''}${car.triage.mergedInto ? ` (into ${car.triage.mergedInto.number})` : ''}`
                : '',
            ],
          ]}
        />
      </Section>
      <Section title="Report">
        <Facts
          items={[
            ['Type', REPORT_TYPE_LABELS[r.type]],
            ['Relates to', r.relatesTo.map((x) => RELATES_TO_LABELS[x]).join(', ')],
            ['Recognised by', SOURCE_LABELS[r.source]],
            ['What happened', r.description],
            ['When', r.occurredAt ? formatDateTime(r.occurredAt) : ''],
            ['Where', r.location],
            ['Affected', r.affected],
            ['Immediate action', r.immediateAction],
            ['Confidential', yesNo(r.confidential)],
            ['Reported by', `${car.reporter.name}, ${formatDateTime(car.reportedAt)}`],
          ]}
        />
      </Section>
      {car.containment && (
        <Section title="Containment and correction (10.2 a)">
          <Facts
            items={[
              ['Done', car.containment.description],
              ['By', `${car.containment.by.name}, ${formatDateTime(car.containment.at)}`],
            ]}
          />
        </Section>
      )}
      {(inv.rootCause !== null ||
        inv.fiveWhys.length > 0 ||
        inv.similarCheck !== null ||
        inv.consulteeInputs.length > 0) && (
        <Section title="Investigation (10.2 b)">
          {inv.fiveWhys.length > 0 && (
            <ol>
              {inv.fiveWhys.map((w, i) => (
                <li key={i}>
                  <Text weight="semibold">{w.question}</Text> {w.answer}
                </li>
              ))}
            </ol>
          )}
          <Facts
            items={[
              ['Root cause', inv.rootCause ?? ''],
              ['Cause category', inv.causeCategory ? CAUSE_LABELS[inv.causeCategory] : ''],
              ['Consultees', inv.consultees.map((c) => c.name).join(', ')],
              [
                'Similar nonconformities',
                inv.similarCheck
                  ? `${inv.similarCheck.done ? 'Checked' : 'Not checked yet'}${inv.similarCheck.findings ? `: ${inv.similarCheck.findings}` : ''}${inv.similarCheck.relatedCarIds.length ? ` (related: ${inv.similarCheck.relatedCarIds.join(', ')})` : ''}`
                  : '',
              ],
            ]}
          />
          {inv.consulteeInputs.length > 0 && (
            <ul aria-label="Consultee input">
              {inv.consulteeInputs.map((c) => (
                <li key={c.id}>
                  <Text weight="semibold">
                    {c.by.name}, {formatDateTime(c.at)}:
                  </Text>{' '}
                  {c.answer}
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
      {car.actions.length > 0 && (
        <Section title="Actions (10.2 c)">
          <ul>
            {car.actions.map((a) => (
              <li key={a.id}>
                <Text weight="semibold">{a.title}</Text> ({ACTION_KIND_LABELS[a.kind]}), owner{' '}
                {a.owner.name}, due {a.dueDate}: {a.status}
                {a.completionNote ? `. Note: ${a.completionNote}` : ''}
                {a.cancelReason ? `. Cancelled: ${a.cancelReason}` : ''}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {(car.verifications.length > 0 || car.effectivenessDueDate) && (
        <Section title="Effectiveness (10.2 d)">
          <Facts items={[['Due', car.effectivenessDueDate ?? '']]} />
          <ul>
            {car.verifications.map((v) => (
              <li key={v.id}>
                Round {v.round}: {v.effective ? 'effective' : 'not effective'}, by {v.by.name}:{' '}
                {v.evidence}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {car.closure && (
        <Section title="Closure (10.2 e)">
          <Facts
            items={[
              ['Summary', car.closure.summary],
              ['ISMS change needed', yesNo(car.closure.ismsChangeNeeded)],
              ['ISMS change', car.closure.ismsChangeDescription ?? ''],
              ['Feeds management review', yesNo(car.closure.feedsManagementReview)],
              ['Closed by', `${car.closure.by.name}, ${formatDateTime(car.closure.at)}`],
            ]}
          />
        </Section>
      )}
      {car.reopenings.length > 0 && (
        <Section title="Reopened">
          <ul>
            {car.reopenings.map((o) => (
              <li key={o.at}>
                {formatDateTime(o.at)} by {o.by.name}: {o.reason}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {car.committeeReviews.length > 0 && (
        <Section title="Committee reviews">
          <ul>
            {car.committeeReviews.map((c) => (
              <li key={c.id}>
                {c.meetingDate}
                {c.minutesRef ? ` (${c.minutesRef})` : ''}: {c.decision}
                {c.followUp ? `. Follow-up: ${c.followUp}` : ''} ({c.by.name})
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}

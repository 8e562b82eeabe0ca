import { Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { Agenda } from '../../api/types.js';
import { CLASSIFICATION_LABELS, STATE_LABELS } from '../../app/car-labels.js';
import { AppLink } from '../../components/AppLink.js';
import { Section } from '../../components/Section.js';
import { useCommitteeStyles } from './Committee.styles.js';

type AgendaCar = Agenda['newSinceLast'][number];

const REASONS = {
  major_nc: 'Major nonconformity',
  feeds_management_review: 'Feeds the management review',
  reopened: 'Reopened',
} as const;

/** The six parts of a committee agenda, in the order the meeting takes them. */
export const AGENDA_SECTIONS = [
  'New since the last meeting',
  'Overdue actions',
  'Closed since the last meeting',
  'Found ineffective',
  'Awaiting a decision',
  'Actions from the previous review',
] as const;

const label = (c: AgendaCar, shared: boolean): string =>
  shared && c.confidential
    ? `${c.number ?? 'Report'}: confidential`
    : `${c.number ?? 'Report'}: ${c.title}`;

function CarLine({
  car,
  shared,
  children,
}: {
  car: AgendaCar;
  shared: boolean;
  children?: ReactNode;
}) {
  const facts = [
    STATE_LABELS[car.state],
    car.classification ? CLASSIFICATION_LABELS[car.classification] : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <li>
      {shared ? label(car, true) : <AppLink href={`/cars/${car.id}`}>{label(car, false)}</AppLink>}{' '}
      ({facts}){children}
    </li>
  );
}

function Part({
  title,
  count,
  shared,
  children,
}: {
  title: string;
  count: number;
  shared: boolean;
  children: ReactNode;
}) {
  const styles = useCommitteeStyles();
  return shared ? (
    <section aria-label={title}>
      <h3 className={styles.stageSection}>
        {title} ({count})
      </h3>
      {count === 0 ? <p>None.</p> : <ul className={styles.stageList}>{children}</ul>}
    </section>
  ) : (
    <Section title={`${title} (${count})`}>
      {count === 0 ? <Text as="p">None.</Text> : <ul className={styles.list}>{children}</ul>}
    </Section>
  );
}

/**
 * The agenda as sections of CARs. `shared` is the meeting stage: everyone in the meeting sees
 * it, so confidential CARs show their number only and nothing is a link.
 */
export function AgendaSections({ agenda, shared = false }: { agenda: Agenda; shared?: boolean }) {
  const [newTitle, overdueTitle, closedTitle, ineffectiveTitle, awaitingTitle, previousTitle] =
    AGENDA_SECTIONS;
  return (
    <>
      <Part shared={shared} title={newTitle} count={agenda.newSinceLast.length}>
        {agenda.newSinceLast.map((c) => (
          <CarLine key={c.id} car={c} shared={shared} />
        ))}
      </Part>
      <Part shared={shared} title={overdueTitle} count={agenda.overdueActions.length}>
        {agenda.overdueActions.map((c) => (
          <CarLine key={c.id} car={c} shared={shared}>
            <ul>
              {c.overdueActions.map((a) => (
                <li key={a.id}>
                  {a.title}, {a.owner.name}, due {a.dueDate}
                </li>
              ))}
            </ul>
          </CarLine>
        ))}
      </Part>
      <Part shared={shared} title={closedTitle} count={agenda.closedSinceLast.length}>
        {agenda.closedSinceLast.map((c) => (
          <CarLine key={c.id} car={c} shared={shared} />
        ))}
      </Part>
      <Part shared={shared} title={ineffectiveTitle} count={agenda.foundIneffective.length}>
        {agenda.foundIneffective.map((c) => (
          <CarLine key={c.id} car={c} shared={shared}>
            : found not effective on {c.foundOn.join(', ')}
          </CarLine>
        ))}
      </Part>
      <Part shared={shared} title={awaitingTitle} count={agenda.awaitingDecision.length}>
        {agenda.awaitingDecision.map((c) => (
          <CarLine key={c.id} car={c} shared={shared}>
            : {c.reasons.map((r) => REASONS[r]).join(', ')}
          </CarLine>
        ))}
      </Part>
      <Part shared={shared} title={previousTitle} count={agenda.previousReview.length}>
        {agenda.previousReview.map((c) => (
          <CarLine key={c.id} car={c} shared={shared}>
            : {c.openActions} open action{c.openActions === 1 ? '' : 's'}, {c.overdueActions}{' '}
            overdue
            <ul>
              {c.reviews.map((r, i) => (
                <li key={i}>
                  {r.decision}
                  {r.followUp ? `. Follow-up: ${r.followUp}` : ''}
                  {r.minutesRef ? ` (${r.minutesRef})` : ''}
                </li>
              ))}
            </ul>
          </CarLine>
        ))}
      </Part>
    </>
  );
}

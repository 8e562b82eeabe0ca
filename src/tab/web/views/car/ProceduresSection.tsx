import * as calls from '../../api/more-calls.js';
import { Text } from '@fluentui/react-components';
import { useSession } from '../../api/api-context.js';
import type { Car } from '../../api/types.js';
import { formatDateTime } from '../../app/labels.js';
import { DownloadButton } from '../../components/DownloadButton.js';
import { Facts, Section } from '../../components/Section.js';
import { useCarViewStyles } from './CarView.styles.js';

/**
 * The procedures the CAR changes: the revision in force when it was linked, the new revision
 * the change produced and its change log, and each revision's text from the library.
 */
export function ProceduresSection({ car }: { car: Car }) {
  const { client } = useSession();
  const styles = useCarViewStyles();
  if (car.procedureLinks.length === 0) return null;
  return (
    <Section title="Procedures">
      <ul className={styles.plainList}>
        {car.procedureLinks.map((l) => (
          <li key={l.id} className={styles.procedure}>
            <Text weight="semibold">
              {l.procedureId}
              {l.title ? `: ${l.title}` : ''}
            </Text>
            <Facts
              items={[
                ['Revision in force', l.revisionInForce],
                ['New revision', l.newRevision ?? 'Not recorded yet'],
                ['Change log', l.newRevisionChangelog ?? ''],
                ['Revised', l.revisedAt ? formatDateTime(l.revisedAt) : ''],
              ]}
            />
            <div className={styles.buttons}>
              <DownloadButton
                label={`Revision ${l.revisionInForce} (text)`}
                load={() => calls.revisionContent(client, l.procedureId, l.revisionInForce)}
              />
              {l.newRevision && (
                <DownloadButton
                  label={`Revision ${l.newRevision} (text)`}
                  load={() => calls.revisionContent(client, l.procedureId, l.newRevision ?? '')}
                />
              )}
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}

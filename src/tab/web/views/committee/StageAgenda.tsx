import * as calls from '../../api/more-calls.js';
import { useState } from 'react';
import { useApiData } from '../../api/api-context.js';
import { usePolling } from '../../components/use-polling.js';
import { AgendaSections } from './AgendaSections.js';
import { useCommitteeStyles } from './Committee.styles.js';
import { dateFromAddress } from './MeetingPage.js';
import { defaultMeeting } from './MeetingPicker.js';

/**
 * The agenda on the meeting stage, for a shared screen: read-only, large type, high contrast,
 * read again every 30 s so that decisions taken in the side panel show up.
 */
export function StageAgenda() {
  const styles = useCommitteeStyles();
  const [fromAddress] = useState(dateFromAddress);
  const meetings = useApiData(
    (s) => (fromAddress ? Promise.resolve([]) : calls.meetings(s.client)),
    [fromAddress],
  );
  const date = fromAddress ?? (meetings.data ? defaultMeeting(meetings.data) : null);
  const agenda = useApiData(
    (s) => (date ? calls.agenda(s.client, date) : Promise.resolve(null)),
    [date],
  );
  usePolling(agenda.reload, 30_000);
  const a = agenda.data?.agenda;
  const title = agenda.data?.meeting?.title ?? '';
  return (
    <div className={styles.stage}>
      <h2 className={styles.stageTitle}>
        {a
          ? `Steering Committee, ${a.meetingDate}${title ? `: ${title}` : ''}`
          : 'Steering Committee agenda'}
      </h2>
      {(agenda.error ?? meetings.error) && (
        <p role="alert">The agenda could not be read: {(agenda.error ?? meetings.error)?.title}</p>
      )}
      {!a && !agenda.error && !meetings.error && (
        <p role="status">{meetings.data && !date ? 'No meeting is planned.' : 'Loading…'}</p>
      )}
      {a && (
        <>
          <p>
            {a.lastMeetingDate
              ? `Since the last meeting, ${a.lastMeetingDate}.`
              : 'No earlier meeting: everything up to this date.'}
          </p>
          <AgendaSections agenda={a} shared />
        </>
      )}
    </div>
  );
}

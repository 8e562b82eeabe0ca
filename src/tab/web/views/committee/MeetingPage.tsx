import * as calls from '../../api/more-calls.js';
import { Button, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { asApiError, useApiData, useSession } from '../../api/api-context.js';
import type { ApiError } from '../../api/rectify-client.js';
import { DownloadButton } from '../../components/DownloadButton.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { Loading } from '../../components/Loading.js';
import { useFrame } from '../../host/frame-context.js';
import { AgendaSections } from './AgendaSections.js';
import { useCommitteeStyles } from './Committee.styles.js';
import { DecisionForm } from './DecisionForm.js';
import { MeetingPicker, defaultMeeting } from './MeetingPicker.js';

/** The date the address names (`?date=2026-12-10`), as the stage is opened with. */
export const dateFromAddress = (): string | null => {
  const d = new URLSearchParams(window.location.search).get('date');
  return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : null;
};

/** The page the side panel shares to the meeting stage. */
export const stageUrl = (date: string): string =>
  `${window.location.origin}/committee?frame=meetingStage&date=${encodeURIComponent(date)}`;

function ShareToStage({ date }: { date: string }) {
  const { shareToStage } = useFrame();
  const [state, setState] = useState<{ busy: boolean; error: ApiError | null; shared: boolean }>({
    busy: false,
    error: null,
    shared: false,
  });
  if (!shareToStage) {
    // A plain browser has no meeting: the same page opens as the stage would show it.
    return (
      <a href={stageUrl(date)} target="_blank" rel="noopener noreferrer">
        Share to stage (opens the stage view)
      </a>
    );
  }
  return (
    <>
      <Button
        disabled={state.busy}
        onClick={() => {
          setState({ busy: true, error: null, shared: false });
          shareToStage(stageUrl(date)).then(
            () => {
              setState({ busy: false, error: null, shared: true });
            },
            (e: unknown) => {
              setState({
                busy: false,
                shared: false,
                error: asApiError(e),
              });
            },
          );
        }}
      >
        Share to stage
      </Button>
      {state.shared && <Text role="status">The agenda is on the stage.</Text>}
      {state.error && <ErrorBar error={state.error} title="Not shared to the stage" />}
    </>
  );
}

/**
 * A committee meeting: choose or plan it, its agenda, the decisions in one pass, and its
 * exports. `narrow` is the meeting side panel (320 px, one column).
 */
export function MeetingPage({ narrow }: { narrow: boolean }) {
  const { client } = useSession();
  const styles = useCommitteeStyles();
  const meetings = useApiData((s) => calls.meetings(s.client), []);
  const [chosen, setChosen] = useState<string | null>(dateFromAddress);
  const date = chosen ?? (meetings.data ? defaultMeeting(meetings.data) : null);
  const agenda = useApiData(
    (s) => (date ? calls.agenda(s.client, date) : Promise.resolve(null)),
    [date],
  );

  return (
    <div className={narrow ? styles.narrow : styles.page}>
      {meetings.error && <ErrorBar error={meetings.error} />}
      {!meetings.data && !meetings.error && <Loading />}
      {meetings.data && (
        <MeetingPicker
          meetings={meetings.data}
          value={date}
          narrow={narrow}
          onChange={setChosen}
          onPlanned={(m) => {
            setChosen(m.date);
            meetings.reload();
          }}
        />
      )}
      {date && (
        <div className={styles.buttons}>
          <DownloadButton
            label="Download pack (PDF)"
            load={() =>
              calls.download(
                client,
                `/api/committee/meetings/${encodeURIComponent(date)}/pack.pdf`,
                `rectify-review-pack-${date}.pdf`,
              )
            }
          />
          {!narrow && (
            <>
              <DownloadButton
                label="Register (CSV)"
                load={() =>
                  calls.download(client, '/api/exports/register.csv', 'rectify-register.csv')
                }
              />
              <DownloadButton
                label="Register (XLSX)"
                load={() =>
                  calls.download(client, '/api/exports/register.xlsx', 'rectify-register.xlsx')
                }
              />
            </>
          )}
          {narrow && <ShareToStage date={date} />}
        </div>
      )}
      {agenda.error && <ErrorBar error={agenda.error} />}
      {date && !agenda.data && !agenda.error && <Loading label="Building the agenda…" />}
      {agenda.data && (
        <>
          <Text as="h3" size={500} weight="semibold">
            Agenda of {agenda.data.agenda.meetingDate}
            {agenda.data.meeting?.title ? `: ${agenda.data.meeting.title}` : ''}
          </Text>
          <Text as="p">
            {agenda.data.agenda.lastMeetingDate
              ? `Since the last meeting, ${agenda.data.agenda.lastMeetingDate}.`
              : 'No earlier meeting is done: everything up to this date.'}
          </Text>
          <AgendaSections agenda={agenda.data.agenda} />
          <DecisionForm
            key={date}
            date={date ?? ''}
            data={agenda.data}
            narrow={narrow}
            onSubmitted={() => {
              agenda.reload();
              meetings.reload();
            }}
          />
        </>
      )}
    </div>
  );
}

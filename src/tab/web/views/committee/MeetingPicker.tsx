import * as calls from '../../api/more-calls.js';
import { Button, Field, Input, Select } from '@fluentui/react-components';
import { useState } from 'react';
import { asApiError, useSession } from '../../api/api-context.js';
import type { ApiError } from '../../api/rectify-client.js';
import type { Meeting } from '../../api/types.js';
import { ErrorBar } from '../../components/ErrorBar.js';
import { useCommitteeStyles } from './Committee.styles.js';

export const todayLocal = (): string => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

/** The meeting to open first: the next planned one, else the latest. */
export function defaultMeeting(meetings: readonly Meeting[]): string | null {
  const today = todayLocal();
  const next = meetings.find((m) => m.status === 'planned' && m.date >= today);
  return next?.date ?? meetings.at(-1)?.date ?? null;
}

const meetingLabel = (m: Meeting) =>
  `${m.date}${m.title ? `: ${m.title}` : ''} (${m.status === 'done' ? 'done' : 'planned'})`;

/** Choose a planned meeting, or plan a new one (a date and a title). */
export function MeetingPicker({
  meetings,
  value,
  onChange,
  onPlanned,
  narrow,
}: {
  meetings: readonly Meeting[];
  value: string | null;
  onChange: (date: string) => void;
  onPlanned: (meeting: Meeting) => void;
  narrow: boolean;
}) {
  const { client } = useSession();
  const styles = useCommitteeStyles();
  const [plan, setPlan] = useState({ date: todayLocal(), title: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <div className={narrow ? styles.narrowFields : styles.row}>
      <Field label="Meeting" className={styles.fill}>
        <Select
          className={styles.fill}
          value={value ?? ''}
          onChange={(_e, d) => {
            if (d.value) onChange(d.value);
          }}
        >
          {value === null && <option value="">No meeting planned yet</option>}
          {meetings.map((m) => (
            <option key={m.date} value={m.date}>
              {meetingLabel(m)}
            </option>
          ))}
        </Select>
      </Field>
      <form
        className={narrow ? styles.narrowFields : styles.row}
        aria-label="Plan a meeting"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(null);
          calls.planMeeting(client, plan.date, plan.title).then(
            (m) => {
              setBusy(false);
              setPlan({ date: todayLocal(), title: '' });
              onPlanned(m);
            },
            (err: unknown) => {
              setBusy(false);
              setError(asApiError(err));
            },
          );
        }}
      >
        <Field label="New meeting on">
          <Input
            type="date"
            value={plan.date}
            onChange={(_e, d) => {
              setPlan((p) => ({ ...p, date: d.value }));
            }}
          />
        </Field>
        <Field label="Title">
          <Input
            value={plan.title}
            placeholder="Operational review"
            onChange={(_e, d) => {
              setPlan((p) => ({ ...p, title: d.value }));
            }}
          />
        </Field>
        <Button type="submit" disabled={busy}>
          Plan meeting
        </Button>
      </form>
      {error && <ErrorBar error={error} title="The meeting was not planned" />}
    </div>
  );
}
